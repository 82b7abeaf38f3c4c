#include "api/client/rooms_read.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/parse.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/sync/aggregations.hpp>
#include <chat/sync/client_event.hpp>
#include <chat/sync/filter.hpp>
#include <chat/sync/sync_token.hpp>
#include <chat/store/txn.hpp>

#include "api/client/path_params.hpp"
#include "api/client/event_context.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// /messages and /context answer at most this many events per request,
// whatever `limit` asks (Synapse caps at 1000 too).
constexpr std::int64_t kMaxPageEvents = 1000;

// A non-negative integer query parameter, or `fallback` when absent.
Result<std::int64_t> integer_query(const Request& request, std::string_view name,
                                   std::int64_t fallback) {
    auto text = request.query(name);
    if (!text) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param, "'" + std::string(name) + "' must be a number");
    return value;
}

// The events of `ids` the requester may see, formatted for clients, in order.
Result<nlohmann::json> visible_events(store::ReadTxn& txn, const Request& request,
                                      const std::vector<store::StoredEvent>& events) {
    auto ctx = client_context(txn, request);
    if (!ctx) return ctx.error();
    const auto& ignored = ctx->ignored_senders;
    auto out = nlohmann::json::array();
    for (const auto& event : events) {
        // An ignored user's events never reach the one who ignores them
        // (state events stay: they shape the room).
        if (!event.state_key &&
            std::find(ignored.begin(), ignored.end(), event.sender.str()) != ignored.end())
            continue;
        auto visible = rooms::may_see_event(txn, request.requester().user_id, event);
        if (!visible) return visible.error();
        if (!*visible) continue;
        auto formatted = sync::load_client_event(txn, event, *ctx);
        if (!formatted) return formatted.error();
        out.push_back(std::move(*formatted));
    }
    return out;
}

Result<nlohmann::json> state_events_json(store::ReadTxn& txn, const Request& request,
                                         const StateMap& state) {
    std::vector<EventId> ids;
    ids.reserve(state.size());
    for (const auto& [key, id] : state) ids.push_back(id);
    auto events = txn.events().get_many(ids);
    if (!events) return events.error();
    auto ctx = client_context(txn, request);
    if (!ctx) return ctx.error();
    auto out = nlohmann::json::array();
    for (const auto& event : *events) {
        auto formatted = sync::load_client_event(txn, event, *ctx);
        if (!formatted) return formatted.error();
        out.push_back(std::move(*formatted));
    }
    return out;
}

Task<Result<Reply>> state_event(Request& request, std::string state_key) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    std::string type(request.path_param("eventType"));
    const bool whole_event = request.query("format").value_or("content") == "event";
    const auto& services = request.services();
    auto found = co_await services.db->read(
        "get_room_state_event", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto state = rooms::readable_state(txn, request.requester().user_id, *room_id);
            if (!state) return state.error();
            auto it = state->find(StateKey{type, state_key});
            if (it == state->end())
                return make_error(Errc::not_found, "Event not found.");
            auto event = txn.events().get(it->second);
            if (!event) return event.error();
            if (!*event) return make_error(Errc::not_found, "Event not found.");
            if (whole_event) {
                auto ctx = client_context(txn, request);
                if (!ctx) return ctx.error();
                return sync::load_client_event(txn, **event, *ctx);
            }
            auto content = (*event)->json.find("content");
            return content != (*event)->json.end() ? *content : nlohmann::json::object();
        });
    if (!found) co_return found.error();
    co_return Reply::json(*found);
}

}  // namespace

Task<Result<Reply>> get_joined_rooms(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto rows = co_await services.db->read("get_joined_rooms", [&](store::ReadTxn& txn) {
        return txn.members().rooms_for_user(request.requester().user_id, "join");
    });
    if (!rows) co_return rows.error();
    auto ids = nlohmann::json::array();
    for (const auto& row : *rows) ids.push_back(std::string(row.room_id.str()));
    co_return Reply::json({{"joined_rooms", ids}});
}

Task<Result<Reply>> get_room_state(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto events = co_await services.db->read(
        "get_room_state", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto state = rooms::readable_state(txn, request.requester().user_id, *room_id);
            if (!state) return state.error();
            return state_events_json(txn, request, *state);
        });
    if (!events) co_return events.error();
    co_return Reply::json(*events);
}

Task<Result<Reply>> get_room_state_event(Request& request) {
    co_return co_await state_event(request, std::string(request.path_param("stateKey")));
}

Task<Result<Reply>> get_room_state_event_empty_key(Request& request) {
    co_return co_await state_event(request, std::string());
}

