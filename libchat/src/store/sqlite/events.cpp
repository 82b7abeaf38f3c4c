#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// The columns every event query selects, in the order read_event() reads them.
//  0 stream_ordering, 1 event_id, 2 room_id, 3 room_version, 4 type, 5 state_key,
//  6 sender, 7 depth, 8 origin_server_ts, 9 received_ts, 10 json, 11 outlier,
// 12 soft_failed, 13 rejected_reason, 14 redacted_by, 15 state_group_before,
// 16 state_group_after
Result<StoredEvent> read_event(const Query& q) {
    auto event_id = q.id<EventId>(1);
    if (!event_id) return event_id.error();
    auto room_id = q.id<RoomId>(2);
    if (!room_id) return room_id.error();
    auto sender = q.id<UserId>(6);
    if (!sender) return sender.error();
    auto redacted_by = q.opt_id<EventId>(14);
    if (!redacted_by) return redacted_by.error();
    auto json = q.json(10);
    if (!json) return json.error();
    return StoredEvent{
        .event_id = std::move(*event_id),
        .room_id = std::move(*room_id),
        .room_version = std::string(q.text(3)),
        .type = std::string(q.text(4)),
        .state_key = q.opt_text(5),
        .sender = std::move(*sender),
        .depth = q.int64(7),
        .origin_server_ts = q.int64(8),
        .received_ts = q.int64(9),
        .stream_ordering = q.int64(0),
        .outlier = q.boolean(11),
        .soft_failed = q.boolean(12),
        .rejected_reason = q.opt_text(13),
        .redacted_by = std::move(*redacted_by),
        .state_group_before = q.opt_int64(15),
        .state_group_after = q.opt_int64(16),
        .json = std::move(*json),
    };
}

constexpr std::string_view kGetEvent =
    "SELECT stream_ordering, event_id, room_id, room_version, type, state_key, sender, depth,"
    " origin_server_ts, received_ts, json, outlier, soft_failed, rejected_reason, redacted_by,"
    " state_group_before, state_group_after"
    " FROM events WHERE event_id = ?1";

constexpr std::string_view kGetEvents =
    "SELECT stream_ordering, event_id, room_id, room_version, type, state_key, sender, depth,"
    " origin_server_ts, received_ts, json, outlier, soft_failed, rejected_reason, redacted_by,"
    " state_group_before, state_group_after"
    " FROM events WHERE event_id IN (SELECT value FROM json_each(?1))";

constexpr std::string_view kRoomEventsForward =
    "SELECT stream_ordering, event_id, room_id, room_version, type, state_key, sender, depth,"
    " origin_server_ts, received_ts, json, outlier, soft_failed, rejected_reason, redacted_by,"
    " state_group_before, state_group_after"
    " FROM events WHERE room_id = ?1 AND stream_ordering > ?2 AND stream_ordering <= ?3"
    " AND (?4 = 0 OR (outlier = 0 AND soft_failed = 0 AND rejected_reason IS NULL))"
    " ORDER BY stream_ordering ASC LIMIT ?5";

constexpr std::string_view kRoomEventsBackward =
    "SELECT stream_ordering, event_id, room_id, room_version, type, state_key, sender, depth,"
    " origin_server_ts, received_ts, json, outlier, soft_failed, rejected_reason, redacted_by,"
    " state_group_before, state_group_after"
    " FROM events WHERE room_id = ?1 AND stream_ordering > ?2 AND stream_ordering <= ?3"
    " AND (?4 = 0 OR (outlier = 0 AND soft_failed = 0 AND rejected_reason IS NULL))"
    " ORDER BY stream_ordering DESC LIMIT ?5";

// Up to this many ids, get_many() looks each one up by itself.
constexpr std::size_t kFewIds = 8;

std::int64_t sql_limit(std::size_t limit) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

Result<std::optional<StoredEvent>> SqliteEvents::get(const EventId& event_id) {
    return optional_row(conn_.query(kGetEvent, event_id), read_event);
}

