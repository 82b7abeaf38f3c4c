#pragma once

#include <string>

#include <chat/core/clock.hpp>
#include <chat/core/server_name.hpp>

namespace chat::rooms {
class RoomService;
}
namespace chat::accounts {
class AccountService;
}
namespace chat::federation {
class DbExecutor;
class BlockingPool;
class KeyRing;
class FederationClient;
class PduReceiver;
class RemoteMembership;
class FederationSender;
}
namespace chat::ingest {
class EventIngest;
}
namespace chat::crypto {
class SigningKey;
}

namespace chat::daemon {

struct Config;
class WakeHub;
class RateLimiter;
class UiaSessions;
class Nonces;
class TypingTracker;
class PresenceTracker;
class LastSeen;
class DeliveryAcks;
class RoomDeletions;
class MediaFiles;
class Thumbnailer;

// What handlers reach through Request::services(). App builds it once before
// the server starts and owns everything it points to; handlers on any network
// thread only read it. Blocking libchat calls go through `db`.
struct Services {
    std::string server_name;     // config server_name
    std::string public_baseurl;  // as clients should reach us; published by .well-known
    const Config* config = nullptr;
    const Clock* clock = nullptr;
    federation::DbExecutor* db = nullptr;      // Store reads and writes, RoomService calls
    federation::BlockingPool* cpu = nullptr;   // argon2id and other CPU-heavy work
    rooms::RoomService* rooms = nullptr;
    accounts::AccountService* accounts = nullptr;
    WakeHub* wake = nullptr;                   // long-polling /sync
    UiaSessions* uia = nullptr;                // user-interactive auth sessions
    Nonces* nonces = nullptr;                  // shared-secret registration
    RateLimiter* limit_register = nullptr;     // per client address
    RateLimiter* limit_login = nullptr;        // per client address
    RateLimiter* limit_message = nullptr;      // per user
    // Issue 5: typing, presence, devices' last seen, delivery inference.
    TypingTracker* typing = nullptr;
    PresenceTracker* presence = nullptr;
    LastSeen* last_seen = nullptr;
    DeliveryAcks* delivery_acks = nullptr;
    RoomDeletions* room_deletions = nullptr;   // admin API: DELETE /_synapse/admin/v2/rooms
    // Content repository (daemon/media/): files on disk, thumbnails.
    const MediaFiles* media_files = nullptr;
    const Thumbnailer* thumbnailer = nullptr;
    // Federation transport (issue 9): server keys, signed outbound requests.
    federation::KeyRing* key_ring = nullptr;
    federation::FederationClient* federation_client = nullptr;
    // Rooms across servers (issue 9): received PDUs, membership handshakes,
    // the outbound sender, and our key for countersigning invites.
    ingest::EventIngest* ingest = nullptr;
    federation::PduReceiver* pdu_receiver = nullptr;
    federation::RemoteMembership* remote_membership = nullptr;
    federation::FederationSender* federation_sender = nullptr;
    const crypto::SigningKey* signing_key = nullptr;
};

}  // namespace chat::daemon
