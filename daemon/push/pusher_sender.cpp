#include "push/pusher_sender.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include <chat/push/notifications.hpp>
#include <chat/store/txn.hpp>

#include "push/gateway_client.hpp"
#include "push/pusher_request.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon::push {

namespace {

// Notifications read per store read; a pusher far behind takes several.
constexpr std::size_t kBatch = 20;

// The content field `name` of the room's current state event (type, key).
Result<std::optional<std::string>> state_string(store::ReadTxn& txn, const RoomId& room_id,
                                                std::string_view type, std::string_view key,
                                                std::string_view name) {
    auto id = txn.current_state().entry(room_id, type, key);
    if (!id) return id.error();
    if (!*id) return std::optional<std::string>();
    auto event = txn.events().get(**id);
    if (!event) return event.error();
    if (!*event) return std::optional<std::string>();
    const auto content = (*event)->json.find("content");
    if (content == (*event)->json.end() || !content->is_object())
        return std::optional<std::string>();
    const auto value = content->find(name);
    if (value == content->end() || !value->is_string()) return std::optional<std::string>();
    return std::optional<std::string>(value->get<std::string>());
}

struct Pending {
    store::PushActionRow action;
    std::string body;  // the JSON text to POST
};

// The pusher's next notifications after `after`, with their request bodies.
Result<std::vector<Pending>> read_pending(store::ReadTxn& txn, const store::PusherRow& pusher,
                                          store::Position after) {
    auto rows = txn.push_actions().oldest_after(pusher.user_id, after, kBatch);
    if (!rows) return rows.error();
    std::vector<Pending> out;
    if (rows->empty()) return out;
    auto unread = chat::push::badge_count(txn, pusher.user_id);
    if (!unread) return unread.error();
    for (auto& row : *rows) {
        NotificationFacts facts{.unread = *unread};
        auto event = txn.events().get(row.event_id);
        if (!event) return event.error();
        if (*event) {
            facts.event = (*event)->json;
            auto name = state_string(txn, row.room_id, "m.room.member",
                                     (*event)->sender.str(), "displayname");
            if (!name) return name.error();
            facts.sender_display_name = std::move(*name);
        } else {
            facts.event = nlohmann::json::object();
        }
        auto room_name = state_string(txn, row.room_id, "m.room.name", "", "name");
        if (!room_name) return room_name.error();
        facts.room_name = std::move(*room_name);
        auto body = notify_body(pusher, row, facts).dump();
        out.push_back({.action = std::move(row), .body = std::move(body)});
    }
    return out;
}

}  // namespace

PusherSender::PusherSender(federation::DbExecutor& db, WakeHub& wake, Options options,
                           spdlog::logger& log)
    : db_(db), wake_(wake), options_(options), log_(log) {}

std::chrono::milliseconds PusherSender::backoff_delay(const Options& options, int failures) {
    auto delay = options.retry_base;
    for (int i = 1; i < failures && delay < options.retry_max; ++i) delay *= 2;
    return std::min(delay, options.retry_max);
}

void PusherSender::stop() {
    stopping_ = true;
    wake_.poke();  // ends the wait in run()
}

Task<void> PusherSender::run() {
    while (!stopping_) {
        // Noted before reading, so that a push action committed during the
        // pass wakes the next wait at once.
        const auto seen = wake_.generation();
        auto due = co_await deliver_all();
        if (stopping_) break;
        auto wait = options_.safety_interval;
        if (due) {
            auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now());
            wait = std::clamp(until, std::chrono::milliseconds(1), wait);
        }
        co_await wake_.wait_past(seen, wait);
    }
}

