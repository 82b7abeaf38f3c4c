#include "api/client/sync.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/presence/presence.hpp>
#include <chat/sync/filter.hpp>
#include <chat/sync/sync_assembler.hpp>
#include <chat/sync/sync_token.hpp>
#include <chat/store/txn.hpp>

#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "services/delivery_acks.hpp"
#include "services/presence_tracker.hpp"
#include "services/presence_writer.hpp"
#include "services/services.hpp"
#include "services/typing_tracker.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

// Clients ask for 30 s; a longer wait only holds a socket for nothing.
constexpr std::chrono::milliseconds kMaxSyncTimeout{5 * 60 * 1000};

Result<std::chrono::milliseconds> sync_timeout(const Request& request) {
    auto text = request.query("timeout");
    if (!text || text->empty()) return std::chrono::milliseconds(0);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param, "'timeout' must be a non-negative integer");
    return std::min(std::chrono::milliseconds(value), kMaxSyncTimeout);
}

Task<Result<UserId>> own_user(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "Cannot use another user's filters");
    co_return std::move(*user);
}

// set_presence: online when absent (spec).
Result<presence::State> set_presence_param(const Request& request) {
    auto text = request.query("set_presence");
    if (!text || text->empty()) return presence::State::online;
    auto state = presence::parse_state(*text);
    if (!state)
        return make_error(Errc::invalid_param,
                          "'set_presence' must be online, unavailable or offline");
    return *state;
}

// While a /sync runs, its user counts as connected (no offline timeout).
class SyncingGuard {
public:
    SyncingGuard(const Services& services, UserId user)
        : services_(services), user_(std::move(user)) {}
    ~SyncingGuard() { services_.presence->sync_ended(user_, services_.clock->now_ms()); }
    SyncingGuard(const SyncingGuard&) = delete;
    SyncingGuard& operator=(const SyncingGuard&) = delete;

private:
    const Services& services_;
    UserId user_;
};

// Syncing with `since` acknowledges the to-device messages sent up to it
// (spec: they are deleted then, not when first sent). A read first, so a
// sync with nothing to delete costs no write.
Task<Result<void>> acknowledge_to_device(const Request& request, const sync::SyncToken& since) {
    const auto& services = request.services();
    const auto& requester = request.requester();
    const auto through = since.streams[store::Stream::to_device];
    auto waiting = co_await services.db->read("to_device_acked", [&](store::ReadTxn& txn) {
        return txn.to_device().pending(requester.user_id, requester.device_id,
                                       store::kMinPosition, through, 1);
    });
    if (!waiting) co_return waiting.error();
    if (waiting->empty()) co_return chat::ok();
    auto dropped = co_await services.db->write("to_device_ack", [&](store::WriteTxn& txn) {
        return txn.to_device().remove_through(requester.user_id, requester.device_id, through);
    });
    if (!dropped) co_return dropped.error();
    co_return chat::ok();
}

}  // namespace

// A long-poll costs this coroutine and its socket, never a thread: between
// reads it waits on the WakeHub. The generation is noted before each read,
// so a change committed after the read's snapshot wakes the wait at once.
// Query parameters this server does not know (matrix-js-sdk sends some) are
// ignored, as the spec requires. Blocks a DB reader thread per attempt.
Task<Result<Reply>> get_sync(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    const auto& requester = request.requester();

    std::optional<sync::SyncToken> since;
    if (auto text = request.query("since"); text && !text->empty()) {
        auto token = sync::SyncToken::parse(*text);
        if (!token) co_return token.error();
        since = *token;
    }
    auto timeout = sync_timeout(request);
    if (!timeout) co_return timeout.error();
    const bool full_state = request.query("full_state").value_or("false") == "true";
    auto set_presence = set_presence_param(request);
    if (!set_presence) co_return set_presence.error();

    sync::Filter filter;
    if (auto param = request.query("filter"); param && !param->empty()) {
        auto loaded = co_await services.db->read("load_filter", [&](store::ReadTxn& txn) {
            return sync::load_filter(txn, requester.user_id, *param);
        });
        if (!loaded) co_return loaded.error();
        filter = std::move(*loaded);
    }

    // A sync whose `since` is past events this user had not acknowledged
    // proves that one of their devices received them: delivery is inferred
    // for the senders at the next housekeeping tick (DeliveryAcks).
    if (since && services.config->delivery_inferred)
        services.delivery_acks->note(requester.user_id,
                                     since->streams[store::Stream::events]);
    const bool presence_on = services.config->presence_enabled;
    std::optional<SyncingGuard> syncing;
    if (presence_on) {
        syncing.emplace(services, requester.user_id);
        if (services.presence->sync_started(requester.user_id, *set_presence,
                                            services.clock->now_ms())) {
            std::vector<UserId> users{requester.user_id};
            (void)co_await write_presence(services, std::move(users));
        }
    }

    sync::SyncRequest sync_request{.user = requester.user_id,
                                   .device_id = requester.device_id,
                                   .since = since,
                                   .full_state = full_state,
                                   .filter = std::move(filter),
                                   .typing = services.typing,
                                   .presence = presence_on};
    if (since) {
        auto acked = co_await acknowledge_to_device(request, *since);
        if (!acked) co_return acked.error();
    }
    const auto deadline = std::chrono::steady_clock::now() + *timeout;
    for (;;) {
        auto generation = services.wake->generation();
        // Read before the store snapshot: a typing change that races with
        // it is sent again next time rather than lost.
        sync_request.typing_position = services.typing->position();
        sync_request.now_ts = services.clock->now_ms();
        auto result = co_await services.db->read("sync", [&](store::ReadTxn& txn) {
            return sync::assemble_sync(txn, sync_request);
        });
        if (!result) co_return result.error();
        auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (result->has_updates || remaining.count() <= 0) co_return Reply::json(result->body);
        bool woke = co_await services.wake->wait_past(generation, remaining);
        if (!woke) co_return Reply::json(result->body);
    }
}

Task<Result<Reply>> post_filter(Request& request) {
    auto user = co_await own_user(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto filter = sync::Filter::from_json(*body);  // refuse what /sync could not use
    if (!filter) co_return filter.error();
    const auto& services = request.services();
    auto id = co_await services.db->write("add_filter", [&](store::WriteTxn& txn) {
        return txn.filters().add(*user, filter->original);
    });
    if (!id) co_return id.error();
    co_return Reply::json({{"filter_id", std::to_string(*id)}});
}

Task<Result<Reply>> get_filter(Request& request) {
    auto user = co_await own_user(request);
    if (!user) co_return user.error();
    std::string_view text = request.path_param("filterId");
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || id < 0)
        co_return make_error(Errc::not_found, "No such filter");
    const auto& services = request.services();
    auto filter = co_await services.db->read(
        "get_filter", [&](store::ReadTxn& txn) { return txn.filters().get(*user, id); });
    if (!filter) co_return filter.error();
    if (!*filter) co_return make_error(Errc::not_found, "No such filter");
    co_return Reply::json(**filter);
}

}  // namespace chat::daemon
