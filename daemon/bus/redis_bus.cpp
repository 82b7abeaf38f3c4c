#include "bus/redis_bus.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include <hiredis/hiredis.h>
#include <spdlog/logger.h>

#include <chat/store/store.hpp>

#include "services/presence_tracker.hpp"
#include "services/typing_tracker.hpp"

namespace chat::daemon {

namespace {

// A connect, a SUBSCRIBE or a PUBLISH that takes longer means Redis is not
// usable now: drop the connection and retry with backoff.
constexpr timeval kRedisTimeout{.tv_sec = 1, .tv_usec = 0};

struct ContextFree {
    void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;

struct ReplyFree {
    void operator()(void* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

Reply take_reply(void* reply) { return Reply(static_cast<redisReply*>(reply)); }

std::string context_error(const redisContext* c, std::string_view what) {
    if (c == nullptr) return std::string(what) + ": out of memory";
    return std::string(what) + ": " + c->errstr;
}

}  // namespace

struct RedisBus::Connections {
    Context subscriber;
    Context publisher;
};

RedisBus::RedisBus(const WorkersConfig& config, store::Store& store, WakeHub& wake,
                   TypingTracker& typing, PresenceTracker& presence, const Clock& clock,
                   spdlog::logger& log)
    : config_(config), channel_(config.channel_prefix + ":bus"), store_(store), wake_(wake),
      typing_(typing), presence_(presence), clock_(clock), log_(log) {}

RedisBus::~RedisBus() {
    stop();
    // Closed only now: DB threads finishing their last writes may still
    // publish (and write to the pipe) after stop().
    for (int& fd : wake_pipe_) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
}

void RedisBus::start() {
    if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
        // Without the pipe the thread still runs; it only notices messages
        // to publish at its next poll timeout.
        wake_pipe_[0] = wake_pipe_[1] = -1;
    }
    thread_ = std::thread([this] { run(); });
}

void RedisBus::stop() {
    if (stopping_.exchange(true)) return;
    if (wake_pipe_[1] >= 0) (void)!::write(wake_pipe_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
}

void RedisBus::publish(bus::BusBody body) {
    auto text = bus::encode(bus::BusMessage{.worker = config_.name, .body = std::move(body)});
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= kMaxQueued) return;  // Redis is slow or gone: positions, not rows
        queue_.push_back(std::move(text));
    }
    if (wake_pipe_[1] >= 0) (void)!::write(wake_pipe_[1], "x", 1);
}

void RedisBus::local_advanced(store::Stream stream, store::Position position) {
    publish(bus::StreamAdvanced{.stream = stream, .position = position});
}

void RedisBus::local_poke() { publish(bus::Poke{}); }

void RedisBus::tick(std::int64_t now_ms) {
    auto seen = presence_.seen_after(last_tick_ms_);
    auto active = presence_.active_after(last_tick_ms_);
    last_tick_ms_ = now_ms;
    auto slice = [](const std::vector<UserId>& all, std::size_t from) {
        auto end = std::min(all.size(), from + bus::kMaxSeenUsers);
        if (from >= end) return std::vector<UserId>{};
        return std::vector<UserId>(all.begin() + static_cast<std::ptrdiff_t>(from),
                                   all.begin() + static_cast<std::ptrdiff_t>(end));
    };
    for (std::size_t i = 0; i < std::max(seen.size(), active.size()); i += bus::kMaxSeenUsers)
        publish(bus::PresenceSeen{.users = slice(seen, i), .active = slice(active, i)});
}

void RedisBus::run() {
    using SteadyClock = std::chrono::steady_clock;
    auto backoff = kMinBackoff;
    auto next_attempt = SteadyClock::now();
    auto next_poll = SteadyClock::now();
    bool warned = false;
    while (!stopping_) {
        if (!redis_ && SteadyClock::now() >= next_attempt) {
            if (connect()) {
                log_.info("workers: subscribed to {} on {}:{} as {}", channel_, config_.redis_host,
                          config_.redis_port, config_.name);
                backoff = kMinBackoff;
                warned = false;
                polled_.reset();
                connected_ = true;
                // What was published while we were not listening is in the store.
                wake_.remote_change();
            } else {
                next_attempt = SteadyClock::now() + backoff;
                backoff = std::min(backoff * 2, kMaxBackoff);
            }
        }
        if (redis_) {
            publish_queued();
            if (redis_ && !read_messages(kStorePoll)) disconnect("reading");
            if (!redis_) next_attempt = SteadyClock::now() + backoff;
            continue;
        }
        if (!warned) {
            log_.warn("workers: Redis {}:{} unreachable; polling the store every {} ms until it "
                      "is back",
                      config_.redis_host, config_.redis_port, kStorePoll.count());
            warned = true;
        }
        {
            std::lock_guard lock(mutex_);  // nobody to tell while disconnected
            dropped_ += queue_.size();
            queue_.clear();
        }
        // Due on schedule, not at every wake-up (each local commit queues a
        // message, which wakes this thread).
        if (SteadyClock::now() >= next_poll || !polled_) {
            poll_store();
            next_poll = SteadyClock::now() + kStorePoll;
        }
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::min(next_attempt, next_poll) - SteadyClock::now());
        wait_idle(std::clamp(until, std::chrono::milliseconds(1), kStorePoll));
    }
    redis_.reset();
    connected_ = false;
}

bool RedisBus::connect() {
    auto open = [&](std::string_view role) -> Context {
        Context c(redisConnectWithTimeout(config_.redis_host.c_str(), config_.redis_port,
                                          kRedisTimeout));
        if (!c || c->err) {
            log_.debug("workers: {}", context_error(c.get(), std::string(role) + " connect"));
            return nullptr;
        }
        if (redisSetTimeout(c.get(), kRedisTimeout) != REDIS_OK) return nullptr;
        return c;
    };
    auto connections = std::make_unique<Connections>();
    connections->publisher = open("publisher");
    if (!connections->publisher) return false;
    connections->subscriber = open("subscriber");
    if (!connections->subscriber) return false;
    redisContext* sub = connections->subscriber.get();
    auto confirmed = take_reply(redisCommand(sub, "SUBSCRIBE %b", channel_.data(),
                                             channel_.size()));
    if (!confirmed || confirmed->type != REDIS_REPLY_ARRAY) {
        log_.debug("workers: {}", context_error(sub, "subscribe"));
        return false;
    }
    redis_ = std::move(connections);
    return true;
}

void RedisBus::disconnect(std::string_view why) {
    if (redis_) {
        const redisContext* c = redis_->subscriber.get();
        log_.warn("workers: lost Redis ({}: {})", why, (c != nullptr && c->err != 0) ? c->errstr : "closed");
    }
    redis_.reset();
    connected_ = false;
    // The run loop polls the store at once: with no baseline, that poll
    // wakes every long-poll, so a change whose message was lost is read.
    polled_.reset();
}

void RedisBus::publish_queued() {
    std::deque<std::string> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(queue_);
    }
    for (const auto& text : batch) {
        redisContext* pub = redis_->publisher.get();
        auto reply = take_reply(
            redisCommand(pub, "PUBLISH %b %b", channel_.data(), channel_.size(), text.data(),
                         text.size()));
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            disconnect("publishing");
            return;
        }
    }
}

