#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/events/pdu.hpp>
#include <chat/store/store.hpp>
#include <chat/sync/notifier.hpp>

namespace chat::ingest {

// What became of a PDU handed to EventIngest::accept.
enum class IngestStatus {
    persisted,        // in the timeline; it moved the room's extremities and state
    already_known,    // stored before (not as an outlier): nothing changed
    soft_failed,      // allowed by the state before it, not by the current state (§5 step 6)
    rejected,         // refused by the auth rules (§5 steps 4-5): stored as rejected
    missing_events,   // some auth or prev events are unknown: fetch `missing`, then retry
};

struct IngestResult {
    IngestStatus status = IngestStatus::persisted;
    std::vector<EventId> missing;            // for missing_events
    std::optional<store::Position> stream_ordering;  // for persisted and soft_failed
    std::string reason;                      // for rejected and soft_failed
    std::string event_id;                    // the event's id (computed for v3+)
};

// Takes events from other servers into the store under the Matrix rules
// (federation.md §5 steps 4-6): an event must pass the authorization rules
// against its own auth events, against the state before it (resolved over
// its prev_events), and against the room's current state; it then gets its
// state groups, moves the forward extremities and the current state
// (resolving state when branches merge), has its push actions recorded and
// wakes the notifier. Format, signatures and the content hash are checked
// before (pdu_checks.hpp), where the keys are.
//
// Also the other ways remote events arrive: the state and auth chain of a
// room we join (send_join), auth events fetched alone (outliers), and an
// invite of a local user to a room we are not in.
//
// Thread-safe; every call blocks on the store (run it off network threads).
class EventIngest {
public:
    EventIngest(store::Store& store, ServerName server_name, sync::Notifier& notifier,
                const Clock& clock);

    // §5 steps 4-6 for one PDU of a room we are in. A persisted event is
    // queued in the federation outbox for the room's other servers when it is
    // our own (an invite our invitee's server countersigned) or when
    // `relay_except` is set (a send_join or send_leave we answered as the
    // resident: every server but the sender's gets it from us). Errors:
    // not_found (unknown room), storage.
    Result<IngestResult> accept(const PduPtr& pdu,
                                const std::optional<ServerName>& relay_except = std::nullopt);

    // accept() for each of `pdus`, in order, in ONE write transaction (each
    // in its own savepoint, so a failure undoes only its own changes): the
    // PDUs of a /send commit once instead of once each. Later PDUs see the
    // earlier ones, so a room's events may come in DAG order in one batch.
    // One result per PDU, in order.
    std::vector<Result<IngestResult>> accept_many(std::span<const PduPtr> pdus);

    // Stores events we need but whose place in the DAG we do not know (auth
    // events, a room's state) as outliers, each checked against its own
    // auth events (rejected if it fails). `events` in any order; those whose
    // auth events are neither stored nor in `events` are skipped. Events
    // already stored are left alone. Returns how many were stored.
    Result<std::size_t> accept_outliers(std::span<const PduPtr> events);

    // The join of a local user to a remote room, completed by send_join:
    // stores the room, its `auth_chain` and `state` (the state before the
    // join) as outliers, checks `join` against that state, and persists it
    // as the room's only extremity with the state after it as the current
    // state. Errors: forbidden (the join does not pass the rules against
    // the state), bad_json (the state lacks the create event or is of
    // another room).
    Result<IngestResult> accept_join(const PduPtr& join, std::span<const PduPtr> state,
                                     std::span<const PduPtr> auth_chain);

    // An invite of a local user to a remote room (the invite endpoint, after
    // we signed it): stored as an outlier whose `unsigned.invite_room_state`
    // sync shows, and recorded as the user's out-of-band membership.
    // Returns its events stream position.
    Result<store::Position> store_remote_invite(const PduPtr& invite);

    // Our user's own membership event in a room we are not in (the leave
    // that rejects a remote invite, through make_leave/send_leave): stored as
    // an outlier and recorded as their out-of-band membership.
    Result<store::Position> store_out_of_band(const PduPtr& membership);

private:
    Result<IngestResult> accept_in(store::WriteTxn& txn, const PduPtr& pdu,
                                   const std::optional<ServerName>& relay_except,
                                   std::int64_t now, std::string_view json_text = {});

    store::Store& store_;
    ServerName server_name_;
    sync::Notifier& notifier_;
    const Clock& clock_;
};

}  // namespace chat::ingest
