#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/pdu.hpp>
#include <chat/store/state_groups.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// What persisting an event records besides the PDU itself.
struct EventToPersist {
    PduPtr pdu;
    // pdu->json().dump(), when the caller serialised it already (outside the
    // single writer); empty: persist() does.
    std::string json_text;
    std::int64_t received_ts = 0;  // ms since the epoch, when we got or built it
    // Known to us but not part of the room's timeline (an auth or state event
    // fetched from a remote server, an invite to a room we are not in).
    // Outliers never appear in timeline queries.
    bool outlier = false;
    // Older history fetched by /backfill: gets a negative stream ordering,
    // below every live event, so that backwards pagination reaches it.
    bool backfilled = false;
    // Passed the auth rules against its own auth events but not against the
    // current state (spec: soft failure). Kept out of timelines.
    bool soft_failed = false;
    // Failed the auth rules; kept (other events may cite it) but never served
    // to clients. The reason is for operators.
    std::optional<std::string> rejected_reason;
    // The state around the event, when known (not for outliers).
    std::optional<StateGroupId> state_group_before;
    std::optional<StateGroupId> state_group_after;
    // Built and signed by this server in this transaction, on the room's
    // forward extremities: no copy of it can be stored yet (its id is a hash
    // over our new signature, or random in v1/v2), and its prev events are
    // timeline events. persist() then looks for no stored copy (the unique
    // event id would still refuse one) and writes no citation rows.
    bool built_here = false;
};

enum class PersistOutcome {
    inserted,
    already_present,  // nothing changed; the stored row's ordering is returned
    promoted,         // it was an outlier: now in the timeline with a new ordering
};

struct PersistedEvent {
    Position stream_ordering = 0;
    PersistOutcome outcome = PersistOutcome::inserted;
};

// A stored event and what we know about it.
struct StoredEvent {
    EventId event_id;
    RoomId room_id;
    std::string room_version;  // RoomVersion::get(room_version)
    std::string type;
    std::optional<std::string> state_key;
    UserId sender;
    std::int64_t depth = 0;
    std::int64_t origin_server_ts = 0;
    std::int64_t received_ts = 0;
    Position stream_ordering = 0;  // the events stream position assigned at persist time
    bool outlier = false;
    bool soft_failed = false;
    std::optional<std::string> rejected_reason;
    // Set once redacted: `json` is then the redacted form (what federation and
    // clients get) and the original is kept for a retention period only
    // (EventsReader::original_json).
    std::optional<EventId> redacted_by;
    std::optional<StateGroupId> state_group_before;
    std::optional<StateGroupId> state_group_after;
    nlohmann::json json;  // federation format

    // The PDU, parsed again from `json` against its room version (without the
    // prev/auth count limits, which backfilled history may break). Errors:
    // Errc::storage when the stored row no longer parses.
    Result<PduPtr> to_pdu() const;
};

// A stored event as the rules read it: the PDU, parsed once and shared
// while the store keeps it cached, and what we know about it.
struct LoadedEvent {
    PduPtr pdu;
    Position stream_ordering = 0;
    bool outlier = false;
    bool soft_failed = false;
    std::optional<std::string> rejected_reason;
    bool redacted = false;
    std::optional<StateGroupId> state_group_before;
    std::optional<StateGroupId> state_group_after;
};

enum class Direction { forward, backward };

// Events of one room with from < stream_ordering <= to. Forward returns the
// oldest first starting just after `from`; backward the newest first
// starting at `to` (/messages dir=b, sync timelines).
struct RoomEventsQuery {
    RoomId room_id;
    Position from = kMinPosition;
    Position to = kMaxPosition;
    Direction direction = Direction::forward;
    std::size_t limit = 100;
    // Only what clients may see: no outliers, rejected or soft-failed events.
    bool timeline_only = true;
};

// A room that got timeline events in a position range, and its newest one.
struct RoomActivity {
    RoomId room_id;
    Position max_stream_ordering = 0;
};

class EventsReader {
public:
    virtual ~EventsReader() = default;

