#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

Result<nlohmann::json> json_at0(const Query& q) { return q.json(0); }

// Columns: algorithm, key_id, json.
Result<ClaimedKey> read_key(const Query& q) {
    auto key = q.json(2);
    if (!key) return key.error();
    return ClaimedKey{std::string(q.text(0)), std::string(q.text(1)), std::move(*key)};
}

}  // namespace

Result<std::optional<nlohmann::json>> SqliteE2eeKeys::device_keys(const UserId& user_id,
                                                                  std::string_view device_id) {
    return optional_row(conn_.query("SELECT json FROM e2ee_device_keys"
                                    " WHERE user_id = ?1 AND device_id = ?2",
                                    user_id, device_id),
                        json_at0);
}

Result<std::vector<DeviceKeysRow>> SqliteE2eeKeys::all_device_keys(const UserId& user_id) {
    return all_rows(conn_.query("SELECT device_id, json FROM e2ee_device_keys"
                                " WHERE user_id = ?1 ORDER BY device_id",
                                user_id),
                    [&](const Query& q) -> Result<DeviceKeysRow> {
                        auto keys = q.json(1);
                        if (!keys) return keys.error();
                        return DeviceKeysRow{user_id, std::string(q.text(0)), std::move(*keys)};
                    });
}

Result<std::optional<nlohmann::json>> SqliteE2eeKeys::one_time_key(const UserId& user_id,
                                                                   std::string_view device_id,
                                                                   std::string_view algorithm,
                                                                   std::string_view key_id) {
    return optional_row(conn_.query("SELECT json FROM e2ee_one_time_keys WHERE user_id = ?1"
                                    " AND device_id = ?2 AND algorithm = ?3 AND key_id = ?4",
                                    user_id, device_id, algorithm, key_id),
                        json_at0);
}

Result<std::map<std::string, std::int64_t>> SqliteE2eeKeys::one_time_key_counts(
    const UserId& user_id, std::string_view device_id) {
    auto rows = all_rows(conn_.query("SELECT algorithm, count(*) FROM e2ee_one_time_keys"
                                     " WHERE user_id = ?1 AND device_id = ?2 GROUP BY algorithm",
                                     user_id, device_id),
                         [](const Query& q) -> Result<std::pair<std::string, std::int64_t>> {
                             return std::pair{std::string(q.text(0)), q.int64(1)};
                         });
    if (!rows) return rows.error();
    return std::map<std::string, std::int64_t>(rows->begin(), rows->end());
}

Result<std::optional<ClaimedKey>> SqliteE2eeKeys::fallback_key(const UserId& user_id,
                                                               std::string_view device_id,
                                                               std::string_view algorithm) {
    return optional_row(conn_.query("SELECT algorithm, key_id, json FROM e2ee_fallback_keys"
                                    " WHERE user_id = ?1 AND device_id = ?2 AND algorithm = ?3",
                                    user_id, device_id, algorithm),
                        read_key);
}

Result<std::vector<std::string>> SqliteE2eeKeys::unused_fallback_algorithms(
    const UserId& user_id, std::string_view device_id) {
    return all_rows(conn_.query("SELECT algorithm FROM e2ee_fallback_keys WHERE user_id = ?1"
                                " AND device_id = ?2 AND used = 0 ORDER BY algorithm",
                                user_id, device_id),
                    [](const Query& q) -> Result<std::string> { return std::string(q.text(0)); });
}

Result<std::optional<nlohmann::json>> SqliteE2eeKeys::cross_signing_key(const UserId& user_id,
                                                                        std::string_view usage) {
    return optional_row(conn_.query("SELECT json FROM e2ee_cross_signing_keys"
                                    " WHERE user_id = ?1 AND usage = ?2",
                                    user_id, usage),
                        json_at0);
}

Result<std::vector<KeySignatureRow>> SqliteE2eeKeys::signatures_of(
    const UserId& target_user_id, std::string_view target_key_id) {
    return all_rows(
        conn_.query("SELECT signer_user_id, signer_key_id, signature FROM e2ee_signatures"
                    " WHERE target_user_id = ?1 AND target_key_id = ?2"
                    " ORDER BY signer_user_id, signer_key_id",
                    target_user_id, target_key_id),
        [&](const Query& q) -> Result<KeySignatureRow> {
            auto signer = q.id<UserId>(0);
            if (!signer) return signer.error();
            return KeySignatureRow{std::move(*signer), std::string(q.text(1)), target_user_id,
                                   std::string(target_key_id), std::string(q.text(2))};
        });
}

Result<std::vector<UserId>> SqliteE2eeKeys::changed_users(Position from, Position to) {
    return all_rows(conn_.query("SELECT user_id FROM e2ee_device_list_changes"
                                " WHERE position > ?1 AND position <= ?2 ORDER BY user_id",
                                from, to),
                    [](const Query& q) { return q.id<UserId>(0); });
}

Result<std::optional<Position>> SqliteE2eeKeys::last_sent_device_list_update(
    const UserId& user_id) {
    return optional_row(conn_.query("SELECT stream_id FROM e2ee_device_list_outbound"
                                    " WHERE user_id = ?1",
                                    user_id),
                        [](const Query& q) -> Result<Position> { return q.int64(0); });
}

