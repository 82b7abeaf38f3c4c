#include "api/admin/rooms.hpp"

#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/room_admin.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/client_event.hpp>

#include "api/admin/admin_auth.hpp"
#include "api/client/body_fields.hpp"
#include "api/client/path_params.hpp"
#include "services/room_deletions.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

constexpr std::int64_t kDefaultRoomsPage = 100;
constexpr std::int64_t kMaxRoomsPage = 1000;

using rooms::RoomSummary;

Error room_not_found() { return make_error(Errc::not_found, "Room not found"); }

std::string text_of(const std::optional<std::string>& value) { return value.value_or(""); }

// Synapse's order_by values and what each sorts on. Ties fall back to the
// room id, so pages are stable.
using Less = std::function<bool(const RoomSummary&, const RoomSummary&)>;
template <typename Key>
Less by(Key key) {
    return [key](const RoomSummary& a, const RoomSummary& b) {
        auto ka = key(a);
        auto kb = key(b);
        if (ka != kb) return ka < kb;
        return a.room_id.str() < b.room_id.str();
    };
}

std::optional<Less> order_for(std::string_view order_by) {
    if (order_by == "name" || order_by == "alphabetical")
        return by([](const RoomSummary& r) { return text_of(r.name); });
    if (order_by == "size" || order_by == "joined_members")
        return by([](const RoomSummary& r) { return r.joined_members; });
    if (order_by == "joined_local_members")
        return by([](const RoomSummary& r) { return r.joined_local_members; });
    if (order_by == "state_events")
        return by([](const RoomSummary& r) { return r.state_events; });
    if (order_by == "canonical_alias")
        return by([](const RoomSummary& r) { return text_of(r.canonical_alias); });
    if (order_by == "version") return by([](const RoomSummary& r) { return r.version; });
    if (order_by == "creator")
        return by([](const RoomSummary& r) {
            return r.creator ? std::string(r.creator->str()) : std::string();
        });
    if (order_by == "encryption")
        return by([](const RoomSummary& r) { return text_of(r.encryption); });
    if (order_by == "federatable") return by([](const RoomSummary& r) { return r.federatable; });
    if (order_by == "public") return by([](const RoomSummary& r) { return r.is_public; });
    if (order_by == "join_rules")
        return by([](const RoomSummary& r) { return text_of(r.join_rules); });
    if (order_by == "guest_access")
        return by([](const RoomSummary& r) { return text_of(r.guest_access); });
    if (order_by == "history_visibility")
        return by([](const RoomSummary& r) { return text_of(r.history_visibility); });
    return std::nullopt;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

// Synapse's search_term: part of the name, the canonical alias or the room id.
bool matches(const RoomSummary& room, const std::string& term) {
    return lower(text_of(room.name)).find(term) != std::string::npos ||
           lower(text_of(room.canonical_alias)).find(term) != std::string::npos ||
           lower(room.room_id.str()).find(term) != std::string::npos;
}

nlohmann::json status_json(const RoomDeletionStatus& s, bool with_ids) {
    auto list = [](const std::vector<std::string>& v) { return nlohmann::json(v); };
    nlohmann::json body = {
        {"status", s.status},
        {"shutdown_room",
         {{"kicked_users", list(s.kicked_users)},
          {"failed_to_kick_users", list(s.failed_to_kick_users)},
          {"local_aliases", list(s.local_aliases)},
          {"new_room_id", json_or_null(s.new_room_id)}}},
    };
    if (!s.error.empty()) body["error"] = s.error;
    if (with_ids) {
        body["delete_id"] = s.delete_id;
        body["room_id"] = std::string(s.room_id.str());
    }
    return body;
}

}  // namespace

// Every room is summarised for each page (ordering and search need all of
// them): fine for thousands of rooms, to be replaced by a stored summary
// for much larger servers.
Task<Result<Reply>> get_admin_rooms(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto from = query_count(request, "from", 0);
    if (!from) co_return from.error();
    auto limit = query_count(request, "limit", kDefaultRoomsPage);
    if (!limit) co_return limit.error();
    auto order_by = request.query("order_by").value_or("name");
    auto less = order_for(order_by);
    if (!less) co_return make_error(Errc::invalid_param, "Unknown value for order_by: " + order_by);
    auto dir = request.query("dir").value_or("f");
    if (dir != "f" && dir != "b")
        co_return make_error(Errc::invalid_param, "Query parameter 'dir' must be f or b");
    auto term = lower(request.query("search_term").value_or(""));

    const auto& services = request.services();
    auto summaries = co_await services.db->read(
        "admin_list_rooms", [&](store::ReadTxn& txn) -> Result<std::vector<RoomSummary>> {
            auto all = txn.admin().all_rooms();
            if (!all) return all.error();
            std::vector<RoomSummary> out;
            for (const auto& room : *all) {
                auto summary = rooms::summarize_room(txn, room, services.server_name);
                if (!summary) return summary.error();
                if (term.empty() || matches(*summary, term)) out.push_back(std::move(*summary));
            }
            return out;
        });
    if (!summaries) co_return summaries.error();
    std::sort(summaries->begin(), summaries->end(), *less);
    if (dir == "b") std::reverse(summaries->begin(), summaries->end());

    const auto total = static_cast<std::int64_t>(summaries->size());
    const auto page = std::min(*limit, kMaxRoomsPage);
    auto rooms = nlohmann::json::array();
    for (auto i = *from; i < total && i < *from + page; ++i)
        rooms.push_back(rooms::room_summary_json((*summaries)[static_cast<std::size_t>(i)]));
    nlohmann::json body = {{"rooms", rooms}, {"offset", *from}, {"total_rooms", total}};
    if (*from + page < total) body["next_batch"] = *from + page;
    if (*from > 0) body["prev_batch"] = std::max<std::int64_t>(0, *from - page);
    co_return Reply::json(body);
}