// `at` (a pagination token) asks for the members as they were at that point
// of the timeline: the state after the last event at or before it.
Task<Result<Reply>> get_room_members(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    std::optional<sync::PaginationToken> at;
    if (auto text = request.query("at")) {
        auto parsed = sync::PaginationToken::parse(*text);
        if (!parsed) co_return parsed.error();
        at = *parsed;
    }
    auto membership = request.query("membership");
    auto not_membership = request.query("not_membership");
    const auto& services = request.services();
    auto events = co_await services.db->read(
        "get_room_members", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto state = rooms::readable_state(txn, request.requester().user_id, *room_id);
            if (!state) return state.error();
            if (at) {
                auto last = txn.events().room_events({.room_id = *room_id,
                                                      .to = at->position,
                                                      .direction = store::Direction::backward,
                                                      .limit = 1});
                if (!last) return last.error();
                if (!last->empty() && last->front().state_group_after) {
                    auto then = txn.state().state_at(*last->front().state_group_after);
                    if (!then) return then.error();
                    *state = std::move(*then);
                }
            }
            StateMap members;
            for (const auto& [key, id] : *state)
                if (key.type == "m.room.member") members.emplace(key, id);
            auto formatted = state_events_json(txn, request, members);
            if (!formatted) return formatted.error();
            auto chunk = nlohmann::json::array();
            for (auto& event : *formatted) {
                auto value = event["content"].value("membership", std::string());
                if (membership && value != *membership) continue;
                if (not_membership && value == *not_membership) continue;
                chunk.push_back(std::move(event));
            }
            return chunk;
        });
    if (!events) co_return events.error();
    co_return Reply::json({{"chunk", *events}});
}

Task<Result<Reply>> get_room_joined_members(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto joined = co_await services.db->read(
        "get_room_joined_members", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto state = rooms::readable_state(txn, request.requester().user_id, *room_id);
            if (!state) return state.error();
            auto out = nlohmann::json::object();
            std::vector<EventId> ids;
            for (const auto& [key, id] : *state)
                if (key.type == "m.room.member") ids.push_back(id);
            auto events = txn.events().get_many(ids);
            if (!events) return events.error();
            for (const auto& event : *events) {
                const auto& content = event.json["content"];
                if (!content.is_object() || content.value("membership", "") != "join") continue;
                // display_name null rather than absent: matrix-nio requires
                // the field (remote joins often carry no displayname).
                nlohmann::json member = {{"display_name", nullptr}};
                if (auto it = content.find("displayname"); it != content.end() && it->is_string())
                    member["display_name"] = *it;
                if (auto it = content.find("avatar_url"); it != content.end() && it->is_string())
                    member["avatar_url"] = *it;
                out[*event.state_key] = member;
            }
            return out;
        });
    if (!joined) co_return joined.error();
    co_return Reply::json({{"joined", *joined}});
}

// An event the requester may not see is answered like one that does not
// exist, so that the answer leaks nothing.
Task<Result<Reply>> get_room_event(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto event_id = EventId::parse(request.path_param("eventId"));
    if (!event_id) co_return make_error(Errc::invalid_param, "Invalid event ID");
    const auto& services = request.services();
    auto found = co_await services.db->read(
        "get_room_event", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto event = txn.events().get(*event_id);
            if (!event) return event.error();
            if (!*event || (*event)->room_id != *room_id || (*event)->rejected_reason)
                return make_error(Errc::not_found, "Event not found.");
            auto visible = rooms::may_see_event(txn, request.requester().user_id, **event);
            if (!visible) return visible.error();
            if (!*visible) return make_error(Errc::not_found, "Event not found.");
            auto ctx = client_context(txn, request);
            if (!ctx) return ctx.error();
            return sync::load_client_event(txn, **event, *ctx);
        });
    if (!found) co_return found.error();
    co_return Reply::json(*found);
}

