#include "api/client/openid.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include <chat/crypto/random.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// The lifetime the spec's example shows and Synapse uses.
constexpr std::chrono::seconds kOpenIdTokenLifetime{3600};
constexpr std::size_t kOpenIdTokenChars = 32;

}  // namespace

Task<Result<Reply>> post_openid_request_token(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "Cannot request OpenID tokens for other users");
    // The body is reserved for future use: any object will do, and so does none.
    if (auto body = request.json_object(/*empty_is_object=*/true); !body) co_return body.error();

    const auto& services = request.services();
    const auto now = services.clock->now_ms();
    const auto expires = now + std::chrono::milliseconds(kOpenIdTokenLifetime).count();
    std::string token = crypto::random_alphanumeric(kOpenIdTokenChars);
    auto stored = co_await services.db->write(
        "add_openid_token", [&](store::WriteTxn& txn) -> Result<void> {
            // Expired tokens go as new ones come: the table stays small.
            if (auto purged = txn.openid_tokens().purge_expired(now); !purged)
                return purged.error();
            return txn.openid_tokens().add(token, *user, expires);
        });
    if (!stored) co_return stored.error();
    co_return Reply::json({{"access_token", token},
                           {"token_type", "Bearer"},
                           {"matrix_server_name", services.server_name},
                           {"expires_in", kOpenIdTokenLifetime.count()}});
}

}  // namespace chat::daemon
