#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/events/state_key.hpp>
#include <chat/state/state_map.hpp>

namespace chat::store {

// A stored room state. Groups are immutable once created.
using StateGroupId = std::int64_t;

// One change of a state delta: `key` now holds `event_id`, or is removed when
// `event_id` is empty.
struct StateDeltaEntry {
    StateKey key;
    std::optional<EventId> event_id;

    friend bool operator==(const StateDeltaEntry&, const StateDeltaEntry&) = default;
};

// What a group is made of. State is stored as deltas: a group is either a
// full snapshot (chain_length 0) or the changes against `prev_group`, and a
// snapshot is written instead of a delta once a chain would grow past the
// store's limit (SqliteOptions::state_max_delta_chain), so that resolving a
// group reads a bounded number of groups. `prev_group` names the parent even
// for such snapshots (lineage), but reading a snapshot never follows it.
struct StateGroupInfo {
    StateGroupId id = 0;
    RoomId room_id;
    std::optional<StateGroupId> prev_group;
    int chain_length = 0;
    std::optional<EventId> event_id;  // the event this group was made for, if any
};

// Reading state groups and which group holds the state around an event.
// Areas are used only inside the transaction that handed them out.
class StateGroupsReader {
public:
    virtual ~StateGroupsReader() = default;

    virtual Result<std::optional<StateGroupInfo>> group(StateGroupId id) = 0;

    // The full state of a group. Errors: Errc::not_found for an unknown group.
    virtual Result<StateMap> state_at(StateGroupId id) = 0;
    // The entries of one event type ("m.room.member": the member list).
    // Errors: Errc::not_found for an unknown group.
    virtual Result<StateMap> state_of_type_at(StateGroupId id, std::string_view type) = 0;
    // One entry; none when the key is not in the state. Reads only the rows
    // of that key along the chain. Errors: Errc::not_found for an unknown group.
    virtual Result<std::optional<EventId>> state_entry_at(StateGroupId id, std::string_view type,
                                                         std::string_view state_key) = 0;

    // The group holding the state before / after an event, as recorded when
    // it was persisted (EventToPersist) or by set_event_groups(). None for an
    // unknown event or one persisted without state (an outlier).
    virtual Result<std::optional<StateGroupId>> group_before(const EventId& event_id) = 0;
    virtual Result<std::optional<StateGroupId>> group_after(const EventId& event_id) = 0;
};

class StateGroups : public StateGroupsReader {
public:
    // A new group for `room_id`: `parent`'s state with `delta` applied, or,
    // without a parent, a snapshot of the delta's non-removal entries. An
    // empty delta returns `parent` itself (no new group). Several entries for
    // one key: the last wins. `for_event` is recorded for debugging only.
    // Errors: Errc::not_found for an unknown parent, Errc::invalid_param for
    // a parent of another room.
    virtual Result<StateGroupId> create_group(const RoomId& room_id,
                                              std::optional<StateGroupId> parent,
                                              std::span<const StateDeltaEntry> delta,
                                              const std::optional<EventId>& for_event = {}) = 0;

    // A group holding exactly `state`, stored as its difference from
    // `parent` (pass the group the state was derived from, e.g. one of the
    // prev events' groups after state resolution). Returns `parent` when the
    // states are equal. Errors: as create_group().
    virtual Result<StateGroupId> create_group_from_state(
        const RoomId& room_id, const StateMap& state, std::optional<StateGroupId> parent,
        const std::optional<EventId>& for_event = {}) = 0;

    // Records the groups before and after a persisted event (after == before
    // for a non-state or rejected event). Errors: Errc::not_found for an
    // event that is not stored.
    virtual Result<void> set_event_groups(const EventId& event_id, StateGroupId before,
                                          StateGroupId after) = 0;
};

// The difference that turns `from` into `to`: every changed or added key
// with its new event, every removed key with none. Pure.
std::vector<StateDeltaEntry> state_difference(const StateMap& from, const StateMap& to);

// Applies `delta` to `state` in order. Pure.
void apply_delta(StateMap& state, std::span<const StateDeltaEntry> delta);

}  // namespace chat::store
