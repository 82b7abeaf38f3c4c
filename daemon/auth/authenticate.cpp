#include "auth/authenticate.hpp"

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/accounts/account_service.hpp>
#include <chat/store/txn.hpp>

#include "services/last_seen.hpp"
#include "services/presence_tracker.hpp"
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
    auto found = co_await services.db->run([&] { return services.accounts->authenticate(*token); });
    if (!found) co_return found.error();
    request.set_requester(Requester{.user_id = std::move(found->user_id),
                                    .device_id = std::move(found->device_id),
                                    .admin = found->admin,
                                    .access_token = std::move(*token)});

    // "Last seen": the presence offline timeout restarts at every request;
    // the device's last_seen_ts / last_seen_ip are written at most once a
    // minute (LastSeen). A failed write costs the client nothing.
    const auto& requester = request.requester();
    const auto now = services.clock->now_ms();
    if (services.presence) services.presence->seen(requester.user_id, now);
    if (services.last_seen && services.last_seen->due(requester.user_id, requester.device_id, now)) {
        std::string ip = request.remote_address();
        std::string agent(request.header("User-Agent"));
        (void)co_await services.db->write("device_last_seen", [&](store::WriteTxn& txn) {
            return txn.devices().touch(requester.user_id, requester.device_id, now, ip, agent);
        });
    }
    co_return ok();
}

}  // namespace chat::daemon
