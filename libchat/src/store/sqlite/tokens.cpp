#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<AccessTokenInfo>> SqliteTokens::lookup(std::string_view token) {
    return optional_row(
        conn_.query("SELECT t.user_id, t.device_id, t.created_ts, t.expires_ts, u.admin,"
                    " u.guest, u.deactivated FROM access_tokens AS t"
                    " JOIN users AS u ON u.user_id = t.user_id WHERE t.token_hash = ?1",
                    Blob{hash_access_token(token)}),
        [](const Query& q) -> Result<AccessTokenInfo> {
            auto user_id = q.id<UserId>(0);
            if (!user_id) return user_id.error();
            return AccessTokenInfo{.user_id = std::move(*user_id),
                                   .device_id = std::string(q.text(1)),
                                   .created_ts = q.int64(2),
                                   .expires_ts = q.opt_int64(3),
                                   .admin = q.boolean(4),
                                   .guest = q.boolean(5),
                                   .deactivated = q.boolean(6)};
        });
}

Result<void> SqliteTokens::add(std::string_view token, const UserId& user_id,
                               std::string_view device_id, std::int64_t created_ts,
                               std::optional<std::int64_t> expires_ts) {
    auto device = optional_row(
        conn_.query("SELECT 1 FROM devices WHERE user_id = ?1 AND device_id = ?2", user_id,
                    device_id),
        int64_at0);
    if (!device) return device.error();
    if (!*device) return not_found("Unknown device.");
    auto added = conn_.run(
        "INSERT INTO access_tokens(token_hash, user_id, device_id, created_ts, expires_ts)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(token_hash) DO NOTHING",
        Blob{hash_access_token(token)}, user_id, device_id, created_ts, expires_ts);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::invalid_param, "Access token already exists.");
    return ok();
}

Result<bool> SqliteTokens::remove(std::string_view token) {
    auto removed = conn_.run("DELETE FROM access_tokens WHERE token_hash = ?1",
                             Blob{hash_access_token(token)});
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<std::int64_t> SqliteTokens::remove_for_device(const UserId& user_id,
                                                     std::string_view device_id) {
    return conn_.run("DELETE FROM access_tokens WHERE user_id = ?1 AND device_id = ?2", user_id,
                     device_id);
}

Result<std::int64_t> SqliteTokens::remove_for_user(const UserId& user_id,
                                                   std::optional<std::string_view> keep) {
    std::optional<std::string> keep_hash;
    if (keep) keep_hash = hash_access_token(*keep);
    return conn_.run("DELETE FROM access_tokens WHERE user_id = ?1 AND token_hash IS NOT ?2",
                     user_id, keep_hash ? std::optional<Blob>(Blob{*keep_hash}) : std::nullopt);
}

}  // namespace chat::store::sqlite
