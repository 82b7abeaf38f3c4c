#pragma once

#include <optional>
#include <string>
#include <vector>

#include <chat/core/clock.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/federation/runtime/task.hpp>
#include <chat/ingest/event_ingest.hpp>

namespace chat::federation {

class DbExecutor;
class FederationClient;
class PduReceiver;
class KeyRing;

// What our users do in rooms on other servers (digest federation.md §8, §10,
// §11): join a room we are not in (make_join / send_join v2), invite a
// remote user (their server countersigns through invite v2), and reject an
// invite to a room we are not in (make_leave / send_leave v2).
class RemoteMembership {
public:
    RemoteMembership(DbExecutor& db, ingest::EventIngest& ingest, PduReceiver& receiver,
                     FederationClient& client, KeyRing& keys, ServerName own_name,
                     const crypto::SigningKey& key, const Clock& clock);

    // Joins `user` to `room_id` through the first of `via` that completes the
    // handshake. Errors: forbidden / not_found passed on from the resident,
    // remote_unavailable when no server could be reached, bad_json for a
    // malformed answer.
    Task<Result<void>> join(const UserId& user, const RoomId& room_id,
                            const std::vector<ServerName>& via);

    // Invites the remote `target` to our room `room_id`: builds and signs the
    // invite, has the target's server countersign it, then persists it (and
    // queues it for the room's other servers). Errors: forbidden (the rules
    // refuse it, or the target's server does), remote_unavailable.
    Task<Result<void>> invite(const UserId& sender, const RoomId& room_id, const UserId& target,
                              std::optional<std::string> reason);

    // Knocks on a room we are not in (§9: make_knock / send_knock) through
    // the first of `via` that answers; the knock is kept as the user's
    // out-of-band membership with the room state the resident sent (sync's
    // knock section). Errors: as join().
    Task<Result<void>> knock(const UserId& user, const RoomId& room_id,
                             const std::vector<ServerName>& via, std::optional<std::string> reason);

    // Leaves (rejects the invite to) a room we are not in, through `via`.
    Task<Result<void>> leave(const UserId& user, const RoomId& room_id,
                             const std::vector<ServerName>& via);

    // Whether our server has the room's DAG (we can act on it locally).
    Task<Result<bool>> participating(const RoomId& room_id);

private:
    Task<Result<void>> join_via(const UserId& user, const RoomId& room_id,
                                const ServerName& resident);

    DbExecutor& db_;
    ingest::EventIngest& ingest_;
    PduReceiver& receiver_;
    FederationClient& client_;
    KeyRing& keys_;
    ServerName own_name_;
    const crypto::SigningKey& key_;
    const Clock& clock_;
};

}  // namespace chat::federation
