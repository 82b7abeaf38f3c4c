#pragma once

#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/events/pdu.hpp>
#include <chat/store/store.hpp>

namespace chat::rooms {

// The remote servers a new event of ours in `room_id` must go to: the
// servers of the joined members (after the event) other than ours, plus, for
// a membership event, the target's server (an invite, kick or ban reaches
// them even though they are not joined). Sorted, unique.
Result<std::vector<ServerName>> remote_destinations(store::ReadTxn& txn, const Pdu& pdu,
                                                   const ServerName& ours);

// The servers other than `ours` with joined members in the room: where its
// EDUs (typing, receipts) go. Sorted, unique.
Result<std::vector<ServerName>> remote_servers(store::ReadTxn& txn, const RoomId& room_id,
                                               const ServerName& ours);

}  // namespace chat::rooms
