#pragma once

#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/events/state_key.hpp>
#include <chat/state/state_map.hpp>
#include <chat/store/state_groups.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// One change of a room's current state, at an events stream position.
struct CurrentStateChange {
    Position stream_ordering = 0;
    RoomId room_id;
    StateKey key;
    std::optional<EventId> event_id;       // none: the key was removed
    std::optional<EventId> prev_event_id;  // none: the key was new
};

// One m.room.member entry of a room's current state, as push rules need it.
struct CurrentMember {
    std::string user_id;                     // the state key, as stored
    std::string membership;                  // content.membership
    std::optional<std::string> displayname;  // content.displayname, when a string
};

// The current state of each room (a table of its own, kept up to date as
// state changes) and a log of its changes by events stream position, so
// that sync reads "what state changed in room R between two tokens"
// without resolving state groups.
class CurrentStateReader {
public:
    virtual ~CurrentStateReader() = default;

    // Empty for an unknown room.
    virtual Result<StateMap> get(const RoomId& room_id) = 0;
    virtual Result<StateMap> of_type(const RoomId& room_id, std::string_view type) = 0;
    virtual Result<std::optional<EventId>> entry(const RoomId& room_id, std::string_view type,
                                                 std::string_view state_key) = 0;
    // Every m.room.member entry of the current state with its membership and
    // display name, in one read (no event is parsed; a redacted member event
    // has no display name). Empty for an unknown room.
    virtual Result<std::vector<CurrentMember>> members(const RoomId& room_id) = 0;
    // Changes with from < stream_ordering <= to, oldest first.
    virtual Result<std::vector<CurrentStateChange>> changes(const RoomId& room_id, Position from,
                                                            Position to) = 0;
    // Rooms whose current state changed in (from, to].
    virtual Result<std::vector<RoomId>> rooms_changed(Position from, Position to) = 0;
};

class CurrentState : public CurrentStateReader {
public:
    // Applies `delta` to the room's current state and logs each real change
    // at `position` (normally the stream ordering of the event that caused
    // it). Entries that change nothing are skipped. m.room.member entries
    // also update the memberships (MembersReader) from the stored event's
    // `content.membership`. Errors: Errc::not_found when a member event of
    // the delta is not stored.
    virtual Result<void> apply_delta(const RoomId& room_id, std::span<const StateDeltaEntry> delta,
                                     Position position) = 0;
    // Makes the current state equal `state` (e.g. after state resolution)
    // and returns the delta that was applied. Errors: as apply_delta().
    virtual Result<std::vector<StateDeltaEntry>> replace(const RoomId& room_id,
                                                         const StateMap& state,
                                                         Position position) = 0;
};

}  // namespace chat::store
