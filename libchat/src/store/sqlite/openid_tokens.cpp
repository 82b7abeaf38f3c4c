#include "store/sqlite/areas.hpp"

#include <utility>

#include <chat/store/tokens.hpp>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<UserId>> SqliteOpenIdTokens::lookup(std::string_view token,
                                                         std::int64_t now_ts) {
    return optional_row(conn_.query("SELECT user_id FROM openid_tokens"
                                    " WHERE token_hash = ?1 AND expires_ts > ?2",
                                    Blob{hash_access_token(token)}, now_ts),
                        [](const Query& q) { return q.id<UserId>(0); });
}

Result<void> SqliteOpenIdTokens::add(std::string_view token, const UserId& user_id,
                                     std::int64_t expires_ts) {
    auto added = conn_.run("INSERT INTO openid_tokens(token_hash, user_id, expires_ts)"
                           " VALUES (?1, ?2, ?3) ON CONFLICT(token_hash) DO NOTHING",
                           Blob{hash_access_token(token)}, user_id, expires_ts);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::invalid_param, "Token already stored.");
    return ok();
}

Result<std::int64_t> SqliteOpenIdTokens::purge_expired(std::int64_t now_ts) {
    return conn_.run("DELETE FROM openid_tokens WHERE expires_ts <= ?1", now_ts);
}

}  // namespace chat::store::sqlite