Task<std::optional<PusherSender::Clock::time_point>> PusherSender::deliver_all() {
    auto pushers = co_await db_.read("pushers_all",
                                     [](store::ReadTxn& txn) { return txn.pushers().all(); });
    if (!pushers) {
        log_.warn("push: cannot read pushers: {} {}", pushers.error().message,
                  pushers.error().detail);
        co_return Clock::now() + options_.retry_base;
    }
    // Forget the backoff of pushers that were removed.
    std::map<PusherKey, Backoff> still;
    for (const auto& p : *pushers) {
        PusherKey key{std::string(p.user_id.str()), p.app_id, p.pushkey};
        if (auto it = backoff_.find(key); it != backoff_.end()) still.insert(*it);
    }
    backoff_ = std::move(still);

    for (auto& pusher : *pushers) {
        if (stopping_) break;
        PusherKey key{std::string(pusher.user_id.str()), pusher.app_id, pusher.pushkey};
        if (auto it = backoff_.find(key); it != backoff_.end() && it->second.next_try > Clock::now())
            continue;
        co_await deliver(pusher);
    }
    std::optional<Clock::time_point> due;
    for (const auto& [key, b] : backoff_)
        if (!due || b.next_try < *due) due = b.next_try;
    co_return due;
}

Task<void> PusherSender::deliver(const store::PusherRow& pusher) {
    const PusherKey key{std::string(pusher.user_id.str()), pusher.app_id, pusher.pushkey};
    const std::string url = pusher.data.is_object() ? pusher.data.value("url", "") : "";
    store::Position position = pusher.delivered_up_to;
    while (!stopping_) {
        auto pending = co_await db_.read("push_pending", [&](store::ReadTxn& txn) {
            return read_pending(txn, pusher, position);
        });
        if (!pending) {
            log_.warn("push: cannot read notifications: {} {}", pending.error().message,
                      pending.error().detail);
            co_return;
        }
        if (pending->empty()) {
            backoff_.erase(key);
            co_return;
        }
        for (const auto& item : *pending) {
            if (stopping_) co_return;
            GatewayAnswer answer;
            // Checked again at send time: the setting may have changed
            // since the pusher was stored.
            if (gateway_url_allowed(url, options_.allow_private_gateways)) {
                const auto timeout = options_.gateway_timeout;
                answer = co_await http_pool_.run(
                    [&url, &item, timeout] { return post_notify(url, item.body, timeout); });
            } else {
                answer.status = 400;
                answer.error = "gateway URL not allowed";
            }

            if (answer.retry()) {
                auto& b = backoff_[key];
                b.failures += 1;
                const auto delay = backoff_delay(options_, b.failures);
                b.next_try = Clock::now() + delay;
                log_.warn("push: gateway {} for {} failed ({} {}); retry {} in {} ms", url,
                          pusher.user_id.str(), answer.status, answer.error, b.failures,
                          delay.count());
                co_return;
            }
            backoff_.erase(key);
            if (answer.delivered() &&
                std::find(answer.rejected.begin(), answer.rejected.end(), pusher.pushkey) !=
                    answer.rejected.end()) {
                auto removed = co_await db_.write("pusher_rejected", [&](store::WriteTxn& txn) {
                    return txn.pushers().remove(pusher.user_id, pusher.app_id, pusher.pushkey);
                });
                if (!removed) log_.warn("push: cannot remove a rejected pusher: {}",
                                        removed.error().message);
                log_.info("push: gateway {} rejected a pushkey of {}: pusher removed", url,
                          pusher.user_id.str());
                co_return;
            }
            if (!answer.delivered())
                log_.warn("push: gateway {} refused a notification for {} ({}): dropped", url,
                          pusher.user_id.str(), answer.status);
            const auto next = item.action.stream_ordering;
            auto moved = co_await db_.write("pusher_delivered", [&](store::WriteTxn& txn) {
                return txn.pushers().set_delivered(pusher.user_id, pusher.app_id,
                                                   pusher.pushkey, next);
            });
            if (!moved) {
                log_.warn("push: cannot record a delivery: {}", moved.error().message);
                co_return;
            }
            if (!*moved) co_return;  // the pusher was removed meanwhile
            position = next;
        }
    }
}

}  // namespace chat::daemon::push
