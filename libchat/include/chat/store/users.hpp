#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// A local account.
struct UserRow {
    UserId user_id;
    std::optional<std::string> password_hash;  // argon2id PHC string; none: no password login
    std::int64_t created_ts = 0;
    bool admin = false;
    bool deactivated = false;
    bool guest = false;
    std::optional<std::string> user_type;  // e.g. "bot", "support"; none for a regular user
    std::optional<std::string> displayname;
    std::optional<std::string> avatar_url;
};

class UsersReader {
public:
    virtual ~UsersReader() = default;
    virtual Result<std::optional<UserRow>> get(const UserId& user_id) = 0;
    // Ordered by user id, strictly after `after` when given (admin listing).
    virtual Result<std::vector<UserRow>> list(const std::optional<UserId>& after,
                                              std::size_t limit) = 0;
    virtual Result<std::int64_t> count() = 0;
};

class Users : public UsersReader {
public:
    // Errors: Errc::user_in_use when the id is taken.
    virtual Result<void> create(const UserRow& user) = 0;
    // Each errors with Errc::not_found for an unknown user.
    virtual Result<void> set_password_hash(const UserId& user_id,
                                           const std::optional<std::string>& hash) = 0;
    virtual Result<void> set_admin(const UserId& user_id, bool admin) = 0;
    virtual Result<void> set_deactivated(const UserId& user_id, bool deactivated) = 0;
    virtual Result<void> set_displayname(const UserId& user_id,
                                         const std::optional<std::string>& displayname) = 0;
    virtual Result<void> set_avatar_url(const UserId& user_id,
                                        const std::optional<std::string>& avatar_url) = 0;
};

}  // namespace chat::store
