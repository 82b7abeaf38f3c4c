#pragma once

#include <optional>
#include <string>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/state/state_map.hpp>
#include <chat/store/events.hpp>
#include <chat/store/txn.hpp>

namespace chat::rooms {

// Who may read what of a room (spec client-server.md "History visibility";
// the room's m.room.history_visibility decides):
//   world_readable  anyone;
//   shared          members see everything while joined, and what was sent
//                   up to the moment they left after that;
//   invited/joined  only what was sent while the user was invited or joined
//                   (joined: while joined).
// Every function reads one snapshot and blocks on the store.

// Whether `user` may see `event`. Errors: Errc::storage.
Result<bool> may_see_event(store::ReadTxn& txn, const UserId& user,
                           const store::StoredEvent& event);

// The state `user` may read for GET /rooms/{roomId}/state and friends: the
// current state while joined (or for a world_readable room); the state just
// after their leave, kick or ban otherwise. Errors: Errc::forbidden (never a
// member, and not world_readable), Errc::storage.
Result<StateMap> readable_state(store::ReadTxn& txn, const UserId& user, const RoomId& room_id);

// The membership of `user` in the room's current state ("join", "leave",
// ...); none when they never had one.
Result<std::optional<std::string>> current_membership(store::ReadTxn& txn, const UserId& user,
                                                      const RoomId& room_id);

}  // namespace chat::rooms
