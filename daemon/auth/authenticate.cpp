#include "auth/authenticate.hpp"

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

std::optional<std::string> access_token_of(const Request& request) {
    auto header = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() > kBearer.size() && header_name_equal(header.substr(0, kBearer.size()), kBearer))
        return std::string(header.substr(kBearer.size()));
    auto query = request.query("access_token");
    if (query && !query->empty()) return query;
    return std::nullopt;
}

Task<Result<void>> authenticate(Request& request) {
    auto token = access_token_of(request);
    if (!token) co_return make_error(Errc::missing_token, "Missing access token");

    const auto& services = request.services();
    auto now = services.clock->now_ms();
    auto found = co_await services.db->read(
        "authenticate", [&](store::ReadTxn& txn) -> Result<std::optional<Requester>> {
            auto info = txn.tokens().lookup(*token);
            if (!info) return info.error();
            if (!*info || ((*info)->expires_ts && *(*info)->expires_ts <= now))
                return std::optional<Requester>{};
            auto user = txn.users().get((*info)->user_id);
            if (!user) return user.error();
            if (!*user || (*user)->deactivated) return std::optional<Requester>{};
            return std::optional<Requester>(Requester{
                .user_id = (*info)->user_id,
                .device_id = (*info)->device_id,
                .admin = (*user)->admin,
                .access_token = *token,
            });
        });
    if (!found) co_return found.error();
    if (!*found) co_return make_error(Errc::unknown_token, "Unknown access token");
    request.set_requester(std::move(**found));
    co_return ok();
}

}  // namespace chat::daemon
