#pragma once

#include <map>
#include <optional>
#include <span>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/events/state_key.hpp>
#include <chat/state/state_map.hpp>
#include <chat/store/current_state.hpp>
#include <chat/store/txn.hpp>

namespace chat::sync {

// A room's state at an events stream position P of the snapshot, read as
// its current state with the changes logged after P undone. Sync reads the
// state at the start of a timeline this way: the changes after P are those
// of the timeline itself (a few), so no state group is resolved and the
// result is consistent with the current-state log that incremental syncs
// send as deltas.
class RoomStateAt {
public:
    // `changes_after` holds every change of the room's current state with
    // stream ordering above P, oldest first (others may follow them; only
    // the first change of each key counts). Borrows `txn`.
    RoomStateAt(store::ReadTxn& txn, RoomId room,
                std::span<const store::CurrentStateChange> changes_after);

    Result<std::optional<EventId>> entry(const StateKey& key) const;
    Result<StateMap> full() const;

private:
    store::ReadTxn& txn_;
    RoomId room_;
    // The keys that changed after P, with their value at P (none: absent).
    std::map<StateKey, std::optional<EventId>> at_p_;
};

}  // namespace chat::sync
