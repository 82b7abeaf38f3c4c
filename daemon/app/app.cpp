#include "app/app.hpp"

#include <atomic>
#include <csignal>
#include <exception>
#include <fstream>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chat/accounts/account_service.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/inbound/pdu_receiver.hpp>
#include <chat/federation/keys/key_ring.hpp>
#include <chat/federation/membership/remote_membership.hpp>
#include <chat/federation/sender/federation_sender.hpp>
#include <chat/ingest/event_ingest.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/receipts/delivery.hpp>
#include <chat/store/sqlite.hpp>

#include "api/client/federation_edus.hpp"
#include "app/signing_key_file.hpp"
#include "bus/redis_bus.hpp"
#include "auth/nonces.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/uia.hpp"
#include "services/delivery_acks.hpp"
#include "services/last_seen.hpp"
#include "services/presence_tracker.hpp"
#include "services/presence_writer.hpp"
#include "services/typing_tracker.hpp"
#include "services/room_deletions.hpp"
#include "services/remote_media_expiry.hpp"
#include "services/fanout_notifier.hpp"
#include "services/wake_hub.hpp"
#include "media/media_files.hpp"
#include "media/thumbnailer.hpp"
#include "push/pusher_sender.hpp"
#include "http/server.hpp"
#include "routing/admin_routes.hpp"
#include "routing/client_routes.hpp"
#include "routing/federation_routes.hpp"

namespace chat::daemon {

namespace asio = boost::asio;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// How long requests in progress may take to finish after SIGTERM.
constexpr std::chrono::seconds kShutdownGrace{10};

Result<void> ensure_directory(const std::filesystem::path& dir) {
    if (dir.empty()) return ok();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return make_error(Errc::storage, fmt::format("cannot create directory {}: {}", dir.string(),
                                                     ec.message()));
    return ok();
}

// Written whole to a temporary file and renamed, so a reader polling for it
// never sees half of it.
Result<void> write_ready_file(const std::filesystem::path& path, std::uint16_t port) {
    auto temporary = path;
    temporary += ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << nlohmann::json{{"port", port}}.dump() << '\n';
        if (!out.flush())
            return make_error(Errc::storage, "cannot write ready_file " + temporary.string());
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec)
        return make_error(Errc::storage, fmt::format("cannot write ready_file {}: {}",
                                                     path.string(), ec.message()));
    return ok();
}

void log_failure(spdlog::logger& log, std::string_view what, std::exception_ptr failure) {
    if (!failure) return;
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        log.critical("{} ended by an exception: {}", what, e.what());
    } catch (...) {
        log.critical("{} ended by an unknown exception", what);
    }
}

}  // namespace

namespace {
// Whether this process runs the outbound senders (federation, push): always
// alone, and on the one worker configured with workers.senders otherwise.
bool runs_senders(const Config& config) {
    return !config.workers.enabled || config.workers.senders;
}
}  // namespace

// The signal set and the strand that serialises everything done about signals.
struct App::Signals {
    explicit Signals(asio::io_context& io)
        : strand(asio::make_strand(io)), set(strand, SIGINT, SIGTERM), ticker(strand) {}
    asio::strand<asio::io_context::executor_type> strand;
    asio::signal_set set;
    asio::steady_timer ticker;  // housekeeping(); cancelled at shutdown
    bool stopping = false;      // on the strand
};

App::App(Config config)
    : config_(std::move(config)),
      log_(std::make_shared<spdlog::logger>("chatd",
                                            std::make_shared<spdlog::sinks::stderr_sink_mt>())),
      io_(std::make_unique<asio::io_context>(static_cast<int>(config_.http_threads))) {
    log_->set_pattern("%Y-%m-%d %H:%M:%S.%e %L %v");
    log_->set_level(spdlog::level::from_str(config_.log_level));
}

App::~App() {
    // These hold I/O objects (a strand; the timers of waiters still parked,
    // such as the push sender's) whose services live in the io_context: they
    // must go before io_ does. Nothing runs any more to use them.
    federation_sender_.reset();
    wake_.reset();
}