Result<void> SqliteE2eeKeys::put_device_keys(const UserId& user_id, std::string_view device_id,
                                             const nlohmann::json& keys) {
    auto device = optional_row(conn_.query("SELECT 1 FROM devices WHERE user_id = ?1"
                                           " AND device_id = ?2",
                                           user_id, device_id),
                               int64_at0);
    if (!device) return device.error();
    if (!*device) return not_found("Unknown device.");
    auto put = conn_.run("INSERT INTO e2ee_device_keys(user_id, device_id, json)"
                         " VALUES (?1, ?2, ?3)"
                         " ON CONFLICT(user_id, device_id) DO UPDATE SET json = excluded.json",
                         user_id, device_id, keys.dump());
    if (!put) return put.error();
    return ok();
}

Result<bool> SqliteE2eeKeys::add_one_time_key(const UserId& user_id, std::string_view device_id,
                                              const ClaimedKey& key) {
    auto added = conn_.run("INSERT INTO e2ee_one_time_keys(user_id, device_id, algorithm, key_id,"
                           " json) VALUES (?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT(user_id, device_id, algorithm, key_id) DO NOTHING",
                           user_id, device_id, key.algorithm, key.key_id, key.key.dump());
    if (!added) return added.error();
    return *added > 0;
}

Result<std::optional<ClaimedKey>> SqliteE2eeKeys::claim_one_time_key(
    const UserId& user_id, std::string_view device_id, std::string_view algorithm) {
    // One statement finds and deletes the key, inside the single writer's
    // transaction: two claims can never both get it.
    return optional_row(
        conn_.query("DELETE FROM e2ee_one_time_keys WHERE seq = (SELECT seq FROM"
                    " e2ee_one_time_keys WHERE user_id = ?1 AND device_id = ?2"
                    " AND algorithm = ?3 ORDER BY seq LIMIT 1)"
                    " RETURNING algorithm, key_id, json",
                    user_id, device_id, algorithm),
        read_key);
}

Result<void> SqliteE2eeKeys::put_fallback_key(const UserId& user_id, std::string_view device_id,
                                              const ClaimedKey& key) {
    // Re-uploading the same key (a client retry) must not make a used key
    // look unused again.
    auto put = conn_.run(
        "INSERT INTO e2ee_fallback_keys(user_id, device_id, algorithm, key_id, json, used)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT(user_id, device_id, algorithm) DO UPDATE"
        " SET used = CASE WHEN key_id = excluded.key_id AND json = excluded.json THEN used"
        " ELSE 0 END, key_id = excluded.key_id, json = excluded.json",
        user_id, device_id, key.algorithm, key.key_id, key.key.dump());
    if (!put) return put.error();
    return ok();
}

Result<std::optional<ClaimedKey>> SqliteE2eeKeys::claim_fallback_key(
    const UserId& user_id, std::string_view device_id, std::string_view algorithm) {
    return optional_row(conn_.query("UPDATE e2ee_fallback_keys SET used = 1 WHERE user_id = ?1"
                                    " AND device_id = ?2 AND algorithm = ?3"
                                    " RETURNING algorithm, key_id, json",
                                    user_id, device_id, algorithm),
                        read_key);
}

Result<void> SqliteE2eeKeys::put_cross_signing_key(const UserId& user_id, std::string_view usage,
                                                   const nlohmann::json& key) {
    auto put = conn_.run("INSERT INTO e2ee_cross_signing_keys(user_id, usage, json)"
                         " VALUES (?1, ?2, ?3)"
                         " ON CONFLICT(user_id, usage) DO UPDATE SET json = excluded.json",
                         user_id, usage, key.dump());
    if (!put) return put.error();
    return ok();
}

Result<void> SqliteE2eeKeys::put_signature(const KeySignatureRow& row) {
    auto put = conn_.run(
        "INSERT INTO e2ee_signatures(signer_user_id, signer_key_id, target_user_id,"
        " target_key_id, signature) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(target_user_id, target_key_id, signer_user_id, signer_key_id)"
        " DO UPDATE SET signature = excluded.signature",
        row.signer_user_id, row.signer_key_id, row.target_user_id, row.target_key_id,
        row.signature);
    if (!put) return put.error();
    return ok();
}

Result<void> SqliteE2eeKeys::mark_changed(const UserId& user_id, Position position) {
    auto put = conn_.run("INSERT INTO e2ee_device_list_changes(user_id, position)"
                         " VALUES (?1, ?2)"
                         " ON CONFLICT(user_id) DO UPDATE SET position = excluded.position",
                         user_id, position);
    if (!put) return put.error();
    return ok();
}

Result<void> SqliteE2eeKeys::put_sent_device_list_update(const UserId& user_id,
                                                         Position stream_id) {
    auto put = conn_.run("INSERT INTO e2ee_device_list_outbound(user_id, stream_id)"
                         " VALUES (?1, ?2)"
                         " ON CONFLICT(user_id) DO UPDATE SET stream_id = excluded.stream_id",
                         user_id, stream_id);
    if (!put) return put.error();
    return ok();
}

}  // namespace chat::store::sqlite
