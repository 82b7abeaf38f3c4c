#include "api/client/pushers.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/push/notifications.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/client_event.hpp>

#include "api/client/event_context.hpp"
#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "push/pusher_request.hpp"
#include "services/services.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

// GET /notifications: the page size when none is asked for, and the most.
constexpr std::int64_t kDefaultNotificationLimit = 20;
constexpr std::int64_t kMaxNotificationLimit = 100;

Result<std::int64_t> integer_param(const Request& request, std::string_view name,
                                   std::int64_t fallback) {
    auto text = request.query(name);
    if (!text) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param,
                          "'" + std::string(name) + "' must be a non-negative integer");
    return value;
}

}  // namespace

// Blocks: SQLite.
Task<Result<Reply>> get_pushers(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& user = request.requester().user_id;
    auto pushers = co_await request.services().db->read(
        "get_pushers", [&](store::ReadTxn& txn) { return txn.pushers().for_user(user); });
    if (!pushers) co_return pushers.error();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : *pushers) list.push_back(push::pusher_json(p));
    co_return Reply::json({{"pushers", std::move(list)}});
}

// A pusher that is replaced keeps its delivery position; a new one starts at
// the current end of the events stream, so that it is not sent the user's
// whole history of notifications. Blocks: SQLite.
Task<Result<Reply>> post_pushers_set(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto change = push::parse_pusher_change(*body, user, services.clock->now_ms(),
                                            services.config->push.allow_private_gateways);
    if (!change) co_return change.error();

    auto stored = co_await services.db->write(
        "set_pusher", [&](store::WriteTxn& txn) -> Result<void> {
            if (!change->pusher) {
                auto removed = txn.pushers().remove(user, change->app_id, change->pushkey);
                if (!removed) return removed.error();
                return ok();
            }
            if (!change->append) {
                auto removed = txn.pushers().remove_for_other_users(change->app_id,
                                                                    change->pushkey, user);
                if (!removed) return removed.error();
            }
            auto existing = txn.pushers().for_user(user);
            if (!existing) return existing.error();
            std::optional<store::Position> kept;
            for (const auto& p : *existing)
                if (p.app_id == change->app_id && p.pushkey == change->pushkey)
                    kept = p.delivered_up_to;
            if (kept) {
                change->pusher->delivered_up_to = *kept;
            } else {
                auto now = txn.current_position(store::Stream::events);
                if (!now) return now.error();
                change->pusher->delivered_up_to = *now;
            }
            return txn.pushers().put(*change->pusher);
        });
    if (!stored) co_return stored.error();
    // The sender re-reads its pushers when woken.
    services.wake->poke();
    co_return Reply::json(nlohmann::json::object());
}

// `from` is the stream ordering to page back from (our next_token); `read`
// says whether the user's read receipt covers the event. Blocks: SQLite.
Task<Result<Reply>> get_notifications(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto limit = integer_param(request, "limit", kDefaultNotificationLimit);
    if (!limit) co_return limit.error();
    const auto page = std::clamp<std::int64_t>(*limit, 1, kMaxNotificationLimit);
    store::Position from = store::kMaxPosition;
    if (request.query("from")) {
        auto parsed = integer_param(request, "from", 0);
        if (!parsed) co_return make_error(Errc::invalid_param, "'from' is not a valid token");
        from = *parsed;
    }
    const bool only_highlight = request.query("only").value_or("") == "highlight";
    const auto& user = request.requester().user_id;

    auto body = co_await request.services().db->read(
        "get_notifications", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto ctx = client_context(txn, request);
            if (!ctx) return ctx.error();
            // One more than asked tells whether there is a next page.
            auto rows = txn.push_actions().newest_before(
                user, from, static_cast<std::size_t>(page) + 1, only_highlight);
            if (!rows) return rows.error();
            nlohmann::json list = nlohmann::json::array();
            const bool more = rows->size() > static_cast<std::size_t>(page);
            if (more) rows->pop_back();
            for (const auto& row : *rows) {
                auto stored = txn.events().get(row.event_id);
                if (!stored) return stored.error();
                if (!*stored) continue;  // purged since
                auto event = sync::load_client_event(txn, **stored, *ctx);
                if (!event) return event.error();
                auto read = chat::push::is_read(txn, row);
                if (!read) return read.error();
                list.push_back({{"actions", row.actions},
                                {"event", std::move(*event)},
                                {"profile_tag", nullptr},
                                {"read", *read},
                                {"room_id", row.room_id.str()},
                                {"ts", row.ts}});
            }
            nlohmann::json out{{"notifications", std::move(list)}};
            if (more && !rows->empty())
                out["next_token"] = std::to_string(rows->back().stream_ordering);
            return out;
        });
    if (!body) co_return body.error();
    co_return Reply::json(*body);
}

}  // namespace chat::daemon
