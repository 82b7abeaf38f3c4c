#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/fwd.h>

#include <chat/core/result.hpp>
#include <chat/core/clock.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/store/store.hpp>

#include "config/config.hpp"
#include "http/task.hpp"
#include "routing/router.hpp"
#include "services/services.hpp"

namespace boost::asio {
class io_context;
}
namespace chat::federation {
class BlockingPool;
class DbExecutor;
class KeyRing;
class FederationClient;
class PduReceiver;
class RemoteMembership;
class FederationSender;
}
namespace chat::ingest {
class EventIngest;
}
namespace chat::rooms {
class RoomService;
}
namespace chat::accounts {
class AccountService;
}

namespace chat::daemon {

class Server;
class FanoutNotifier;
class WakeHub;
class RateLimiter;
class UiaSessions;
class Nonces;
class TypingTracker;
class PresenceTracker;
class LastSeen;
class DeliveryAcks;
class RoomDeletions;
namespace push {
class PusherSender;
}
class RedisBus;

// The composition root: owns every long-lived object of chatd, builds them in
// dependency order and hands out references. No globals.
class App {
public:
    explicit App(Config config);
    ~App();
    // Owns the database, the listening socket and the network threads.
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Creates data_dir, opens the database, loads (or on the first start
    // generates and saves) the signing key, listens, and writes ready_file.
    // Blocks: disk. Errors: one line for the operator in `message`.
    Result<void> start();

    // Serves on http_threads threads until SIGINT or SIGTERM, then stops
    // accepting, lets requests in progress finish (up to a grace period) and
    // returns. A second signal stops at once. Blocks the calling thread.
    // Errors: a network thread died of an exception (logged).
    Result<void> run();

private:
    Task<void> stop_on_signal();
    Task<void> stop_now_on_signal();
    // Once a second: typing timeouts and presence timeouts (issue 5).
    Task<void> housekeeping();
    // Builds the KeyRing and FederationClient from config.federation (issue 9).
    Result<void> start_federation(const ServerName& server_name);
    Task<Result<void>> infer_delivery(std::vector<std::pair<UserId, std::int64_t>> noted);

    Config config_;
    std::shared_ptr<spdlog::logger> log_;
    SystemClock clock_;
    std::unique_ptr<store::Store> store_;
    std::optional<chat::crypto::SigningKey> signing_key_;
    std::unique_ptr<federation::BlockingPool> db_pool_;
    std::unique_ptr<federation::BlockingPool> cpu_pool_;
    std::unique_ptr<federation::DbExecutor> db_;
    std::unique_ptr<WakeHub> wake_;
    std::unique_ptr<rooms::RoomService> rooms_;
    std::unique_ptr<accounts::AccountService> accounts_;
    std::unique_ptr<UiaSessions> uia_;
    std::unique_ptr<Nonces> nonces_;
    std::unique_ptr<RateLimiter> limit_register_;
    std::unique_ptr<RateLimiter> limit_login_;
    std::unique_ptr<RateLimiter> limit_message_;
    std::unique_ptr<TypingTracker> typing_;
    std::unique_ptr<PresenceTracker> presence_;
    std::unique_ptr<LastSeen> last_seen_;
    std::unique_ptr<DeliveryAcks> delivery_acks_;
    std::unique_ptr<RoomDeletions> room_deletions_;  // before the Store and RoomService go
    std::unique_ptr<MediaFiles> media_files_;
    std::unique_ptr<Thumbnailer> thumbnailer_;
    std::unique_ptr<push::PusherSender> pusher_sender_;  // null when push.enabled is off
    // Federation transport (issue 9): outbound HTTP blocks on its own pool.
    std::unique_ptr<federation::BlockingPool> federation_pool_;
    std::unique_ptr<federation::FederationClient> federation_client_;
    std::unique_ptr<federation::KeyRing> key_ring_;
    std::unique_ptr<FanoutNotifier> notifier_;  // WakeHub + federation sender
    std::unique_ptr<ingest::EventIngest> ingest_;
    std::unique_ptr<federation::PduReceiver> pdu_receiver_;
    std::unique_ptr<federation::RemoteMembership> remote_membership_;
    std::unique_ptr<federation::FederationSender> federation_sender_;
    Services services_;
    Router router_;
    std::unique_ptr<boost::asio::io_context> io_;
    struct Signals;
    std::unique_ptr<Signals> signals_;
    std::unique_ptr<Server> server_;
    // Workers (daemon/bus/): last, so that its thread ends before what it uses goes.
    std::unique_ptr<RedisBus> bus_;
};

}  // namespace chat::daemon
