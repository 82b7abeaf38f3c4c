#include "api/federation/room_events.hpp"

#include <algorithm>
#include <deque>
#include <set>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/federation/room_access.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxEventsPerAnswer = 100;

Result<RoomId> room_from_path(const Request& request) {
    auto room = RoomId::parse(request.path_param("roomId"));
    if (!room) return make_error(Errc::invalid_param, "Invalid room id");
    return std::move(*room);
}

Result<EventId> event_from(std::string_view text) {
    auto id = EventId::parse(text);
    if (!id) return make_error(Errc::invalid_param, "Invalid event id");
    return std::move(*id);
}

json transaction_of(const Services& services, json pdus) {
    return {{"origin", services.server_name},
            {"origin_server_ts", services.clock->now_ms()},
            {"pdus", std::move(pdus)}};
}

// Walks prev_events back from `from`, breadth first, not past `stop`, at
// most `limit` events: the shape of both /get_missing_events and /backfill.
Result<std::vector<EventId>> walk_back(store::ReadTxn& txn, const std::vector<EventId>& from,
                                       const std::set<EventId>& stop, std::size_t limit,
                                       bool include_from) {
    std::vector<EventId> out;
    std::set<EventId> seen(stop.begin(), stop.end());
    std::deque<EventId> queue;
    for (const auto& id : from) {
        if (!seen.insert(id).second) continue;
        if (include_from)
            queue.push_back(id);
        else {
            auto prevs = txn.events().prev_events(id);
            if (!prevs) return prevs.error();
            for (auto& p : *prevs)
                if (seen.insert(p).second) queue.push_back(std::move(p));
        }
    }
    while (!queue.empty() && out.size() < limit) {
        EventId id = std::move(queue.front());
        queue.pop_front();
        const EventId one[] = {id};
        auto known = txn.events().filter_known(one);
        if (!known) return known.error();
        if (known->empty()) continue;
        out.push_back(id);
        auto prevs = txn.events().prev_events(id);
        if (!prevs) return prevs.error();
        for (auto& p : *prevs)
            if (seen.insert(p).second) queue.push_back(std::move(p));
    }
    return out;
}

}  // namespace

Task<Result<Reply>> get_federation_event(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto id = event_from(request.path_param("eventId"));
    if (!id) co_return id.error();
    auto pdus = co_await services.db->read("federation_event", [&](store::ReadTxn& txn) -> Result<json> {
        auto event = txn.events().get(*id);
        if (!event) return event.error();
        if (!*event) return make_error(Errc::not_found, "Unknown event");
        if (auto allowed = check_server_in_room(txn, (*event)->room_id, origin); !allowed)
            return allowed.error();
        return json::array({(*event)->json});
    });
    if (!pdus) co_return pdus.error();
    co_return Reply::json(transaction_of(services, std::move(*pdus)));
}

namespace {

Task<Result<StateAndChain>> state_for_request(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto room = room_from_path(request);
    if (!room) co_return room.error();
    auto text = request.query("event_id");
    if (!text) co_return make_error(Errc::missing_param, "Missing event_id");
    auto id = event_from(*text);
    if (!id) co_return id.error();
    co_return co_await services.db->read("federation_state", [&](store::ReadTxn& txn) -> Result<StateAndChain> {
        if (auto allowed = check_server_in_room(txn, *room, origin); !allowed)
            return allowed.error();
        auto event = txn.events().get(*id);
        if (!event) return event.error();
        if (!*event || (*event)->room_id != *room) return make_error(Errc::not_found, "Unknown event");
        // The state at the event is the state after it (spec: "the state of
        // the room at the given event" includes it when it is a state event).
        auto group = txn.state().group_after(*id);
        if (!group) return group.error();
        if (!*group) return make_error(Errc::not_found, "No state for that event");
        auto state = txn.state().state_at(**group);
        if (!state) return state.error();
        StateAndChain out;
        for (const auto& [key, sid] : *state) out.state.push_back(sid);
        auto chain = txn.events().auth_chain(out.state);
        if (!chain) return chain.error();
        out.auth_chain = std::move(*chain);
        return out;
    });
}

json ids_json(const std::vector<EventId>& ids) {
    json out = json::array();
    for (const auto& id : ids) out.push_back(std::string(id.str()));
    return out;
}

}  // namespace

Task<Result<Reply>> get_federation_state_ids(Request& request, const ServerName& origin) {
    auto found = co_await state_for_request(request, origin);
    if (!found) co_return found.error();
    co_return Reply::json(
        {{"pdu_ids", ids_json(found->state)}, {"auth_chain_ids", ids_json(found->auth_chain)}});
}

