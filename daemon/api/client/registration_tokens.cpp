#include "api/client/registration_tokens.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "auth/rate_limiter.hpp"
#include "config/config.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Task<Result<Reply>> get_registration_token_validity(Request& request) {
    const auto& services = request.services();
    // Guessing tokens costs the same as trying to register.
    if (auto limited = services.limit_register->check(request.remote_address()))
        co_return std::move(*limited);
    if (services.config->registration != Registration::token)
        co_return make_error(Errc::forbidden, "Registration tokens are not in use on this server");
    auto token = request.query("token");
    if (!token) co_return make_error(Errc::missing_param, "Missing 'token'");
    const auto now = services.clock->now_ms();
    auto valid = co_await services.db->read(
        "registration_token_validity", [&](store::ReadTxn& txn) -> Result<bool> {
            auto row = txn.registration_tokens().get(*token);
            if (!row) return row.error();
            return *row && (*row)->valid_at(now);
        });
    if (!valid) co_return valid.error();
    co_return Reply::json({{"valid", *valid}});
}

}  // namespace chat::daemon
