#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Columns: version, algorithm, auth_data, etag, count, deleted.
Result<BackupVersionRow> read_version(const Query& q) {
    auto auth_data = q.json(2);
    if (!auth_data) return auth_data.error();
    return BackupVersionRow{.version = q.int64(0),
                            .algorithm = std::string(q.text(1)),
                            .auth_data = std::move(*auth_data),
                            .etag = q.int64(3),
                            .count = q.int64(4),
                            .deleted = q.boolean(5)};
}

}  // namespace

Result<std::optional<BackupVersionRow>> SqliteKeyBackup::version(
    const UserId& user_id, std::optional<std::int64_t> version) {
    if (version) {
        return optional_row(
            conn_.query("SELECT v.version, v.algorithm, v.auth_data, v.etag,"
                        " (SELECT count(*) FROM e2ee_backup_keys k WHERE k.user_id = v.user_id"
                        " AND k.version = v.version), v.deleted"
                        " FROM e2ee_backup_versions v WHERE v.user_id = ?1 AND v.version = ?2",
                        user_id, *version),
            read_version);
    }
    return optional_row(
        conn_.query("SELECT v.version, v.algorithm, v.auth_data, v.etag,"
                    " (SELECT count(*) FROM e2ee_backup_keys k WHERE k.user_id = v.user_id"
                    " AND k.version = v.version), v.deleted"
                    " FROM e2ee_backup_versions v WHERE v.user_id = ?1 AND v.deleted = 0"
                    " ORDER BY v.version DESC LIMIT 1",
                    user_id),
        read_version);
}

Result<std::vector<BackupKeyRow>> SqliteKeyBackup::keys(
    const UserId& user_id, std::int64_t version, const std::optional<std::string>& room_id,
    const std::optional<std::string>& session_id) {
    // NULL parameters match everything: one statement for the three scopes.
    return all_rows(
        conn_.query("SELECT room_id, session_id, json FROM e2ee_backup_keys"
                    " WHERE user_id = ?1 AND version = ?2 AND (?3 IS NULL OR room_id = ?3)"
                    " AND (?4 IS NULL OR session_id = ?4) ORDER BY room_id, session_id",
                    user_id, version, room_id, session_id),
        [](const Query& q) -> Result<BackupKeyRow> {
            auto data = q.json(2);
            if (!data) return data.error();
            return BackupKeyRow{std::string(q.text(0)), std::string(q.text(1)), std::move(*data)};
        });
}

Result<std::int64_t> SqliteKeyBackup::create_version(const UserId& user_id,
                                                     std::string_view algorithm,
                                                     const nlohmann::json& auth_data) {
    // Deleted versions keep their number, so a new version never reuses one.
    auto created = optional_row(
        conn_.query("INSERT INTO e2ee_backup_versions(user_id, version, algorithm, auth_data)"
                    " SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3"
                    " FROM e2ee_backup_versions WHERE user_id = ?1 RETURNING version",
                    user_id, algorithm, auth_data.dump()),
        int64_at0);
    if (!created) return created.error();
    if (!*created) return make_error(Errc::internal, "backup version not returned");
    return **created;
}

Result<void> SqliteKeyBackup::set_auth_data(const UserId& user_id, std::int64_t version,
                                            const nlohmann::json& auth_data) {
    auto changed = conn_.run("UPDATE e2ee_backup_versions SET auth_data = ?3"
                             " WHERE user_id = ?1 AND version = ?2 AND deleted = 0",
                             user_id, version, auth_data.dump());
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown backup version.");
    return ok();
}

Result<bool> SqliteKeyBackup::delete_version(const UserId& user_id, std::int64_t version) {
    auto changed = conn_.run("UPDATE e2ee_backup_versions SET deleted = 1"
                             " WHERE user_id = ?1 AND version = ?2",
                             user_id, version);
    if (!changed) return changed.error();
    if (*changed == 0) return false;
    auto dropped = conn_.run("DELETE FROM e2ee_backup_keys WHERE user_id = ?1 AND version = ?2",
                             user_id, version);
    if (!dropped) return dropped.error();
    return true;
}

Result<void> SqliteKeyBackup::put_key(const UserId& user_id, std::int64_t version,
                                      const BackupKeyRow& row) {
    auto put = conn_.run("INSERT INTO e2ee_backup_keys(user_id, version, room_id, session_id,"
                         " json) VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT(user_id, version, room_id, session_id)"
                         " DO UPDATE SET json = excluded.json",
                         user_id, version, row.room_id, row.session_id, row.data.dump());
    if (!put) return put.error();
    return ok();
}

Result<std::int64_t> SqliteKeyBackup::delete_keys(const UserId& user_id, std::int64_t version,
                                                  const std::optional<std::string>& room_id,
                                                  const std::optional<std::string>& session_id) {
    return conn_.run("DELETE FROM e2ee_backup_keys WHERE user_id = ?1 AND version = ?2"
                     " AND (?3 IS NULL OR room_id = ?3) AND (?4 IS NULL OR session_id = ?4)",
                     user_id, version, room_id, session_id);
}

Result<void> SqliteKeyBackup::bump_etag(const UserId& user_id, std::int64_t version) {
    auto changed = conn_.run("UPDATE e2ee_backup_versions SET etag = etag + 1"
                             " WHERE user_id = ?1 AND version = ?2",
                             user_id, version);
    if (!changed) return changed.error();
    return ok();
}

}  // namespace chat::store::sqlite