Task<Result<Reply>> get_admin_room(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto body = co_await services.db->read(
        "admin_room", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto room = txn.rooms().get(*room_id);
            if (!room) return room.error();
            if (!*room) return room_not_found();
            auto summary = rooms::summarize_room(txn, **room, services.server_name);
            if (!summary) return summary.error();
            return rooms::room_summary_json(*summary);
        });
    if (!body) co_return body.error();
    co_return Reply::json(*body);
}

Task<Result<Reply>> get_admin_room_members(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = co_await request.services().db->read(
        "admin_room_members", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto room = txn.rooms().get(*room_id);
            if (!room) return room.error();
            if (!*room) return room_not_found();
            auto rows = txn.members().members_of(*room_id, "join");
            if (!rows) return rows.error();
            auto members = nlohmann::json::array();
            for (const auto& row : *rows) members.push_back(std::string(row.user_id.str()));
            return nlohmann::json{{"members", members}, {"total", rows->size()}};
        });
    if (!body) co_return body.error();
    co_return Reply::json(*body);
}

Task<Result<Reply>> get_admin_room_state(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto body = co_await services.db->read(
        "admin_room_state", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto room = txn.rooms().get(*room_id);
            if (!room) return room.error();
            if (!*room) return room_not_found();
            auto state = txn.current_state().get(*room_id);
            if (!state) return state.error();
            std::vector<EventId> ids;
            ids.reserve(state->size());
            for (const auto& [key, event_id] : *state) ids.push_back(event_id);
            auto events = txn.events().get_many(ids);
            if (!events) return events.error();
            sync::ClientEventContext ctx{.now_ts = services.clock->now_ms()};
            auto list = nlohmann::json::array();
            for (const auto& ev : *events) list.push_back(sync::client_event(ev, ctx));
            return nlohmann::json{{"state", list}};
        });
    if (!body) co_return body.error();
    co_return Reply::json(*body);
}

// An unknown room is 404 unless it is only to be blocked: blocking ahead
// keeps a room out before anyone here joins it.
Task<Result<Reply>> delete_admin_room(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    RoomDeletionRequest deletion{.room_id = *room_id, .requester = request.requester().user_id};
    auto new_room_user = optional_string(*body, "new_room_user_id");
    if (!new_room_user) co_return new_room_user.error();
    auto room_name = optional_string(*body, "room_name");
    if (!room_name) co_return room_name.error();
    auto message = optional_string(*body, "message");
    if (!message) co_return message.error();
    auto block = optional_bool(*body, "block");
    if (!block) co_return block.error();
    auto purge = optional_bool(*body, "purge");
    if (!purge) co_return purge.error();
    auto force_purge = optional_bool(*body, "force_purge");  // accepted; purging always forces
    if (!force_purge) co_return force_purge.error();
    const auto& services = request.services();
    if (*new_room_user) {
        auto user = UserId::parse(**new_room_user);
        if (!user || user->server() != services.server_name)
            co_return make_error(Errc::bad_json, "User must be our own: " + **new_room_user);
        deletion.new_room_user_id = std::move(*user);
    }
    if (*room_name) deletion.room_name = std::move(**room_name);
    if (*message) deletion.message = std::move(**message);
    deletion.block = block->value_or(false);
    deletion.purge = purge->value_or(true);

    auto known = co_await services.db->read("admin_room_known",
                                            [&](store::ReadTxn& txn) -> Result<bool> {
                                                auto room = txn.rooms().get(*room_id);
                                                if (!room) return room.error();
                                                return room->has_value();
                                            });
    if (!known) co_return known.error();
    if (!*known && !deletion.block) co_return room_not_found();
    if (!*known) deletion.new_room_user_id.reset();

    auto started = services.room_deletions->start(std::move(deletion));
    if (!started) co_return started.error();
    co_return Reply::json({{"delete_id", *started}});
}

Task<Result<Reply>> get_admin_room_delete_status(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto jobs = request.services().room_deletions->for_room(*room_id);
    if (jobs.empty()) co_return make_error(Errc::not_found, "No delete task for room_id found");
    auto results = nlohmann::json::array();
    for (const auto& job : jobs) results.push_back(status_json(job, true));
    co_return Reply::json({{"results", results}});
}

Task<Result<Reply>> get_admin_delete_status(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto job = request.services().room_deletions->by_id(request.path_param("deleteId"));
    if (!job) co_return make_error(Errc::not_found, "delete id not found");
    co_return Reply::json(status_json(*job, false));
}

}  // namespace chat::daemon