Result<std::vector<StoredEvent>> SqliteEvents::get_many(std::span<const EventId> ids) {
    if (ids.size() <= kFewIds) {
        // A few point lookups beat json_each, whose IN list SQLite builds as a
        // temporary b-tree on every call (the room service asks for 1-5 ids).
        std::vector<StoredEvent> found;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) !=
                ids.begin() + static_cast<std::ptrdiff_t>(i))
                continue;
            auto row = get(ids[i]);
            if (!row) return row.error();
            if (*row) found.push_back(std::move(**row));
        }
        return found;
    }
    auto rows = all_rows(conn_.query(kGetEvents, json_id_list(ids)), read_event);
    if (!rows) return rows.error();
    // Back in the order asked, each once.
    std::map<EventId, StoredEvent*> by_id;
    for (auto& row : *rows) by_id.emplace(row.event_id, &row);
    std::vector<StoredEvent> ordered;
    ordered.reserve(rows->size());
    for (const auto& id : ids) {
        auto it = by_id.find(id);
        if (it == by_id.end() || it->second == nullptr) continue;
        ordered.push_back(std::move(*it->second));
        it->second = nullptr;
    }
    return ordered;
}

Result<LoadedEvent> SqliteEvents::read_loaded(const Query& q) {
    const std::string_view id_text = q.text(1);
    const bool redacted = q.opt_text(14).has_value();
    const std::string_view json_text = q.text(10);
    PduPtr pdu = cache_.find(id_text, redacted, json_text.size());
    if (!pdu) {
        auto row = read_event(q);
        if (!row) return row.error();
        auto parsed = row->to_pdu();
        if (!parsed) return parsed.error();
        pdu = std::move(*parsed);
        cache_.put(id_text, redacted, json_text.size(), pdu);
    }
    return LoadedEvent{.pdu = std::move(pdu),
                       .stream_ordering = q.int64(0),
                       .outlier = q.boolean(11),
                       .soft_failed = q.boolean(12),
                       .rejected_reason = q.opt_text(13),
                       .redacted = redacted,
                       .state_group_before = q.opt_int64(15),
                       .state_group_after = q.opt_int64(16)};
}

Result<std::vector<LoadedEvent>> SqliteEvents::get_pdus(std::span<const EventId> ids) {
    const auto read = [this](const Query& q) { return read_loaded(q); };
    std::vector<LoadedEvent> found;
    if (ids.size() <= kFewIds) {
        // Point lookups, as get_many() does for a few ids.
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) !=
                ids.begin() + static_cast<std::ptrdiff_t>(i))
                continue;
            auto row = optional_row(conn_.query(kGetEvent, ids[i]), read);
            if (!row) return row.error();
            if (*row) found.push_back(std::move(**row));
        }
        return found;
    }
    auto rows = all_rows(conn_.query(kGetEvents, json_id_list(ids)), read);
    if (!rows) return rows.error();
    // Back in the order asked, each once.
    std::map<std::string_view, LoadedEvent*> by_id;
    for (auto& row : *rows) by_id.emplace(row.pdu->event_id().str(), &row);
    found.reserve(rows->size());
    for (const auto& id : ids) {
        auto it = by_id.find(id.str());
        if (it == by_id.end() || it->second == nullptr) continue;
        found.push_back(std::move(*it->second));
        it->second = nullptr;
    }
    return found;
}

Result<Position> SqliteEvents::ordering_of(const EventId& event_id) {
    auto ordering = optional_row(
        conn_.query("SELECT stream_ordering FROM events WHERE event_id = ?1", event_id),
        int64_at0);
    if (!ordering) return ordering.error();
    if (!*ordering) return not_found("Unknown event.");
    return **ordering;
}

