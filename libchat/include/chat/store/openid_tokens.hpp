#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// OpenID tokens (spec client-server.md section 13.3): short-lived tokens a
// user hands to a third party, which trades one for the user's id at
// GET /_matrix/federation/v1/openid/userinfo. They are no access tokens and
// live apart from them. Only their SHA-256 is stored (hash_access_token).
class OpenIdTokensReader {
public:
    virtual ~OpenIdTokensReader() = default;
    // The owner of `token` if it is known and expires after `now_ts` (ms
    // since the epoch); none otherwise.
    virtual Result<std::optional<UserId>> lookup(std::string_view token, std::int64_t now_ts) = 0;
};

class OpenIdTokens : public OpenIdTokensReader {
public:
    // Errors: Errc::invalid_param when the token is already stored.
    virtual Result<void> add(std::string_view token, const UserId& user_id,
                             std::int64_t expires_ts) = 0;
    // Forgets tokens that expired at or before `now_ts`; returns how many.
    virtual Result<std::int64_t> purge_expired(std::int64_t now_ts) = 0;
};

}  // namespace chat::store
