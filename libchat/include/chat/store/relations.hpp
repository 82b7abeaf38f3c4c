#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/events.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// The relations index (spec client-server "Forming relationships between
// events"): one row per event whose content has `m.relates_to` with a string
// `rel_type` and a valid `event_id`. Events::persist fills it; replies
// (`m.in_reply_to` without `rel_type`) are not indexed, as the spec says.
//
// Every query here answers only with children a client may be served: in
// the timeline (no outliers, rejected or soft-failed events) and not
// redacted, since redacting a child breaks its relation. Children sent by
// `ignored_senders` (the viewer's m.ignored_user_list) are left out too.

// A child event as the index knows it.
struct RelationRow {
    EventId event_id;  // the child
    std::string rel_type;
    std::string type;  // the child's event type
    UserId sender;
    Position stream_ordering = 0;
};

// Children of one parent with from < stream_ordering <= to (the bounds of
// RoomEventsQuery): backward answers newest first, forward oldest first.
struct RelationsQuery {
    RoomId room_id;
    EventId parent_id;
    std::optional<std::string> rel_type;
    std::optional<std::string> event_type;
    Position from = kMinPosition;
    Position to = kMaxPosition;
    Direction direction = Direction::backward;
    std::size_t limit = 50;
    // 1: direct children only. More follows relations of children (the
    // `recurse` parameter); the filters above apply to what is returned, not
    // to the path that reached it.
    int max_depth = 1;
    std::span<const std::string> ignored_senders;
};

// One thread: its root, newest reply and size.
struct ThreadSummary {
    EventId root_id;
    EventId latest_event_id;
    Position latest_ordering = 0;
    std::int64_t count = 0;
    // Whether the `participant` asked about sent one of the replies (the
    // root's sender is the caller's check: the caller has the root).
    bool participant_replied = false;
};

// Thread roots of a room, newest latest reply first, with latest_ordering
// <= `to` (paging: the next page starts below the last one's latest_ordering).
struct ThreadsQuery {
    RoomId room_id;
    Position to = kMaxPosition;
    std::size_t limit = 10;
    // Only threads this user took part in (sent the root or a reply).
    std::optional<UserId> participant;
    std::span<const std::string> ignored_senders;
};

class RelationsReader {
public:
    virtual ~RelationsReader() = default;

    // The children of query.parent_id in query.room_id (a child in another
    // room is never returned: the spec ignores such relations). Indexed.
    virtual Result<std::vector<RelationRow>> children(const RelationsQuery& query) = 0;

    // The distinct rel_types of a parent's servable children: one indexed
    // read that tells the bundling code which aggregations to compute.
    virtual Result<std::vector<std::string>> rel_types(
        const RoomId& room_id, const EventId& parent_id,
        std::span<const std::string> ignored_senders) = 0;

    // The m.thread replies to `root_id`: count and newest; none without
    // replies. `participant` fills ThreadSummary::participant_replied.
    virtual Result<std::optional<ThreadSummary>> thread(
        const RoomId& room_id, const EventId& root_id, const std::optional<UserId>& participant,
        std::span<const std::string> ignored_senders) = 0;

    // Thread roots (events with m.thread children) of a room that are
    // themselves timeline events of that room.
    virtual Result<std::vector<ThreadSummary>> threads(const ThreadsQuery& query) = 0;

    // The m.replace children of `parent_id` sent by `sender` with event type
    // `type` and no state key, most recent first (greatest origin_server_ts,
    // then greatest event_id: the spec's order for edits), at most `limit`.
    // Whether each is a valid replacement (m.new_content) is the caller's check.
    virtual Result<std::vector<EventId>> replacements(const RoomId& room_id,
                                                      const EventId& parent_id,
                                                      const UserId& sender, std::string_view type,
                                                      std::size_t limit) = 0;
};

}  // namespace chat::store
