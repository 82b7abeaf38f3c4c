#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::vector<ToDeviceRow>> SqliteToDevice::pending(const UserId& user_id,
                                                         std::string_view device_id,
                                                         Position after, Position up_to,
                                                         std::size_t limit) {
    return all_rows(
        conn_.query("SELECT position, sender, type, content FROM e2ee_to_device"
                    " WHERE user_id = ?1 AND device_id = ?2 AND position > ?3 AND position <= ?4"
                    " ORDER BY position LIMIT ?5",
                    user_id, device_id, after, up_to, static_cast<std::int64_t>(limit)),
        [&](const Query& q) -> Result<ToDeviceRow> {
            auto sender = q.id<UserId>(1);
            if (!sender) return sender.error();
            auto content = q.json(3);
            if (!content) return content.error();
            return ToDeviceRow{q.int64(0),         user_id,
                               std::string(device_id), std::move(*sender),
                               std::string(q.text(2)), std::move(*content)};
        });
}

Result<void> SqliteToDevice::add(const ToDeviceRow& row) {
    auto device = optional_row(conn_.query("SELECT 1 FROM devices WHERE user_id = ?1"
                                           " AND device_id = ?2",
                                           row.user_id, row.device_id),
                               int64_at0);
    if (!device) return device.error();
    if (!*device) return not_found("Unknown device.");
    auto added = conn_.run("INSERT INTO e2ee_to_device(position, user_id, device_id, sender, type,"
                           " content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           row.position, row.user_id, row.device_id, row.sender, row.type,
                           row.content.dump());
    if (!added) return added.error();
    return ok();
}

Result<std::int64_t> SqliteToDevice::remove_through(const UserId& user_id,
                                                    std::string_view device_id,
                                                    Position through) {
    return conn_.run("DELETE FROM e2ee_to_device"
                     " WHERE user_id = ?1 AND device_id = ?2 AND position <= ?3",
                     user_id, device_id, through);
}

Result<bool> SqliteToDevice::record_txn(const UserId& user_id, std::string_view device_id,
                                        std::string_view txn_id, std::int64_t now_ts) {
    auto added = conn_.run("INSERT INTO e2ee_to_device_txns(user_id, device_id, txn_id,"
                           " created_ts) VALUES (?1, ?2, ?3, ?4)"
                           " ON CONFLICT(user_id, device_id, txn_id) DO NOTHING",
                           user_id, device_id, txn_id, now_ts);
    if (!added) return added.error();
    return *added > 0;
}

}  // namespace chat::store::sqlite
