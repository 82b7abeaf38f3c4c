#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<UserRow> read_user_row(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    return UserRow{.user_id = std::move(*user_id),
                   .password_hash = q.opt_text(1),
                   .created_ts = q.int64(2),
                   .admin = q.boolean(3),
                   .deactivated = q.boolean(4),
                   .guest = q.boolean(5),
                   .user_type = q.opt_text(6),
                   .displayname = q.opt_text(7),
                   .avatar_url = q.opt_text(8)};
}

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

Result<void> updated_one(Result<std::int64_t> changed) {
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown user.");
    return ok();
}

}  // namespace

Result<std::optional<UserRow>> SqliteUsers::get(const UserId& user_id) {
    return optional_row(conn_.query("SELECT user_id, password_hash, created_ts, admin,"
                                    " deactivated, guest, user_type, displayname, avatar_url"
                                    " FROM users WHERE user_id = ?1",
                                    user_id),
                        read_user_row);
}

Result<std::vector<UserRow>> SqliteUsers::list(const std::optional<UserId>& after,
                                               std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT user_id, password_hash, created_ts, admin,"
                                " deactivated, guest, user_type, displayname, avatar_url"
                                " FROM users WHERE user_id > ?1 ORDER BY user_id LIMIT ?2",
                                after ? after->str() : std::string_view(), n),
                    read_user_row);
}

Result<std::int64_t> SqliteUsers::count() {
    auto n = optional_row(conn_.query("SELECT COUNT(*) FROM users"), int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<void> SqliteUsers::create(const UserRow& user) {
    auto added = conn_.run(
        "INSERT INTO users(user_id, password_hash, created_ts, admin, deactivated, guest,"
        " user_type, displayname, avatar_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT(user_id) DO NOTHING",
        user.user_id, user.password_hash, user.created_ts, user.admin, user.deactivated,
        user.guest, user.user_type, user.displayname, user.avatar_url);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::user_in_use, "User ID already taken.");
    return directory_set_local(conn_, user.user_id);
}

Result<void> SqliteUsers::set_password_hash(const UserId& user_id,
                                            const std::optional<std::string>& hash) {
    return updated_one(
        conn_.run("UPDATE users SET password_hash = ?2 WHERE user_id = ?1", user_id, hash));
}

Result<void> SqliteUsers::set_admin(const UserId& user_id, bool admin) {
    return updated_one(conn_.run("UPDATE users SET admin = ?2 WHERE user_id = ?1", user_id, admin));
}

Result<void> SqliteUsers::set_deactivated(const UserId& user_id, bool deactivated) {
    return updated_one(conn_.run("UPDATE users SET deactivated = ?2 WHERE user_id = ?1", user_id,
                                 deactivated));
}

Result<void> SqliteUsers::set_displayname(const UserId& user_id,
                                          const std::optional<std::string>& displayname) {
    auto updated = updated_one(
        conn_.run("UPDATE users SET displayname = ?2 WHERE user_id = ?1", user_id, displayname));
    if (!updated) return updated;
    return directory_set_local(conn_, user_id);
}

Result<void> SqliteUsers::set_avatar_url(const UserId& user_id,
                                         const std::optional<std::string>& avatar_url) {
    auto updated = updated_one(
        conn_.run("UPDATE users SET avatar_url = ?2 WHERE user_id = ?1", user_id, avatar_url));
    if (!updated) return updated;
    return directory_set_local(conn_, user_id);
}

}  // namespace chat::store::sqlite
