#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <cstdint>
#include <vector>

#include <chat/auth/auth_rules.hpp>
#include <chat/auth/power_levels.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/push/push_rules.hpp>
#include <chat/store/push_actions.hpp>
#include <chat/core/server_name.hpp>
#include <chat/store/txn.hpp>

namespace chat::push {

// Evaluates the push rules of every joined member of the event's room but
// its sender against `event`, just persisted at `ordering` in `txn`, and
// stores what it means to them: notification counts are thus decided when
// the event is persisted, not at sync time (issue 7 point 3). The decision
// most members share is stored once for the room, and a row of their own
// only for those who decided otherwise (store/push_actions.hpp).
// With `local_server`, members of other servers are skipped: their own
// server notifies them. `state_now`, when the caller has it, holds the
// room's current create and power levels events (the auth state of an event
// that extends the current state and does not change it); they are read
// from the store otherwise. Errors: storage.
Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event,
                                 const RoomVersion& version, store::Position ordering,
                                 std::int64_t now_ts,
                                 const std::optional<ServerName>& local_server = std::nullopt,
                                 const auth::AuthState* state_now = nullptr);

// What record_push_actions reads of the room besides the event: its joined
// members, every member's display name and its power levels. They follow
// from the current state alone, so a caller appending one message after
// another to a room (RoomService) reads them once and passes them again
// until the room's state changes; they must be read after the event's own
// state change, if it has one. They also hold the push rules of the local
// joined members (of every member without `local_server`) as they were at
// Stream::push_rules position `rules_position`: once that stream has moved,
// read them again. `state_now` as above.
struct RoomPushFacts {
    std::vector<UserId> joined;
    std::map<std::string, std::string, std::less<>> names;  // user id -> display name
    std::optional<auth::PowerLevels> power_levels;
    std::vector<std::shared_ptr<const PushRules>> rules;  // joined[i]'s; null: not read
    store::Position rules_position = 0;
};
Result<std::shared_ptr<const RoomPushFacts>> read_room_push_facts(
    store::ReadTxn& txn, const RoomId& room_id, const RoomVersion& version,
    const auth::AuthState* state_now = nullptr,
    const std::optional<ServerName>& local_server = std::nullopt);
Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event, store::Position ordering,
                                 std::int64_t now_ts,
                                 const std::optional<ServerName>& local_server,
                                 const RoomPushFacts& facts);

// The user's unread counts in the room: the notifying events after their
// read receipt (m.read or m.read.private, unthreaded or on the main
// timeline, whichever is later). A new receipt resets them.
Result<store::UnreadCounts> unread_counts(store::ReadTxn& txn, const UserId& user,
                                          const RoomId& room_id);

// The user's counts in the room split as MSC3773 / spec "Receiving
// notifications" asks when a sync filter sets unread_thread_notifications:
// `main` counts only events outside threads (after the user's unthreaded or
// main-timeline read receipt); `threads` counts each thread after the later
// of the unthreaded receipt and the receipt with that thread_id.
struct ThreadedUnread {
    store::UnreadCounts main;
    std::vector<store::ThreadCounts> threads;
};
Result<ThreadedUnread> unread_thread_counts(store::ReadTxn& txn, const UserId& user,
                                            const RoomId& room_id);

// Whether the user has read the event of `row`: a read receipt of theirs
// (m.read or m.read.private) unthreaded, or in the row's thread (the main
// timeline for an unthreaded event), is at or after it (GET /notifications).
Result<bool> is_read(store::ReadTxn& txn, const store::PushActionRow& row);

// The number of unread notifications of the user across their joined rooms:
// the badge a push gateway shows (spec push gateway API, counts.unread).
Result<std::int64_t> badge_count(store::ReadTxn& txn, const UserId& user);

}  // namespace chat::push
