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

Result<std::optional<TxnIdRecord>> SqliteTxnIds::for_event(const EventId& event_id) {
    // One event has at most one record: put() stores the event id it was
    // built for, and a retry returns that first id without a new row.
    return optional_row(
        conn_.query("SELECT user_id, device_id, txn_id, event_id FROM client_txn_ids"
                    " WHERE event_id = ?1 LIMIT 1",
                    event_id),
        [](const Query& q) -> Result<TxnIdRecord> {
            auto user = q.id<UserId>(0);
            if (!user) return user.error();
            auto event = q.id<EventId>(3);
            if (!event) return event.error();
            return TxnIdRecord{std::move(*user), std::string(q.text(1)), std::string(q.text(2)),
                               std::move(*event)};
        });
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
