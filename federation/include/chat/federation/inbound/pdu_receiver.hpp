#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/federation/runtime/task.hpp>
#include <chat/ingest/event_ingest.hpp>

namespace chat::federation {

class DbExecutor;
class FederationClient;
class KeyRing;

// Takes PDUs from other servers through every check of federation.md §5:
// format for the room version, signatures (keys from the KeyRing), content
// hash (kept redacted on a mismatch), then the authorization rules and
// persistence (ingest::EventIngest). Missing prev events are fetched from
// the sending server with /get_missing_events, missing auth events with
// /event_auth, both checked the same way before use.
//
// Thread-safe; coroutines only (blocking work goes through the DbExecutor).
class PduReceiver {
public:
    PduReceiver(DbExecutor& db, ingest::EventIngest& ingest, KeyRing& keys,
                FederationClient& client);

    // Steps 1-3 for one event: parses it against `version`, checks that
    // every required server signed it, and returns it (redacted when its
    // content hash does not match). Errors: bad_json (format), forbidden
    // (signatures), remote_unavailable (a key could not be fetched).
    Task<Result<PduPtr>> verify(nlohmann::json event, const RoomVersion& version);

    // verify() for each entry of `events` (an array from send_join, /state,
    // /event_auth, ...); entries that fail are left out, as the spec asks.
    Task<std::vector<PduPtr>> verify_all(const nlohmann::json& events, const RoomVersion& version);

    // A PDU of a /send transaction from `origin`: the room's version from
    // our store, verify(), then EventIngest::accept, fetching what is missing
    // from `origin` first. Errors: not_found (a room we are not in), and
    // those of verify(); the auth rules' verdicts are in the result.
    Task<Result<ingest::IngestResult>> receive(nlohmann::json event, const ServerName& origin);

    // receive() for the PDUs of one /send, in order: each is verified, then
    // all that verified are accepted in ONE write transaction (one commit,
    // EventIngest::accept_many); those missing events are then fetched and
    // accepted one by one. One result per event, in order.
    Task<std::vector<Result<ingest::IngestResult>>> receive_all(std::vector<nlohmann::json> events,
                                                                const ServerName& origin);

    // The room's version, when we have the room. Errors: not_found.
    Task<Result<const RoomVersion*>> room_version(const RoomId& room_id);

private:
    // The room's version from our store, then verify().
    Task<Result<PduPtr>> verify_in_room(nlohmann::json event);
    Task<Result<ingest::IngestResult>> accept_fetching(PduPtr pdu, const ServerName& origin,
                                                       int depth);
    Task<Result<void>> fetch_missing(const Pdu& pdu, const std::vector<EventId>& missing,
                                     const ServerName& origin, int depth);

    DbExecutor& db_;
    ingest::EventIngest& ingest_;
    KeyRing& keys_;
    FederationClient& client_;
};

}  // namespace chat::federation