Result<void> App::start() {
    // A client that disconnects must not kill the process with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    // Listening first finds a busy port before anything is written.
    add_client_routes(router_);
    add_federation_routes(router_);
    add_admin_routes(router_);
    media_files_ = std::make_unique<MediaFiles>(config_.data_dir / "media");
    server_ = std::make_unique<Server>(*io_, router_, services_,
                                       HttpLimits{.max_body_bytes = config_.max_request_body_bytes,
                                                  .request_timeout = config_.request_timeout,
                                                  .max_upload_bytes = config_.media.max_upload_bytes,
                                                  .upload_dir = media_files_->upload_dir()},
                                       *log_);
    auto port = server_->listen(config_.bind_address, config_.port);
    if (!port) return port.error();

    for (const auto& dir :
         {config_.data_dir, config_.database_path.parent_path(),
          config_.signing_key_path.parent_path(), config_.ready_file.parent_path()}) {
        if (auto created = ensure_directory(dir); !created) return created.error();
    }
    if (!config_.ready_file.empty()) {
        std::error_code ignored;  // a file left by a run that crashed
        std::filesystem::remove(config_.ready_file, ignored);
    }

    if (auto prepared = media_files_->prepare(); !prepared) return prepared.error();

    auto store = store::open_sqlite(config_.database_path.string());
    if (!store) return store.error();
    store_ = std::move(*store);

    auto key = load_or_generate_signing_key(config_.signing_key_path);
    if (!key) return key.error();
    signing_key_.emplace(std::move(key->key));

    auto server_name = ServerName::parse(config_.server_name);
    if (!server_name) return server_name.error();  // the config loader checked it already
    // Blocked writers are what group commit batches, so the DB pool has more
    // threads than cores; the CPU pool (argon2id) has about one per core.
    db_pool_ = std::make_unique<federation::BlockingPool>(config_.db_threads);
    cpu_pool_ = std::make_unique<federation::BlockingPool>(
        std::max(1u, std::thread::hardware_concurrency()));
    db_ = std::make_unique<federation::DbExecutor>(*store_, *db_pool_);
    wake_ = std::make_unique<WakeHub>();
    notifier_ = std::make_unique<FanoutNotifier>(*wake_);
    rooms_ = std::make_unique<rooms::RoomService>(*store_, *server_name, *signing_key_, *notifier_,
                                                  clock_);

    services_.server_name = config_.server_name;
    services_.config = &config_;
    services_.clock = &clock_;
    services_.db = db_.get();
    services_.cpu = cpu_pool_.get();
    services_.rooms = rooms_.get();
    services_.wake = wake_.get();
    accounts_ = std::make_unique<accounts::AccountService>(*store_, *server_name, clock_, *rooms_);
    uia_ = std::make_unique<UiaSessions>();
    nonces_ = std::make_unique<Nonces>(std::chrono::seconds(60));
    services_.accounts = accounts_.get();
    services_.uia = uia_.get();
    services_.nonces = nonces_.get();
    limit_register_ = std::make_unique<RateLimiter>(config_.rate_limit_register);
    limit_login_ = std::make_unique<RateLimiter>(config_.rate_limit_login);
    limit_message_ = std::make_unique<RateLimiter>(config_.rate_limit_message);
    services_.limit_register = limit_register_.get();
    services_.limit_login = limit_login_.get();
    services_.limit_message = limit_message_.get();
    // Typing positions start at the wall clock so that they keep growing
    // across restarts (TypingTracker).
    typing_ = std::make_unique<TypingTracker>(clock_.now_ms());
    presence_ = std::make_unique<PresenceTracker>(
        presence::Timeouts{.idle_after = config_.presence_idle_after,
                           .offline_after = config_.presence_offline_after});
    if (config_.presence_enabled) {
        auto present = store_->read("presence_not_offline",
                                    [](store::ReadTxn& txn) { return txn.presence().not_offline(); });
        if (!present) return present.error();
        presence_->load(*present, clock_.now_ms());
    }
    last_seen_ = std::make_unique<LastSeen>(std::chrono::minutes(1));
    delivery_acks_ = std::make_unique<DeliveryAcks>();
    services_.typing = typing_.get();
    services_.presence = presence_.get();
    services_.last_seen = last_seen_.get();
    services_.delivery_acks = delivery_acks_.get();
    room_deletions_ =
        std::make_unique<RoomDeletions>(*store_, *rooms_, clock_, config_.server_name);
    services_.room_deletions = room_deletions_.get();
    thumbnailer_ = std::make_unique<Thumbnailer>(config_.media.max_image_pixels);
    services_.media_files = media_files_.get();
    services_.thumbnailer = thumbnailer_.get();
    if (auto started = start_federation(*server_name); !started) return started.error();
    services_.public_baseurl = config_.public_baseurl.empty()
                                   ? public_baseurl_for(config_.bind_address, *port)
                                   : config_.public_baseurl;

    if (config_.workers.enabled) {  // several processes as one homeserver (daemon/bus/)
        bus_ = std::make_unique<RedisBus>(config_.workers, *store_, *wake_, *typing_, *presence_,
                                          clock_, *log_);
        wake_->set_listener(bus_.get());
        typing_->observe_local([redis = bus_.get()](const RoomId& room, const UserId& user,
                                                  bool typing, std::int64_t expires,
                                                  std::int64_t stamp) {
            redis->publish(bus::TypingChanged{.room_id = room, .user_id = user, .typing = typing,
                                            .expires_ms = expires, .stamp = stamp});
        });
        bus_->start();
    }

    signals_ = std::make_unique<Signals>(*io_);
    asio::co_spawn(signals_->strand, stop_on_signal(), [this](std::exception_ptr failure) {
        log_failure(*log_, "signal handling", failure);
    });
    asio::co_spawn(signals_->strand, housekeeping(), [this](std::exception_ptr failure) {
        log_failure(*log_, "housekeeping", failure);
    });
    // Push notifications: one sender coroutine, woken by the WakeHub.
    if (config_.push.enabled && runs_senders(config_)) {
        pusher_sender_ = std::make_unique<push::PusherSender>(
            *db_, *wake_,
            push::PusherSender::Options{.retry_base = config_.push.retry_base,
                                        .retry_max = config_.push.retry_max,
                                        .gateway_timeout = config_.push.gateway_timeout,
                                        .allow_private_gateways =
                                            config_.push.allow_private_gateways},
            *log_);
        asio::co_spawn(asio::make_strand(*io_), pusher_sender_->run(),
                       [this](std::exception_ptr failure) {
                           log_failure(*log_, "push sender", failure);
                       });
    }
    server_->start();

    if (key->generated)
        log_->info("generated signing key {} in {}", signing_key_->key_id(),
                   config_.signing_key_path.string());
    log_->info("chatd {} serving {} on {} (base URL {}, signing key {})", CHATD_VERSION,
               config_.server_name, endpoint_text(config_.bind_address, *port),
               services_.public_baseurl, signing_key_->key_id());
    // Last: whoever waits for the ready file (tests, supervisors) then finds
    // the log lines above already written.
    if (!config_.ready_file.empty()) {
        if (auto written = write_ready_file(config_.ready_file, *port); !written)
            return written.error();
    }
    return ok();
}