// Pagination tokens are events stream positions (sync::PaginationToken):
// "t<P>" sits just after the event at P. Backwards from P returns events at
// or below P, newest first; forwards, events above P, oldest first. `end` is
// omitted when there is nothing more in that direction (the spec's signal).
Task<Result<Reply>> get_room_messages(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto dir = request.query("dir");
    if (!dir) co_return make_error(Errc::missing_param, "Missing 'dir'");
    if (*dir != "b" && *dir != "f") co_return make_error(Errc::invalid_param, "'dir' must be b or f");
    const bool backward = *dir == "b";
    auto limit = integer_query(request, "limit", 10);
    if (!limit) co_return limit.error();
    *limit = std::clamp<std::int64_t>(*limit, 1, kMaxPageEvents);
    std::optional<store::Position> from;
    if (auto text = request.query("from"); text && !text->empty()) {
        auto token = sync::PaginationToken::parse(*text);
        if (!token) co_return token.error();
        from = token->position;
    }
    std::optional<store::Position> to;
    if (auto text = request.query("to"); text && !text->empty()) {
        auto token = sync::PaginationToken::parse(*text);
        if (!token) co_return token.error();
        to = token->position;
    }

    // A RoomEventFilter as JSON text, read through the sync filter parser.
    sync::RoomEventFilter filter;
    if (auto text = request.query("filter"); text && !text->empty()) {
        auto parsed = chat::json::parse(*text);
        if (!parsed) co_return parsed.error();
        auto full = sync::Filter::from_json({{"room", {{"timeline", std::move(*parsed)}}}});
        if (!full) co_return full.error();
        filter = std::move(full->room.timeline);
    }

    const auto& services = request.services();
    auto page = co_await services.db->read(
        "get_room_messages", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto membership = rooms::current_membership(txn, request.requester().user_id, *room_id);
            if (!membership) return membership.error();
            if (!*membership) {
                // Only members and world_readable rooms: readable_state says which.
                auto state = rooms::readable_state(txn, request.requester().user_id, *room_id);
                if (!state) return state.error();
            }
            store::RoomEventsQuery query{.room_id = *room_id,
                                         .direction = backward ? store::Direction::backward
                                                               : store::Direction::forward,
                                         .limit = static_cast<std::size_t>(*limit)};
            if (backward) {
                if (from) query.to = *from;
                if (to) query.from = *to;
            } else {
                if (from) query.from = *from;
                if (to) query.to = *to;
            }
            std::int64_t start = 0;
            if (from) {
                start = *from;
            } else {
                auto current = txn.streams().current(store::Stream::events);
                if (!current) return current.error();
                start = backward ? *current : store::kMinPosition;
            }
            auto events = txn.events().room_events(query);
            if (!events) return events.error();
            std::vector<store::StoredEvent> kept;
            for (auto& event : *events)
                if (filter.matches(event)) kept.push_back(event);
            auto chunk = visible_events(txn, request, kept);
            if (!chunk) return chunk.error();
            nlohmann::json out = {{"chunk", std::move(*chunk)},
                                  {"start", sync::PaginationToken{start}.str()}};
            // A full page may have more behind it; a short one reached the end.
            if (events->size() == query.limit) {
                auto last = events->back().stream_ordering;
                out["end"] = sync::PaginationToken{backward ? last - 1 : last}.str();
            }
            if (filter.lazy_load_members) {
                // The member events of the chunk's senders, as they are now.
                StateMap members;
                for (const auto& event : kept) {
                    auto id = txn.current_state().entry(*room_id, "m.room.member",
                                                        event.sender.str());
                    if (!id) return id.error();
                    if (*id) members.emplace(StateKey{"m.room.member", std::string(event.sender.str())}, **id);
                }
                auto state = state_events_json(txn, request, members);
                if (!state) return state.error();
                out["state"] = std::move(*state);
            }
            return out;
        });
    if (!page) co_return page.error();
    co_return Reply::json(*page);
}

Task<Result<Reply>> get_room_context(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto event_id = EventId::parse(request.path_param("eventId"));
    if (!event_id) co_return make_error(Errc::invalid_param, "Invalid event ID");
    auto limit = integer_query(request, "limit", 10);
    if (!limit) co_return limit.error();
    *limit = std::clamp<std::int64_t>(*limit, 0, kMaxPageEvents);
    const auto& services = request.services();
    auto context = co_await services.db->read(
        "get_room_context", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto event = txn.events().get(*event_id);
            if (!event) return event.error();
            if (!*event || (*event)->room_id != *room_id || (*event)->rejected_reason)
                return make_error(Errc::not_found, "Event not found.");
            const auto& user = request.requester().user_id;
            auto visible = rooms::may_see_event(txn, user, **event);
            if (!visible) return visible.error();
            if (!*visible) return make_error(Errc::not_found, "Event not found.");
            const auto at = (*event)->stream_ordering;
            // The spec splits `limit` between the two sides.
            const auto before_limit = static_cast<std::size_t>(*limit / 2);
            const auto after_limit = static_cast<std::size_t>(*limit - *limit / 2);
            std::vector<store::StoredEvent> before, after;
            if (before_limit > 0) {
                auto got = txn.events().room_events({.room_id = *room_id, .to = at - 1,
                                                     .direction = store::Direction::backward,
                                                     .limit = before_limit});
                if (!got) return got.error();
                before = std::move(*got);
            }
            if (after_limit > 0) {
                auto got = txn.events().room_events({.room_id = *room_id, .from = at,
                                                     .direction = store::Direction::forward,
                                                     .limit = after_limit});
                if (!got) return got.error();
                after = std::move(*got);
            }
            auto ctx = client_context(txn, request);
            if (!ctx) return ctx.error();
            auto formatted = sync::load_client_event(txn, **event, *ctx);
            if (!formatted) return formatted.error();
            auto before_json = visible_events(txn, request, before);
            if (!before_json) return before_json.error();
            auto after_json = visible_events(txn, request, after);
            if (!after_json) return after_json.error();
            StateMap state;
            if ((*event)->state_group_before) {
                auto got = txn.state().state_at(*(*event)->state_group_before);
                if (!got) return got.error();
                state = std::move(*got);
            }
            auto state_json = state_events_json(txn, request, state);
            if (!state_json) return state_json.error();
            auto start = before.empty() ? at - 1 : before.back().stream_ordering - 1;
            auto end = after.empty() ? at : after.back().stream_ordering;
            return nlohmann::json{{"event", std::move(*formatted)},
                                  {"events_before", std::move(*before_json)},
                                  {"events_after", std::move(*after_json)},
                                  {"state", std::move(*state_json)},
                                  {"start", sync::PaginationToken{start}.str()},
                                  {"end", sync::PaginationToken{end}.str()}};
        });
    if (!context) co_return context.error();
    co_return Reply::json(*context);
}

}  // namespace chat::daemon
