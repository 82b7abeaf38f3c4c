#include "api/client/relations.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include <chat/events/redaction.hpp>
#include <chat/events/room_version.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/aggregations.hpp>
#include <chat/sync/client_event.hpp>
#include <chat/sync/sync_token.hpp>

#include "api/client/path_params.hpp"
#include "api/client/event_context.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// /relations pages: the spec asks for a default and a cap. Every child costs
// a visibility check and its own bundle, hence a cap well under /messages'.
constexpr std::int64_t kDefaultRelationsLimit = 50;
constexpr std::int64_t kMaxRelationsLimit = 100;
// How deep `recurse=true` follows relations of relations (the spec: "at
// least 3 levels").
constexpr int kRecursionDepth = 3;
// /threads pages: each root carries a thread summary with its latest reply.
constexpr std::int64_t kDefaultThreadsLimit = 10;
constexpr std::int64_t kMaxThreadsLimit = 100;

// A positive integer query parameter clamped to [1, max], or `fallback`.
Result<std::int64_t> limit_query(const Request& request, std::int64_t fallback,
                                 std::int64_t max) {
    auto text = request.query("limit");
    if (!text) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param, "'limit' must be a non-negative integer");
    return std::clamp<std::int64_t>(value, 1, max);
}

// An optional pagination token parameter ("t<position>" or a sync token).
Result<std::optional<store::Position>> token_query(const Request& request,
                                                   std::string_view name) {
    auto text = request.query(name);
    if (!text || text->empty()) return std::optional<store::Position>();
    auto token = sync::PaginationToken::parse(*text);
    if (!token) return token.error();
    return std::optional<store::Position>(token->position);
}

// The parent of a /relations request: unknown, elsewhere, rejected or not
// visible to the requester all answer 404 alike, so that nothing leaks.
Result<store::StoredEvent> visible_parent(store::ReadTxn& txn, const UserId& user,
                                          const RoomId& room_id, const EventId& event_id) {
    auto event = txn.events().get(event_id);
    if (!event) return event.error();
    if (!*event || (*event)->room_id != room_id || (*event)->rejected_reason)
        return make_error(Errc::not_found, "Event not found.");
    auto visible = rooms::may_see_event(txn, user, **event);
    if (!visible) return visible.error();
    if (!*visible) return make_error(Errc::not_found, "Event not found.");
    return std::move(**event);
}

struct RelationsParams {
    RoomId room_id;
    EventId event_id;
    std::optional<std::string> rel_type;
    std::optional<std::string> event_type;
    bool backward = true;
    std::int64_t limit = kDefaultRelationsLimit;
    std::optional<store::Position> from;
    std::optional<store::Position> to;
    std::optional<std::string> from_text;  // echoed as prev_batch
    std::optional<bool> recurse;
};

Result<RelationsParams> relations_params(const Request& request,
                                         std::optional<std::string> rel_type,
                                         std::optional<std::string> event_type) {
    auto room_id = room_param(request);
    if (!room_id) return room_id.error();
    auto event_id = EventId::parse(request.path_param("eventId"));
    if (!event_id) return make_error(Errc::invalid_param, "Invalid event ID");
    RelationsParams params{.room_id = std::move(*room_id),
                           .event_id = std::move(*event_id),
                           .rel_type = std::move(rel_type),
                           .event_type = std::move(event_type)};
    // The spec's default direction here is backwards, unlike /messages,
    // which has no default.
    if (auto dir = request.query("dir")) {
        if (*dir != "b" && *dir != "f")
            return make_error(Errc::invalid_param, "'dir' must be b or f");
        params.backward = *dir == "b";
    }
    auto limit = limit_query(request, kDefaultRelationsLimit, kMaxRelationsLimit);
    if (!limit) return limit.error();
    params.limit = *limit;
    auto from = token_query(request, "from");
    if (!from) return from.error();
    params.from = *from;
    if (params.from) params.from_text = request.query("from");
    auto to = token_query(request, "to");
    if (!to) return to.error();
    params.to = *to;
    if (auto recurse = request.query("recurse")) {
        if (*recurse != "true" && *recurse != "false")
            return make_error(Errc::invalid_param, "'recurse' must be true or false");
        params.recurse = *recurse == "true";
    }
    return params;
}

