#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// Whom an access token belongs to.
struct AccessTokenInfo {
    UserId user_id;
    std::string device_id;
    std::int64_t created_ts = 0;
    std::optional<std::int64_t> expires_ts;  // none: never expires
    // The owner's account flags, read with the token so that authenticating a request is
    // one indexed read.
    bool admin = false;
    bool guest = false;
    bool deactivated = false;
};

// The key an access token is stored under: its SHA-256 (32 raw bytes). The
// token itself is never stored, so a copy of the database grants no access.
// Every backend uses this function. Pure.
std::string hash_access_token(std::string_view token);

// Access tokens. Methods take the token as the client sent it and hash it.
class TokensReader {
public:
    virtual ~TokensReader() = default;
    // None for an unknown token. Expiry is reported, not checked: the caller
    // compares `expires_ts` with its clock (M_UNKNOWN_TOKEN, soft_logout).
    virtual Result<std::optional<AccessTokenInfo>> lookup(std::string_view token) = 0;
};

class Tokens : public TokensReader {
public:
    // Errors: Errc::not_found when the device does not exist (create it
    // first: removing a device removes its tokens), Errc::invalid_param when
    // the token is already stored.
    virtual Result<void> add(std::string_view token, const UserId& user_id,
                             std::string_view device_id, std::int64_t created_ts,
                             std::optional<std::int64_t> expires_ts = {}) = 0;
    // Returns false for an unknown token.
    virtual Result<bool> remove(std::string_view token) = 0;
    virtual Result<std::int64_t> remove_for_device(const UserId& user_id,
                                                   std::string_view device_id) = 0;
    // Every token of the user except `keep` (logout/all keeps none).
    virtual Result<std::int64_t> remove_for_user(const UserId& user_id,
                                                 std::optional<std::string_view> keep = {}) = 0;
};

}  // namespace chat::store
