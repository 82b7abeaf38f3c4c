#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<EventId>> SqliteTxnIds::get(const UserId& user_id,
                                                 std::string_view device_id,
                                                 std::string_view txn_id) {
    return optional_row(conn_.query("SELECT event_id FROM client_txn_ids"
                                    " WHERE user_id = ?1 AND device_id = ?2 AND txn_id = ?3",
                                    user_id, device_id, txn_id),
                        event_id_at0);
}

Result<EventId> SqliteTxnIds::put(const UserId& user_id, std::string_view device_id,
                                  std::string_view txn_id, const EventId& event_id,
                                  std::int64_t now_ts) {
    auto added = conn_.run("INSERT INTO client_txn_ids(user_id, device_id, txn_id, event_id,"
                           " created_ts) VALUES (?1, ?2, ?3, ?4, ?5)"
                           " ON CONFLICT(user_id, device_id, txn_id) DO NOTHING",
                           user_id, device_id, txn_id, event_id, now_ts);
    if (!added) return added.error();
    if (*added > 0) return event_id;
    auto first = get(user_id, device_id, txn_id);
    if (!first) return first.error();
    if (!*first) return make_error(Errc::internal, "transaction id vanished");
    return std::move(**first);
}

Result<std::int64_t> SqliteTxnIds::purge_before(std::int64_t before_ts) {
    return conn_.run("DELETE FROM client_txn_ids WHERE created_ts < ?1", before_ts);
}

}  // namespace chat::store::sqlite