Result<std::vector<EventId>> SqliteEvents::filter_known(std::span<const EventId> ids) {
    auto known = all_rows(conn_.query("SELECT event_id FROM events"
                                      " WHERE event_id IN (SELECT value FROM json_each(?1))",
                                      json_id_list(ids)),
                          event_id_at0);
    if (!known) return known.error();
    std::set<EventId> have(known->begin(), known->end());
    std::vector<EventId> result;
    for (const auto& id : ids)
        if (have.erase(id) > 0) result.push_back(id);
    return result;
}

Result<std::vector<StoredEvent>> SqliteEvents::room_events(const RoomEventsQuery& query) {
    const auto sql =
        query.direction == Direction::forward ? kRoomEventsForward : kRoomEventsBackward;
    return all_rows(conn_.query(sql, query.room_id, query.from, query.to, query.timeline_only,
                                sql_limit(query.limit)),
                    read_event);
}

Result<std::vector<StoredEvent>> SqliteEvents::latest(const RoomId& room_id, std::size_t limit) {
    return room_events(RoomEventsQuery{.room_id = room_id,
                                       .from = kMinPosition,
                                       .to = kMaxPosition,
                                       .direction = Direction::backward,
                                       .limit = limit});
}

Result<std::vector<RoomActivity>> SqliteEvents::rooms_changed(Position from, Position to) {
    return all_rows(
        conn_.query("SELECT room_id, MAX(stream_ordering) FROM events"
                    " WHERE stream_ordering > ?1 AND stream_ordering <= ?2"
                    " AND outlier = 0 AND soft_failed = 0 AND rejected_reason IS NULL"
                    " GROUP BY room_id ORDER BY 2",
                    from, to),
        [](const Query& q) -> Result<RoomActivity> {
            auto room_id = q.id<RoomId>(0);
            if (!room_id) return room_id.error();
            return RoomActivity{.room_id = std::move(*room_id), .max_stream_ordering = q.int64(1)};
        });
}

// prev_events and auth_events are read from the event itself (its JSON, through
// the parsed-event cache): migration 0170 dropped the tables that copied them.
Result<PduPtr> SqliteEvents::pdu_or_null(const EventId& event_id) {
    auto found = get_pdus(std::span<const EventId>(&event_id, 1));
    if (!found) return found.error();
    if (found->empty()) return PduPtr();
    return std::move(found->front().pdu);
}

Result<std::vector<EventId>> SqliteEvents::prev_events(const EventId& event_id) {
    auto pdu = pdu_or_null(event_id);
    if (!pdu) return pdu.error();
    return *pdu ? (*pdu)->prev_events() : std::vector<EventId>{};
}

Result<std::vector<EventId>> SqliteEvents::auth_events(const EventId& event_id) {
    auto pdu = pdu_or_null(event_id);
    if (!pdu) return pdu.error();
    return *pdu ? (*pdu)->auth_events() : std::vector<EventId>{};
}

Result<std::vector<EventId>> SqliteEvents::auth_chain(std::span<const EventId> ids) {
    // Walks auth_events in the stored JSON. Room versions 1 and 2 cite
    // [event_id, hashes] pairs, later ones bare ids. UNION (not UNION ALL)
    // drops ids already seen, which ends the recursion on shared ancestors
    // and on cycles. An id we do not hold is listed but not followed.
    return all_rows(conn_.query("WITH RECURSIVE chain(id) AS ("
                                " SELECT CASE a.type WHEN 'array' THEN a.value ->> 0"
                                "        ELSE a.value END"
                                "  FROM events e, json_each(e.json, '$.auth_events') a"
                                "  WHERE e.event_id IN (SELECT value FROM json_each(?1))"
                                " UNION"
                                " SELECT CASE a.type WHEN 'array' THEN a.value ->> 0"
                                "        ELSE a.value END"
                                "  FROM chain c JOIN events e ON e.event_id = c.id,"
                                "       json_each(e.json, '$.auth_events') a"
                                ") SELECT id FROM chain WHERE id IS NOT NULL",
                                json_id_list(ids)),
                    event_id_at0);
}

