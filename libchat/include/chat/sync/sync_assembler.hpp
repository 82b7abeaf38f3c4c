#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/filter.hpp>
#include <chat/sync/sync_token.hpp>

namespace chat::sync {

// Typing notifications live in the daemon's memory, not in the store; the
// assembler asks this for each joined room it reports. Called on the
// thread that runs assemble_sync(), so an implementation must be
// thread-safe.
class TypingSource {
public:
    virtual ~TypingSource() = default;
    // The users typing in `room_id` now, if that list changed after the
    // typing position `since` (always, when `since` is none); none when it
    // did not change.
    virtual std::optional<std::vector<UserId>> typing_in(
        const RoomId& room_id, std::optional<std::int64_t> since) const = 0;
};

struct SyncRequest {
    UserId user;
    std::string device_id;
    std::optional<SyncToken> since;  // none: initial sync
    bool full_state = false;
    Filter filter;
    std::int64_t now_ts = 0;  // ms since the epoch, for `unsigned.age`
    // The daemon's typing position, read BEFORE the call (so a change that
    // races with it is sent again rather than lost), and where to read
    // typing from (null: no typing).
    std::int64_t typing_position = 0;
    const TypingSource* typing = nullptr;
    // Whether presence is sent (configuration `presence.enabled`).
    bool presence = true;
};

struct SyncResult {
    nlohmann::json body;  // the /sync response, next_batch included
    SyncToken next_batch;
    // False when nothing changed for this user between `since` and
    // next_batch: the daemon then waits for the notifier and calls again
    // (with `since` or with next_batch: nothing was skipped). Always true
    // for an initial sync and with full_state.
    bool has_updates = false;
};

// Builds the /sync response (client-server API "GET /sync"; digest 7.2)
// for `req.user` between `req.since` and the snapshot `txn`, whose stream
// positions become next_batch: one snapshot for every read, so that a
// change is in exactly one of two consecutive syncs.
//
// Initial sync: every joined room with its latest `limit` timeline events
// and the full state at the start of the timeline; invites, knocks, global
// and room account data, current receipts; left rooms with include_leave.
// Incremental: only rooms where something changed for the user. A room
// joined since `since` (or every room with full_state) gets the full state
// at the start of its timeline, others the state delta between `since`
// and the start of the timeline when the timeline is limited. Rooms left
// in the range appear under `leave` with the timeline up to the leave.
// Reads only the ranges of each stream between the tokens, never the whole
// history. Lazy-loading members, filters, history visibility, ignored
// users, private receipts and `transaction_id` are applied as the spec says.
//
// `req` is trusted (the daemon parsed it). Blocks on the store: run it on
// a DB reader thread. Errors: Errc::storage.
Result<SyncResult> assemble_sync(store::ReadTxn& txn, const SyncRequest& req);

}  // namespace chat::sync