Task<Result<Reply>> get_federation_state(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto found = co_await state_for_request(request, origin);
    if (!found) co_return found.error();
    auto pdus = co_await services.db->read("federation_state_pdus", [&](store::ReadTxn& txn) -> Result<json> {
        auto state = pdus_json(txn, found->state);
        if (!state) return state.error();
        auto chain = pdus_json(txn, found->auth_chain);
        if (!chain) return chain.error();
        return json{{"pdus", std::move(*state)}, {"auth_chain", std::move(*chain)}};
    });
    if (!pdus) co_return pdus.error();
    co_return Reply::json(*pdus);
}

Task<Result<Reply>> get_federation_event_auth(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto room = room_from_path(request);
    if (!room) co_return room.error();
    auto id = event_from(request.path_param("eventId"));
    if (!id) co_return id.error();
    auto chain = co_await services.db->read("federation_event_auth", [&](store::ReadTxn& txn) -> Result<json> {
        if (auto allowed = check_server_in_room(txn, *room, origin); !allowed)
            return allowed.error();
        const EventId one[] = {*id};
        auto ids = txn.events().auth_chain(one);
        if (!ids) return ids.error();
        return pdus_json(txn, *ids);
    });
    if (!chain) co_return chain.error();
    co_return Reply::json({{"auth_chain", std::move(*chain)}});
}

Task<Result<Reply>> post_get_missing_events(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto room = room_from_path(request);
    if (!room) co_return room.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto ids_of = [&](const char* key) -> Result<std::vector<EventId>> {
        std::vector<EventId> out;
        auto it = body->find(key);
        if (it == body->end() || !it->is_array())
            return make_error(Errc::bad_json, std::string(key) + " must be an array");
        for (const auto& v : *it) {
            if (!v.is_string()) return make_error(Errc::bad_json, "Event ids must be strings");
            auto id = event_from(v.get<std::string>());
            if (!id) return id.error();
            out.push_back(std::move(*id));
        }
        return out;
    };
    auto earliest = ids_of("earliest_events");
    if (!earliest) co_return earliest.error();
    auto latest = ids_of("latest_events");
    if (!latest) co_return latest.error();
    std::size_t limit = 10;
    if (auto it = body->find("limit"); it != body->end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
            co_return make_error(Errc::bad_json, "limit must be a non-negative integer");
        limit = std::min<std::size_t>(it->get<std::size_t>(), kMaxEventsPerAnswer);
    }
    auto events = co_await services.db->read("federation_missing", [&](store::ReadTxn& txn) -> Result<json> {
        if (auto allowed = check_server_in_room(txn, *room, origin); !allowed)
            return allowed.error();
        std::set<EventId> stop(earliest->begin(), earliest->end());
        auto ids = walk_back(txn, *latest, stop, limit, /*include_from=*/false);
        if (!ids) return ids.error();
        auto rows = txn.events().get_many(*ids);
        if (!rows) return rows.error();
        std::sort(rows->begin(), rows->end(),
                  [](const auto& a, const auto& b) { return a.depth < b.depth; });
        json out = json::array();
        for (const auto& row : *rows)
            if (row.room_id == *room) out.push_back(row.json);
        return out;
    });
    if (!events) co_return events.error();
    co_return Reply::json({{"events", std::move(*events)}});
}

Task<Result<Reply>> get_federation_backfill(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto room = room_from_path(request);
    if (!room) co_return room.error();
    std::vector<EventId> from;
    for (const auto& text : request.query_all("v")) {
        auto id = event_from(text);
        if (!id) co_return id.error();
        from.push_back(std::move(*id));
    }
    if (from.empty()) co_return make_error(Errc::missing_param, "Missing v");
    auto limit_text = request.query("limit");
    if (!limit_text) co_return make_error(Errc::missing_param, "Missing limit");
    std::size_t limit = 0;
    try {
        limit = std::min<std::size_t>(std::stoul(*limit_text), kMaxEventsPerAnswer);
    } catch (const std::exception&) {
        co_return make_error(Errc::invalid_param, "limit must be a number");
    }
    auto pdus = co_await services.db->read("federation_backfill", [&](store::ReadTxn& txn) -> Result<json> {
        if (auto allowed = check_server_in_room(txn, *room, origin); !allowed)
            return allowed.error();
        auto ids = walk_back(txn, from, {}, limit, /*include_from=*/true);
        if (!ids) return ids.error();
        auto rows = txn.events().get_many(*ids);
        if (!rows) return rows.error();
        json out = json::array();
        for (const auto& row : *rows)
            if (row.room_id == *room) out.push_back(row.json);
        return out;
    });
    if (!pdus) co_return pdus.error();
    co_return Reply::json(transaction_of(services, std::move(*pdus)));
}

}  // namespace chat::daemon