Result<std::vector<EventId>> SqliteEvents::redactions_of(const EventId& target) {
    return all_rows(
        conn_.query("SELECT redaction_id FROM redactions WHERE target_id = ?1", target),
        event_id_at0);
}

Result<std::optional<nlohmann::json>> SqliteEvents::original_json(const EventId& event_id) {
    return optional_row(
        conn_.query("SELECT json FROM redacted_originals WHERE event_id = ?1", event_id),
        [](const Query& q) { return q.json(0); });
}

Result<Position> SqliteEvents::next_ordering(bool backfilled) {
    SqliteStreams streams(conn_, counters_);
    return backfilled ? streams.next_backfill() : streams.next(Stream::events);
}

Result<void> SqliteEvents::insert_children(const Pdu& pdu) {
    for (const auto& prev : pdu.prev_events()) {
        // A prev event in the timeline already (every prev of an event this
        // server builds) is a probe of a hot index page, not a row written at
        // a random place of a B-tree keyed by event id (migration 0230).
        auto added = conn_.run(
            "INSERT OR IGNORE INTO event_children(prev_event_id, event_id) SELECT ?1, ?2"
            " WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = ?1 AND outlier = 0)",
            prev, pdu.event_id());
        if (!added) return added.error();
    }
    return ok();
}

Result<PersistedEvent> SqliteEvents::persist(const EventToPersist& event) {
    if (!event.pdu) return make_error(Errc::invalid_param, "No event to persist.");
    const Pdu& pdu = *event.pdu;

    struct Existing {
        Position ordering;
        bool outlier;
        bool redacted;
    };
    Result<std::optional<Existing>> existing = std::optional<Existing>();
    if (!event.built_here)
        existing = optional_row(
            conn_.query("SELECT stream_ordering, outlier, redacted_by IS NOT NULL FROM events"
                        " WHERE event_id = ?1",
                        pdu.event_id()),
            [](const Query& q) -> Result<Existing> {
                return Existing{q.int64(0), q.boolean(1), q.boolean(2)};
            });
    if (!existing) return existing.error();
    if (*existing) {
        const auto [ordering, was_outlier, redacted] = **existing;
        if (!was_outlier || event.outlier)
            return PersistedEvent{ordering, PersistOutcome::already_present};
        // An outlier joins the timeline: it takes its place in the stream now.
        auto position = next_ordering(event.backfilled);
        if (!position) return position.error();
        auto promoted = conn_.run(
            "UPDATE events SET stream_ordering = ?2, outlier = 0, soft_failed = ?3,"
            " rejected_reason = ?4, state_group_before = ?5, state_group_after = ?6"
            " WHERE event_id = ?1",
            pdu.event_id(), *position, event.soft_failed, event.rejected_reason,
            event.state_group_before, event.state_group_after);
        if (!promoted) return promoted.error();
        // Its relation (indexed when it was first stored) moves with it.
        auto moved = conn_.run(
            "UPDATE event_relations SET stream_ordering = ?2 WHERE child_id = ?1",
            pdu.event_id(), *position);
        if (!moved) return moved.error();
        // Outliers are not searchable; once in the timeline it is, unless it
        // was redacted meanwhile (`pdu` would be the original text).
        if (!redacted) {
            if (auto indexed = index_event_text(search_queue_, *position, pdu.json()); !indexed)
                return indexed.error();
        }
        return PersistedEvent{*position, PersistOutcome::promoted};
    }

    auto position = next_ordering(event.backfilled);
    if (!position) return position.error();
    std::optional<std::string_view> membership;
    if (pdu.type() == "m.room.member") membership = pdu.membership();
    const std::string dumped = event.json_text.empty() ? pdu.json().dump() : std::string();
    const std::string_view text = event.json_text.empty() ? dumped : event.json_text;
    auto inserted = conn_.run(
        "INSERT INTO events(stream_ordering, event_id, room_id, room_version, type, state_key,"
        " sender, membership, depth, origin_server_ts, received_ts, json, outlier, soft_failed,"
        " rejected_reason, state_group_before, state_group_after)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        *position, pdu.event_id(), pdu.room_id(), pdu.version().id, pdu.type(), pdu.state_key(),
        pdu.sender(), membership, pdu.depth(), pdu.origin_server_ts(), event.received_ts,
        text, event.outlier, event.soft_failed, event.rejected_reason, event.state_group_before,
        event.state_group_after);
    if (!inserted) return inserted.error();
    // The next event's prev event, read back at once: the PDU in hand is
    // exactly what the row holds.
    cache_.put(pdu.event_id().str(), false, text.size(), event.pdu);
    if (!event.built_here)
        if (auto cited = insert_children(pdu); !cited) return cited.error();
    // Outliers and rejected events are indexed too; readers filter them out,
    // and a promoted outlier keeps its relation.
    if (auto related = index_relation(conn_, pdu, *position); !related) return related.error();
    if (!event.outlier) {
        if (auto indexed = index_event_text(search_queue_, *position, pdu.json()); !indexed)
            return indexed.error();
    }
    if (pdu.type() == "m.room.redaction") {
        if (auto target = pdu.redacts()) {
            auto recorded = conn_.run(
                "INSERT OR IGNORE INTO redactions(redaction_id, target_id) VALUES (?1, ?2)",
                pdu.event_id(), *target);
            if (!recorded) return recorded.error();
        }
    }
    return PersistedEvent{*position, PersistOutcome::inserted};
}

