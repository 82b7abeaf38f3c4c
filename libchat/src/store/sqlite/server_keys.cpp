#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Statements are cached by their text's address: literals only.
#define CHAT_SERVER_KEY_COLUMNS \
    "server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts, key_json"

Result<ServerKeyRow> read_server_key(const Query& q) {
    return ServerKeyRow{.server_name = std::string(q.text(0)),
                        .key_id = std::string(q.text(1)),
                        .public_key = std::string(q.text(2)),
                        .valid_until_ts = q.int64(3),
                        .expired_ts = q.opt_int64(4),
                        .fetched_ts = q.int64(5),
                        .key_json = std::string(q.text(6))};
}

}  // namespace

Result<std::optional<ServerKeyRow>> SqliteServerKeys::get(std::string_view server_name,
                                                          std::string_view key_id) {
    return optional_row(conn_.query("SELECT " CHAT_SERVER_KEY_COLUMNS
                                    " FROM server_keys WHERE server_name = ?1 AND key_id = ?2",
                                    server_name, key_id),
                        read_server_key);
}

Result<std::vector<ServerKeyRow>> SqliteServerKeys::for_server(std::string_view server_name) {
    return all_rows(conn_.query("SELECT " CHAT_SERVER_KEY_COLUMNS
                                " FROM server_keys WHERE server_name = ?1 ORDER BY key_id",
                                server_name),
                    read_server_key);
}

Result<void> SqliteServerKeys::put(const ServerKeyRow& row) {
    auto put = conn_.run(
        "INSERT OR REPLACE INTO server_keys(" CHAT_SERVER_KEY_COLUMNS
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        row.server_name, row.key_id, row.public_key, row.valid_until_ts, row.expired_ts,
        row.fetched_ts, row.key_json);
    if (!put) return put.error();
    return ok();
}

}  // namespace chat::store::sqlite
