#pragma once

#include <cstdint>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/store/push_actions.hpp>
#include <chat/store/txn.hpp>

namespace chat::push {

// Evaluates the push rules of every joined member of the event's room but
// its sender against `event`, just persisted at `ordering` in `txn`, and
// stores a row for each member it notifies: notification counts are thus
// decided when the event is persisted, not at sync time (issue 7 point 3).
// Errors: storage.
Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event,
                                 const RoomVersion& version, store::Position ordering,
                                 std::int64_t now_ts);

// The user's unread counts in the room: the notifying events after their
// read receipt (m.read or m.read.private, unthreaded or on the main
// timeline, whichever is later). A new receipt resets them.
Result<store::UnreadCounts> unread_counts(store::ReadTxn& txn, const UserId& user,
                                          const RoomId& room_id);

}  // namespace chat::push