Result<void> SqliteEvents::set_rejected(const EventId& event_id, std::string reason) {
    auto changed =
        conn_.run("UPDATE events SET rejected_reason = ?2 WHERE event_id = ?1", event_id, reason);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown event.");
    return ok();
}

Result<void> SqliteEvents::set_soft_failed(const EventId& event_id, bool soft_failed) {
    auto changed =
        conn_.run("UPDATE events SET soft_failed = ?2 WHERE event_id = ?1", event_id, soft_failed);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown event.");
    return ok();
}

Result<bool> SqliteEvents::redact(const EventId& target, const nlohmann::json& redacted,
                                  const EventId& redaction_id, std::int64_t now_ts) {
    struct Target {
        bool redacted;
        bool outlier;
        Position ordering;
    };
    auto state = optional_row(
        conn_.query("SELECT redacted_by IS NOT NULL, outlier, stream_ordering FROM events"
                    " WHERE event_id = ?1",
                    target),
        [](const Query& q) -> Result<Target> {
            return Target{q.boolean(0), q.boolean(1), q.int64(2)};
        });
    if (!state) return state.error();
    if (!*state) return not_found("Unknown event.");
    if ((*state)->redacted) return false;
    if (!(*state)->outlier) {
        // The index forgets a row by the words it holds: those of the text
        // indexed at persist time, which the stored JSON still has.
        auto original = optional_row(
            conn_.query("SELECT json FROM events WHERE event_id = ?1", target),
            [](const Query& q) { return q.json(0); });
        if (!original) return original.error();
        if (*original) {
            if (auto removed = unindex_event_text(conn_, search_queue_, (*state)->ordering, **original);
                !removed)
                return removed.error();
        }
    }
    // The original moves aside inside the database, without a round trip.
    auto kept = conn_.run(
        "INSERT OR REPLACE INTO redacted_originals(event_id, json, redacted_ts)"
        " SELECT event_id, json, ?2 FROM events WHERE event_id = ?1",
        target, now_ts);
    if (!kept) return kept.error();
    auto replaced =
        conn_.run("UPDATE events SET json = ?2, redacted_by = ?3 WHERE event_id = ?1", target,
                  redacted.dump(), redaction_id);
    if (!replaced) return replaced.error();
    return true;
}

Result<std::int64_t> SqliteEvents::purge_redacted_originals(std::int64_t before_ts) {
    return conn_.run("DELETE FROM redacted_originals WHERE redacted_ts < ?1", before_ts);
}

}  // namespace chat::store::sqlite