// The tokens are those of /messages: "t<P>" sits just after the event at P.
// Backwards from P returns children at or below P, newest first; forwards,
// children above P, oldest first; `to` bounds the other end.
Task<Result<Reply>> relations(Request& request, std::optional<std::string> rel_type,
                              std::optional<std::string> event_type) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto params = relations_params(request, std::move(rel_type), std::move(event_type));
    if (!params) co_return params.error();
    const auto& services = request.services();
    auto page = co_await services.db->read(
        "get_relations", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            const auto& user = request.requester().user_id;
            auto parent = visible_parent(txn, user, params->room_id, params->event_id);
            if (!parent) return parent.error();
            auto ctx = client_context(txn, request);
            if (!ctx) return ctx.error();

            store::RelationsQuery query{
                .room_id = params->room_id,
                .parent_id = params->event_id,
                .rel_type = params->rel_type,
                .event_type = params->event_type,
                .direction = params->backward ? store::Direction::backward
                                              : store::Direction::forward,
                .limit = static_cast<std::size_t>(params->limit),
                .max_depth = params->recurse.value_or(false) ? kRecursionDepth : 1,
                .ignored_senders = ctx->ignored_senders};
            if (params->backward) {
                if (params->from) query.to = *params->from;
                if (params->to) query.from = *params->to;
            } else {
                if (params->from) query.from = *params->from;
                if (params->to) query.to = *params->to;
            }
            auto rows = txn.relations().children(query);
            if (!rows) return rows.error();
            std::vector<EventId> ids;
            ids.reserve(rows->size());
            for (const auto& row : *rows) ids.push_back(row.event_id);
            auto events = txn.events().get_many(ids);
            if (!events) return events.error();

            auto chunk = nlohmann::json::array();
            for (const auto& event : *events) {
                auto visible = rooms::may_see_event(txn, user, event);
                if (!visible) return visible.error();
                if (!*visible) continue;
                auto formatted = sync::load_client_event(txn, event, *ctx);
                if (!formatted) return formatted.error();
                chunk.push_back(std::move(*formatted));
            }
            nlohmann::json out = {{"chunk", std::move(chunk)}};
            // A full page may have more behind it; a short one reached the end.
            if (rows->size() == query.limit) {
                const auto last = rows->back().stream_ordering;
                out["next_batch"] =
                    sync::PaginationToken{params->backward ? last - 1 : last}.str();
            }
            if (params->from_text) out["prev_batch"] = *params->from_text;
            if (params->recurse) out["recursion_depth"] = *params->recurse ? kRecursionDepth : 1;
            return out;
        });
    if (!page) co_return page.error();
    co_return Reply::json(*page);
}

// A thread root sent by a user the requester ignores is served redacted
// (spec threads_list.yaml: as a client aggregating locally would show it).
Result<store::StoredEvent> as_served_root(store::StoredEvent root,
                                          const sync::ClientEventContext& ctx) {
    const auto sender = root.sender.str();
    if (std::find(ctx.ignored_senders.begin(), ctx.ignored_senders.end(), sender) ==
        ctx.ignored_senders.end())
        return root;
    auto version = RoomVersion::get(root.room_version);
    if (!version) return make_error(Errc::storage, "stored event of an unknown room version");
    root.json = chat::redact(root.json, **version);
    return root;
}

}  // namespace

Task<Result<Reply>> get_relations(Request& request) {
    co_return co_await relations(request, std::nullopt, std::nullopt);
}

// The filters are named locals, not temporaries in the co_await expression,
// which GCC 12 may destroy twice (see api/client/reports.cpp).
Task<Result<Reply>> get_relations_by_rel_type(Request& request) {
    std::optional<std::string> rel_type(request.path_param("relType"));
    co_return co_await relations(request, std::move(rel_type), std::nullopt);
}

Task<Result<Reply>> get_relations_by_rel_and_event_type(Request& request) {
    std::optional<std::string> rel_type(request.path_param("relType"));
    std::optional<std::string> event_type(request.path_param("eventType"));
    co_return co_await relations(request, std::move(rel_type), std::move(event_type));
}

// Pages by the ordering of each thread's latest reply: `next_batch` is
// "t<P>" just below the last root's latest reply, and the next page holds
// threads whose latest reply is at or below P.
Task<Result<Reply>> get_threads(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto include = request.query("include").value_or("all");
    if (include != "all" && include != "participated")
        co_return make_error(Errc::invalid_param, "'include' must be all or participated");
    auto limit = limit_query(request, kDefaultThreadsLimit, kMaxThreadsLimit);
    if (!limit) co_return limit.error();
    auto from = token_query(request, "from");
    if (!from) co_return from.error();

    const auto& services = request.services();
    auto page = co_await services.db->read(
        "get_threads", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            const auto& user = request.requester().user_id;
            // Members, former members and world_readable rooms only (403 otherwise).
            auto readable = rooms::readable_state(txn, user, *room_id);
            if (!readable) return readable.error();
            auto ctx = client_context(txn, request);
            if (!ctx) return ctx.error();

            store::ThreadsQuery query{.room_id = *room_id,
                                      .limit = static_cast<std::size_t>(*limit),
                                      .ignored_senders = ctx->ignored_senders};
            if (*from) query.to = **from;
            if (include == "participated") query.participant = user;
            auto threads = txn.relations().threads(query);
            if (!threads) return threads.error();

            auto chunk = nlohmann::json::array();
            for (const auto& thread : *threads) {
                auto root = txn.events().get(thread.root_id);
                if (!root) return root.error();
                if (!*root) continue;
                auto visible = rooms::may_see_event(txn, user, **root);
                if (!visible) return visible.error();
                if (!*visible) continue;
                auto served = as_served_root(std::move(**root), *ctx);
                if (!served) return served.error();
                auto formatted = sync::load_client_event(txn, *served, *ctx);
                if (!formatted) return formatted.error();
                chunk.push_back(std::move(*formatted));
            }
            nlohmann::json out = {{"chunk", std::move(chunk)}};
            if (threads->size() == query.limit)
                out["next_batch"] =
                    sync::PaginationToken{threads->back().latest_ordering - 1}.str();
            return out;
        });
    if (!page) co_return page.error();
    co_return Reply::json(*page);
}

}  // namespace chat::daemon