// Federation transport (issue 9): the client signs with our key; the key
// ring fetches others' keys through it and publishes ours.
Result<void> App::start_federation(const ServerName& server_name) {
    const auto& settings = config_.federation;
    // Outbound requests block a thread each for up to request_timeout.
    federation_pool_ = std::make_unique<federation::BlockingPool>(8);
    federation::FederationClientOptions client_options{
        .allow_insecure_http = settings.allow_insecure_http,
        .verify_tls = settings.verify_tls,
        .well_known_port = settings.well_known_port == 0
                               ? std::nullopt
                               : std::optional<std::uint16_t>(settings.well_known_port),
        .request_timeout = settings.request_timeout,
    };
    federation_client_ = std::make_unique<federation::FederationClient>(
        server_name, *signing_key_, *federation_pool_, clock_, client_options);

    federation::KeyRingOptions ring_options;
    ring_options.own_validity_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings.key_validity).count();
    for (const auto& old : settings.old_signing_keys)
        ring_options.own_old_keys.push_back({old.key_id, old.key, old.expired_ts});
    for (const auto& notary : settings.trusted_key_servers) {
        auto name = ServerName::parse(notary.server_name);
        if (!name) return name.error();  // the config loader checked it already
        federation::TrustedKeyServer trusted{*name, {}};
        for (const auto& [key_id, key] : notary.verify_keys) {
            auto parsed = crypto::VerifyKey::from_base64(key_id, key);
            if (!parsed) return parsed.error();
            trusted.verify_keys.push_back(std::move(*parsed));
        }
        ring_options.notaries.push_back(std::move(trusted));
    }
    key_ring_ = std::make_unique<federation::KeyRing>(server_name, *signing_key_, *db_,
                                                      *federation_client_, clock_,
                                                      std::move(ring_options));
    services_.key_ring = key_ring_.get();
    services_.federation_client = federation_client_.get();

    // Rooms across servers: received PDUs, membership handshakes, and the
    // sender, told of every events stream advance (new events of ours).
    ingest_ = std::make_unique<ingest::EventIngest>(*store_, server_name, *notifier_, clock_);
    pdu_receiver_ = std::make_unique<federation::PduReceiver>(*db_, *ingest_, *key_ring_,
                                                              *federation_client_);
    remote_membership_ = std::make_unique<federation::RemoteMembership>(
        *db_, *ingest_, *pdu_receiver_, *federation_client_, *key_ring_, server_name,
        *signing_key_, clock_);
    federation_sender_ = std::make_unique<federation::FederationSender>(
        io_->get_executor(), *db_, *federation_client_, server_name, clock_,
        federation::FederationSenderOptions{.retry_base = settings.retry_base,
                                            .retry_max = settings.retry_max});
    notifier_->set_listener([sender = federation_sender_.get()](store::Stream stream,
                                                                store::Position) {
        if (stream == store::Stream::events) sender->poke();
    });
    // With workers, one of them sends (workers.senders), or every PDU would
    // go out once per worker; the others' events reach its outbox scan on
    // the housekeeping tick.
    if (runs_senders(config_)) federation_sender_->start();
    services_.ingest = ingest_.get();
    services_.pdu_receiver = pdu_receiver_.get();
    services_.remote_membership = remote_membership_.get();
    services_.federation_sender = federation_sender_.get();
    services_.signing_key = &*signing_key_;
    if (settings.allow_insecure_http)
        log_->warn("federation.allow_insecure_http is on: plain HTTP between servers");
    return ok();
}

