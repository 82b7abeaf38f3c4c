#include "api/federation/openid.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

Task<Result<Reply>> get_openid_userinfo(Request& request) {
    auto token = request.query("access_token");
    if (!token || token->empty())
        co_return make_error(Errc::missing_token, "Missing access_token");
    const auto& services = request.services();
    const auto now = services.clock->now_ms();
    auto owner = co_await services.db->read("openid_userinfo", [&](store::ReadTxn& txn) {
        return txn.openid_tokens().lookup(*token, now);
    });
    if (!owner) co_return owner.error();
    if (!*owner) co_return make_error(Errc::unknown_token, "Access token unknown or expired");
    co_return Reply::json({{"sub", std::string((*owner)->str())}});
}

}  // namespace chat::daemon
