#include "sync/room_state_at.hpp"

#include <utility>

namespace chat::sync {

RoomStateAt::RoomStateAt(store::ReadTxn& txn, RoomId room,
                         std::span<const store::CurrentStateChange> changes_after)
    : txn_(txn), room_(std::move(room)) {
    // The oldest change of a key after P replaced the value it had at P.
    for (const auto& change : changes_after) at_p_.try_emplace(change.key, change.prev_event_id);
}

Result<std::optional<EventId>> RoomStateAt::entry(const StateKey& key) const {
    if (auto it = at_p_.find(key); it != at_p_.end()) return it->second;
    return txn_.current_state().entry(room_, key.type, key.state_key);
}

Result<StateMap> RoomStateAt::full() const {
    auto state = txn_.current_state().get(room_);
    if (!state) return state.error();
    for (const auto& [key, value] : at_p_) {
        if (value)
            state->insert_or_assign(key, *value);
        else
            state->erase(key);
    }
    return state;
}

}  // namespace chat::sync