Result<void> App::run() {
    std::atomic<bool> thread_failed = false;
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < config_.http_threads; ++i) {
        threads.emplace_back([this, &thread_failed] {
            try {
                io_->run();
            } catch (const std::exception& e) {
                log_->critical("a network thread died: {}", e.what());
                thread_failed = true;
                io_->stop();
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    // The event loop is done; what remains (pools draining, the store
    // closing) must finish. Removing our handlers would restore the default
    // action, and a late second signal would then cut the close short.
    signals_.reset();
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    if (bus_) bus_->stop();  // its thread reads the store
    // Work still queued on the pools finishes before the store closes.
    if (db_pool_) db_pool_->join();
    if (cpu_pool_) cpu_pool_->join();
    if (federation_pool_) federation_pool_->join();

    if (!config_.ready_file.empty()) {
        std::error_code ignored;
        std::filesystem::remove(config_.ready_file, ignored);
    }
    if (thread_failed) return make_error(Errc::internal, "a network thread died (see the log)");
    log_->info("stopped");
    return ok();
}

Task<void> App::stop_on_signal() {
    auto [ec, signal] = co_await signals_->set.async_wait(kNoThrow);
    if (ec) co_return;
    log_->info("{} received: shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    signals_->stopping = true;
    signals_->ticker.cancel();
    if (pusher_sender_) pusher_sender_->stop();
    // Its backoff timers would keep the io_context running; its outbox stays.
    if (federation_sender_) federation_sender_->stop();
    asio::co_spawn(signals_->strand, stop_now_on_signal(), [this](std::exception_ptr failure) {
        log_failure(*log_, "signal handling", failure);
    });

    bool drained = co_await server_->shutdown(kShutdownGrace);
    if (drained) {
        signals_->set.cancel();  // ends stop_now_on_signal(), so the io_context runs out of work
    } else {
        log_->warn("{} connections still busy after {} s: closing them", server_->session_count(),
                   kShutdownGrace.count());
        io_->stop();
    }
}

Task<void> App::housekeeping() {
    constexpr std::chrono::seconds kTick{1};
    // Expiry of cached remote media (media.remote_retention_days): by one
    // process only when several share the store, like the senders.
    const std::int64_t media_lifetime = remote_media_lifetime_ms(config_.media);
    const std::int64_t media_check_every =
        std::chrono::milliseconds(config_.media.remote_retention_check).count();
    std::int64_t next_media_check = clock_.now_ms() + media_check_every;
    while (!signals_->stopping) {
        signals_->ticker.expires_after(kTick);
        auto [ec] = co_await signals_->ticker.async_wait(kNoThrow);
        if (ec || signals_->stopping) co_return;
        const auto now = clock_.now_ms();
        if (typing_->expire(now)) wake_->poke();
        if (bus_ && config_.presence_enabled) bus_->tick(now);  // who was seen here
        // Events another worker wrote: this worker's sender finds them here.
        if (bus_ && runs_senders(config_) && federation_sender_) federation_sender_->poke();
        if (config_.delivery_inferred) {
            auto noted = delivery_acks_->take();
            auto inferred = co_await infer_delivery(std::move(noted));
            if (!inferred) log_->warn("delivery inference: {}", inferred.error().message);
        }
        if (config_.presence_enabled) {
            auto due = presence_->tick(now);
            auto written = co_await write_presence(services_, std::move(due));
            if (!written) log_->warn("presence: {}", written.error().message);
        }
        if (media_lifetime > 0 && runs_senders(config_) && now >= next_media_check) {
            next_media_check = now + media_check_every;
            auto expired = co_await expire_remote_media(services_, now, media_lifetime);
            if (!expired)
                log_->warn("remote media expiry: {} ({})", expired.error().message,
                           expired.error().detail);
            else if (*expired > 0)
                log_->info("remote media expiry: removed {} cached items", *expired);
        }
    }
}

// One store write for every user whose syncs moved since the last tick
// (DeliveryAcks); wakes the senders' syncs once.
Task<Result<void>> App::infer_delivery(std::vector<std::pair<UserId, std::int64_t>> noted) {
    if (noted.empty()) co_return ok();
    const receipts::DeliveryPolicy policy{.explicit_receipts = config_.delivery_explicit,
                                          .inferred = config_.delivery_inferred,
                                          .public_rooms = config_.delivery_public_rooms};
    const auto now = clock_.now_ms();
    std::vector<store::InferredDeliveryRow> moves;  // for remote senders' servers
    auto moved = co_await db_->write(
        "infer_delivery", [&](store::WriteTxn& txn) -> Result<std::optional<store::Position>> {
            std::optional<store::Position> last;
            moves.clear();  // a retried transaction starts again
            for (const auto& [user, position] : noted) {
                auto pos = receipts::infer_delivery(txn, user, position, now, policy, &moves);
                if (!pos) return pos.error();
                if (*pos) last = *pos;
            }
            return last;
        });
    if (!moved) co_return moved.error();
    for (const auto& [user, position] : noted) delivery_acks_->acked(user, position);
    if (*moved) wake_->advanced(store::Stream::receipts, **moved);
    co_await share_inferred_delivery(services_, std::move(moves));
    co_return ok();
}

Task<void> App::stop_now_on_signal() {
    auto [ec, signal] = co_await signals_->set.async_wait(kNoThrow);
    if (ec) co_return;
    log_->warn("second signal received: stopping at once");
    io_->stop();
}

}  // namespace chat::daemon
