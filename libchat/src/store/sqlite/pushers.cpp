#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// Columns as every SELECT below lists them.
Result<PusherRow> read_pusher(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    auto data = q.json(8);
    if (!data) return data.error();
    return PusherRow{.user_id = std::move(*user_id),
                     .app_id = std::string(q.text(1)),
                     .pushkey = std::string(q.text(2)),
                     .kind = std::string(q.text(3)),
                     .app_display_name = std::string(q.text(4)),
                     .device_display_name = std::string(q.text(5)),
                     .profile_tag = q.opt_text(6),
                     .lang = std::string(q.text(7)),
                     .data = std::move(*data),
                     .pushkey_ts = q.int64(9),
                     .delivered_up_to = q.int64(10)};
}

}  // namespace

Result<std::vector<PusherRow>> SqlitePushers::for_user(const UserId& user_id) {
    return all_rows(conn_.query("SELECT user_id, app_id, pushkey, kind, app_display_name,"
                                " device_display_name, profile_tag, lang, data, pushkey_ts,"
                                " delivered_up_to FROM pushers WHERE user_id = ?1"
                                " ORDER BY app_id, pushkey",
                                user_id),
                    read_pusher);
}

Result<std::vector<PusherRow>> SqlitePushers::all() {
    return all_rows(conn_.query("SELECT user_id, app_id, pushkey, kind, app_display_name,"
                                " device_display_name, profile_tag, lang, data, pushkey_ts,"
                                " delivered_up_to FROM pushers ORDER BY user_id, app_id, pushkey"),
                    read_pusher);
}

Result<void> SqlitePushers::put(const PusherRow& row) {
    auto written = conn_.run(
        "INSERT OR REPLACE INTO pushers(user_id, app_id, pushkey, kind, app_display_name,"
        " device_display_name, profile_tag, lang, data, pushkey_ts, delivered_up_to)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        row.user_id, row.app_id, row.pushkey, row.kind, row.app_display_name,
        row.device_display_name, row.profile_tag, row.lang, row.data.dump(), row.pushkey_ts,
        row.delivered_up_to);
    if (!written) return written.error();
    return ok();
}

Result<bool> SqlitePushers::remove(const UserId& user_id, std::string_view app_id,
                                   std::string_view pushkey) {
    auto removed =
        conn_.run("DELETE FROM pushers WHERE app_id = ?1 AND pushkey = ?2 AND user_id = ?3",
                  app_id, pushkey, user_id);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<std::int64_t> SqlitePushers::remove_for_other_users(std::string_view app_id,
                                                           std::string_view pushkey,
                                                           const UserId& keep) {
    return conn_.run("DELETE FROM pushers WHERE app_id = ?1 AND pushkey = ?2 AND user_id != ?3",
                     app_id, pushkey, keep);
}

Result<bool> SqlitePushers::set_delivered(const UserId& user_id, std::string_view app_id,
                                          std::string_view pushkey, Position position) {
    auto found = conn_.query(
        "SELECT 1 FROM pushers WHERE app_id = ?1 AND pushkey = ?2 AND user_id = ?3", app_id,
        pushkey, user_id);
    if (!found) return found.error();
    auto row = found->step();
    if (!row) return row.error();
    if (!*row) return false;
    auto moved = conn_.run(
        "UPDATE pushers SET delivered_up_to = max(delivered_up_to, ?4)"
        " WHERE app_id = ?1 AND pushkey = ?2 AND user_id = ?3",
        app_id, pushkey, user_id, position);
    if (!moved) return moved.error();
    return true;
}

}  // namespace chat::store::sqlite
