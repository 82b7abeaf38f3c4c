#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Columns: user_id, device_id, display_name, created_ts, last_seen_ts,
// last_seen_ip, last_seen_user_agent.
Result<DeviceRow> read_device(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    return DeviceRow{.user_id = std::move(*user_id),
                     .device_id = std::string(q.text(1)),
                     .display_name = q.opt_text(2),
                     .created_ts = q.int64(3),
                     .last_seen_ts = q.opt_int64(4),
                     .last_seen_ip = q.opt_text(5),
                     .last_seen_user_agent = q.opt_text(6)};
}

Result<void> updated_one(Result<std::int64_t> changed) {
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown device.");
    return ok();
}

}  // namespace

Result<std::optional<DeviceRow>> SqliteDevices::get(const UserId& user_id,
                                                    std::string_view device_id) {
    return optional_row(conn_.query("SELECT user_id, device_id, display_name, created_ts,"
                                    " last_seen_ts, last_seen_ip, last_seen_user_agent"
                                    " FROM devices WHERE user_id = ?1 AND device_id = ?2",
                                    user_id, device_id),
                        read_device);
}

Result<std::vector<DeviceRow>> SqliteDevices::list(const UserId& user_id) {
    return all_rows(conn_.query("SELECT user_id, device_id, display_name, created_ts,"
                                " last_seen_ts, last_seen_ip, last_seen_user_agent"
                                " FROM devices WHERE user_id = ?1 ORDER BY device_id",
                                user_id),
                    read_device);
}

Result<bool> SqliteDevices::create(const DeviceRow& device) {
    auto user = optional_row(
        conn_.query("SELECT 1 FROM users WHERE user_id = ?1", device.user_id), int64_at0);
    if (!user) return user.error();
    if (!*user) return not_found("Unknown user.");
    auto added = conn_.run(
        "INSERT INTO devices(user_id, device_id, display_name, created_ts, last_seen_ts,"
        " last_seen_ip, last_seen_user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(user_id, device_id) DO NOTHING",
        device.user_id, device.device_id, device.display_name, device.created_ts,
        device.last_seen_ts, device.last_seen_ip, device.last_seen_user_agent);
    if (!added) return added.error();
    return *added > 0;
}

Result<void> SqliteDevices::set_display_name(const UserId& user_id, std::string_view device_id,
                                             const std::optional<std::string>& display_name) {
    return updated_one(conn_.run(
        "UPDATE devices SET display_name = ?3 WHERE user_id = ?1 AND device_id = ?2", user_id,
        device_id, display_name));
}

Result<void> SqliteDevices::touch(const UserId& user_id, std::string_view device_id,
                                  std::int64_t ts, std::string_view ip,
                                  std::string_view user_agent) {
    return updated_one(conn_.run("UPDATE devices SET last_seen_ts = ?3, last_seen_ip = ?4,"
                                 " last_seen_user_agent = ?5"
                                 " WHERE user_id = ?1 AND device_id = ?2",
                                 user_id, device_id, ts, ip, user_agent));
}

Result<bool> SqliteDevices::remove(const UserId& user_id, std::string_view device_id) {
    // Its access tokens go with it (ON DELETE CASCADE).
    auto removed = conn_.run("DELETE FROM devices WHERE user_id = ?1 AND device_id = ?2",
                             user_id, device_id);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<std::int64_t> SqliteDevices::remove_all(const UserId& user_id,
                                               const std::optional<std::string>& keep) {
    return conn_.run("DELETE FROM devices WHERE user_id = ?1 AND device_id IS NOT ?2", user_id,
                     keep);
}

}  // namespace chat::store::sqlite
