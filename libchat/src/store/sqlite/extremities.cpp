#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::vector<EventId>> SqliteExtremities::get(const RoomId& room_id) {
    return all_rows(
        conn_.query("SELECT event_id FROM forward_extremities WHERE room_id = ?1", room_id),
        event_id_at0);
}

Result<void> SqliteExtremities::add_event(const RoomId& room_id, const EventId& event_id,
                                          std::span<const EventId> prev_events) {
    for (const auto& prev : prev_events) {
        auto removed = conn_.run(
            "DELETE FROM forward_extremities WHERE room_id = ?1 AND event_id = ?2", room_id, prev);
        if (!removed) return removed.error();
    }
    // An event that arrived after one citing it is not at the edge of the DAG.
    auto added = conn_.run(
        "INSERT OR IGNORE INTO forward_extremities(room_id, event_id)"
        " SELECT ?1, ?2 WHERE NOT EXISTS"
        " (SELECT 1 FROM event_children WHERE prev_event_id = ?2)",
        room_id, event_id);
    if (!added) return added.error();
    return ok();
}

Result<bool> SqliteExtremities::advance(const RoomId& room_id, const EventId& prev,
                                        const EventId& event_id) {
    auto changed = conn_.run(
        "UPDATE forward_extremities SET event_id = ?3 WHERE room_id = ?1 AND event_id = ?2",
        room_id, prev, event_id);
    if (!changed) return changed.error();
    return *changed == 1;
}

Result<void> SqliteExtremities::replace(const RoomId& room_id,
                                        std::span<const EventId> event_ids) {
    auto cleared = conn_.run("DELETE FROM forward_extremities WHERE room_id = ?1", room_id);
    if (!cleared) return cleared.error();
    for (const auto& event_id : event_ids) {
        auto added = conn_.run(
            "INSERT OR IGNORE INTO forward_extremities(room_id, event_id) VALUES (?1, ?2)",
            room_id, event_id);
        if (!added) return added.error();
    }
    return ok();
}

}  // namespace chat::store::sqlite