bool RedisBus::read_messages(std::chrono::milliseconds wait) {
    redisContext* sub = redis_->subscriber.get();
    pollfd fds[2] = {{.fd = sub->fd, .events = POLLIN, .revents = 0},
                     {.fd = wake_pipe_[0], .events = POLLIN, .revents = 0}};
    const nfds_t count = wake_pipe_[0] >= 0 ? 2 : 1;
    int ready = ::poll(fds, count, static_cast<int>(wait.count()));
    if (ready < 0) return true;  // EINTR: try again
    if (count == 2 && (fds[1].revents & POLLIN) != 0) {
        char drain[64];
        while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
        }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
    if (redisBufferRead(sub) != REDIS_OK) return false;
    for (;;) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(sub, &raw) != REDIS_OK) return false;
        auto reply = take_reply(raw);
        if (!reply) return true;
        // ["message", channel, payload]; subscription confirmations are skipped.
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) continue;
        const redisReply* kind = reply->element[0];
        const redisReply* payload = reply->element[2];
        if (kind->type != REDIS_REPLY_STRING || std::string_view(kind->str, kind->len) != "message")
            continue;
        if (payload->type != REDIS_REPLY_STRING) continue;
        auto message = bus::decode(std::string_view(payload->str, payload->len));
        if (!message) {
            log_.warn("workers: ignored a bad bus message: {}", message.error().detail);
            continue;
        }
        handle(*message);
    }
}

void RedisBus::wait_idle(std::chrono::milliseconds wait) {
    if (wake_pipe_[0] < 0) {
        std::this_thread::sleep_for(wait);
        return;
    }
    pollfd fd{.fd = wake_pipe_[0], .events = POLLIN, .revents = 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) > 0) {
        char drain[64];
        while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
        }
    }
}

void RedisBus::poll_store() {
    auto positions = store_.read("workers_poll", [](store::ReadTxn& txn) {
        return txn.streams().current_all();
    });
    if (!positions) {
        log_.warn("workers: polling the store: {}", positions.error().detail);
        return;
    }
    // Baseline first, then the wake: a commit after this read is found by
    // the next poll, one before it by the long-polls this wakes.
    const bool moved = !polled_ || *polled_ != *positions;
    polled_ = *positions;
    if (moved) wake_.remote_change();
}

void RedisBus::handle(const bus::BusMessage& message) {
    if (message.worker == config_.name) return;  // our own, back from Redis
    std::visit(
        [&](const auto& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, bus::StreamAdvanced> || std::is_same_v<T, bus::Poke>) {
                (void)body;  // which stream does not matter: every waiter re-reads
                wake_.remote_change();
            } else if constexpr (std::is_same_v<T, bus::TypingChanged>) {
                if (typing_.apply_remote(body.room_id, body.user_id, body.typing, body.expires_ms,
                                         body.stamp))
                    wake_.remote_change();
            } else if constexpr (std::is_same_v<T, bus::PresenceSeen>) {
                const auto now = clock_.now_ms();
                for (const auto& user : body.users) presence_.seen_elsewhere(user, now);
                for (const auto& user : body.active) presence_.active_elsewhere(user, now);
            }
        },
        message.body);
}

}  // namespace chat::daemon