    virtual Result<std::optional<StoredEvent>> get(const EventId& event_id) = 0;
    // The events we have among `ids`, in the order asked; unknown ids are
    // skipped, duplicates answered once.
    virtual Result<std::vector<StoredEvent>> get_many(std::span<const EventId> ids) = 0;
    // get_many() for code that needs the PDUs (auth, state resolution, push):
    // the same rows, parsed at most once while they stay in the store's cache.
    // Errors: Errc::storage when a stored row no longer parses.
    virtual Result<std::vector<LoadedEvent>> get_pdus(std::span<const EventId> ids) = 0;
    // Errors: Errc::not_found when we do not have the event.
    virtual Result<Position> ordering_of(const EventId& event_id) = 0;
    // The ids among `ids` that we have (outliers included), in the order asked.
    virtual Result<std::vector<EventId>> filter_known(std::span<const EventId> ids) = 0;

    virtual Result<std::vector<StoredEvent>> room_events(const RoomEventsQuery& query) = 0;
    // The newest `limit` timeline events of a room, newest first.
    virtual Result<std::vector<StoredEvent>> latest(const RoomId& room_id, std::size_t limit) = 0;
    // Rooms with timeline events in (from, to], from the events themselves
    // (reads only that range of the stream, not the history).
    virtual Result<std::vector<RoomActivity>> rooms_changed(Position from, Position to) = 0;

    // The DAG: an event's prev_events and auth_events as persisted. (Which
    // events cite a given one is not kept in general, only where forward
    // extremities need it: Extremities::add_event.)
    virtual Result<std::vector<EventId>> prev_events(const EventId& event_id) = 0;
    virtual Result<std::vector<EventId>> auth_events(const EventId& event_id) = 0;
    // The union of the auth chains of `ids`: every event reachable through
    // auth_events, `ids` themselves excluded unless reached. Ids of events we
    // do not have may appear (the edges name them); cycles are harmless.
    virtual Result<std::vector<EventId>> auth_chain(std::span<const EventId> ids) = 0;

    // The m.room.redaction events stored so far that name `target`, applied
    // or not (a redaction may arrive before its target).
    virtual Result<std::vector<EventId>> redactions_of(const EventId& target) = 0;
    // The unredacted JSON of a redacted event while it is retained (see
    // Events::purge_redacted_originals); none otherwise.
    virtual Result<std::optional<nlohmann::json>> original_json(const EventId& event_id) = 0;
};

class Events : public EventsReader {
public:
    // Stores the event, its prev and auth edges, its state groups and flags,
    // and gives it the next position of Stream::events (or of the backfill
    // sequence, negative). An m.room.redaction also records its target (see
    // redactions_of), and an event whose content has `m.relates_to` with a
    // `rel_type` and an `event_id` its relation (RelationsReader). Does not touch forward extremities, current state or
    // memberships: those are separate calls in the same transaction.
    // Persisting an id again changes nothing (already_present), except that
    // an outlier persisted again as a non-outlier is promoted: it gets a new
    // ordering and the new flags and state groups. Errors: Errc::invalid_param
    // without a PDU.
    virtual Result<PersistedEvent> persist(const EventToPersist& event) = 0;

    // Errors: Errc::not_found for an unknown event.
    virtual Result<void> set_rejected(const EventId& event_id, std::string reason) = 0;
    virtual Result<void> set_soft_failed(const EventId& event_id, bool soft_failed) = 0;

    // Replaces the stored JSON of `target` with `redacted` (the caller prunes
    // it with the room version's redaction algorithm and checks that
    // `redaction_id` may redact it) and keeps the original aside with the
    // time of redaction. Returns false when it was already redacted (the
    // first redaction stays). Errors: Errc::not_found for an unknown target.
    virtual Result<bool> redact(const EventId& target, const nlohmann::json& redacted,
                                const EventId& redaction_id, std::int64_t now_ts) = 0;
    // Forgets the originals of events redacted before `before_ts` (the
    // retention period is the caller's policy; Synapse's default is 7 days).
    // Returns how many were dropped.
    virtual Result<std::int64_t> purge_redacted_originals(std::int64_t before_ts) = 0;
};

}  // namespace chat::store
