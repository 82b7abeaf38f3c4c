#include "api/client/directory.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/auth/power_levels.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/events/room_version.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/base64.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/client/path_params.hpp"
#include "api/client/remote_lookups.hpp"
#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// The most rooms one /publicRooms page holds, and the page size when the
// client names none: a client that asks for everything pages through it.
constexpr std::int64_t kMaxPublicRoomsPage = 500;
// Rooms read from the store per step while filling a page: a search may skip
// many rooms before it finds `limit` that match.
constexpr std::size_t kDirectoryScanBatch = 100;

// The alias of the path. We keep aliases on our own server name only, and
// without federation we cannot ask another server about one of its own.
Result<RoomAlias> local_alias(const Request& request) {
    auto alias = RoomAlias::parse(request.path_param("roomAlias"));
    if (!alias) return make_error(Errc::invalid_param, "Room alias invalid");
    if (alias->server() != request.services().server_name)
        return make_error(Errc::invalid_param, "Room alias must be on this server");
    return std::move(*alias);
}

Result<store::RoomRow> known_room(store::ReadTxn& txn, const RoomId& room_id) {
    auto room = txn.rooms().get(room_id);
    if (!room) return room.error();
    if (!*room) return make_error(Errc::not_found, "Room not found");
    return std::move(**room);
}

// The current state event of (type, ""), if the room has one.
Result<std::optional<store::StoredEvent>> state_event(store::ReadTxn& txn, const RoomId& room_id,
                                                      std::string_view type) {
    auto id = txn.current_state().entry(room_id, type, "");
    if (!id) return id.error();
    if (!*id) return std::optional<store::StoredEvent>();
    return txn.events().get(**id);
}

// The content of the current state event (type, ""); null when the room has
// none or its content is not an object.
Result<nlohmann::json> state_content(store::ReadTxn& txn, const RoomId& room_id,
                                     std::string_view type) {
    auto event = state_event(txn, room_id, type);
    if (!event) return event.error();
    if (!*event) return nlohmann::json();
    auto content = (*event)->json.find("content");
    if (content == (*event)->json.end() || !content->is_object()) return nlohmann::json();
    return *content;
}

// A string field of a state content, or none.
std::optional<std::string> string_field(const nlohmann::json& content, std::string_view field) {
    if (!content.is_object()) return std::nullopt;
    auto it = content.find(field);
    if (it == content.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

Result<auth::PowerLevels> power_levels(store::ReadTxn& txn, const store::RoomRow& room) {
    auto version = RoomVersion::get(room.room_version);
    if (!version) return version.error();
    PduPtr pdus[2];
    const char* types[2] = {"m.room.create", "m.room.power_levels"};
    for (int i = 0; i < 2; ++i) {
        auto event = state_event(txn, room.room_id, types[i]);
        if (!event) return event.error();
        if (!*event) continue;
        auto pdu = (*event)->to_pdu();
        if (!pdu) return pdu.error();
        pdus[i] = std::move(*pdu);
    }
    return auth::PowerLevels::from_events(**version, pdus[0].get(), pdus[1].get());
}

// Whether `user` may manage the room's directory entries: joined, with the
// power to send m.room.canonical_alias (as Synapse decides who may publish a
// room or delete another user's alias).
Result<bool> is_room_admin(store::ReadTxn& txn, const store::RoomRow& room, const UserId& user) {
    auto membership = rooms::current_membership(txn, user, room.room_id);
    if (!membership) return membership.error();
    if (*membership != "join") return false;
    auto levels = power_levels(txn, room);
    if (!levels) return levels.error();
    return levels->user_level(user.str()) >=
           levels->required_level("m.room.canonical_alias", /*is_state=*/true);
}

// --- /publicRooms ---------------------------------------------------------

// A /publicRooms pagination token: the room id a page starts after ('n',
// forwards) or ends before ('p', backwards), URL-safe so that clients can put
// it in a query string as it is. Opaque to clients.
struct DirectoryToken {
    bool forward = true;
    RoomId key;

    std::string str() const {
        return std::string(forward ? "n" : "p") + json::base64_url_encode(key.str());
    }

    static Result<DirectoryToken> parse(std::string_view text) {
        auto bad = [] { return make_error(Errc::invalid_param, "Invalid 'since' token"); };
        if (text.empty() || (text[0] != 'n' && text[0] != 'p')) return bad();
        auto bytes = json::base64_url_decode(text.substr(1));
        if (!bytes) return bad();
        auto key = RoomId::parse(*bytes);
        if (!key) return bad();
        return DirectoryToken{.forward = text[0] == 'n', .key = std::move(*key)};
    }
};

struct DirectoryQuery {
    std::int64_t limit = kMaxPublicRoomsPage;
    std::optional<DirectoryToken> since;
    std::string search;  // ASCII-lowercased generic_search_term; empty: every room
    // filter.room_types: a null entry stands for rooms without a type. None: any type.
    std::optional<std::vector<std::optional<std::string>>> room_types;
    bool other_network = false;  // a third_party_instance_id: no room of ours is on one
};

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

bool contains_term(const nlohmann::json& entry, std::string_view field, const std::string& term) {
    auto value = string_field(entry, field);
    return value && ascii_lower(*value).find(term) != std::string::npos;
}

// The room's directory entry (spec PublishedRoomsChunk), or none when the
// query's search term or room types leave it out.
Result<std::optional<nlohmann::json>> directory_entry(store::ReadTxn& txn, const RoomId& room_id,
                                                      const DirectoryQuery& query) {
    using Entry = std::optional<nlohmann::json>;
    auto create = state_content(txn, room_id, "m.room.create");
    if (!create) return create.error();
    auto room_type = string_field(*create, "type");
    if (query.room_types && std::find(query.room_types->begin(), query.room_types->end(),
                                      room_type) == query.room_types->end())
        return Entry();

    nlohmann::json entry = {{"room_id", std::string(room_id.str())}};
    if (room_type) entry["room_type"] = *room_type;
    // (state type, content field, entry field) copied when they are strings.
    static constexpr std::string_view kCopied[][3] = {
        {"m.room.name", "name", "name"},
        {"m.room.topic", "topic", "topic"},
        {"m.room.canonical_alias", "alias", "canonical_alias"},
        {"m.room.avatar", "url", "avatar_url"},
        {"m.room.join_rules", "join_rule", "join_rule"},
    };
    for (const auto& [type, field, key] : kCopied) {
        auto content = state_content(txn, room_id, type);
        if (!content) return content.error();
        if (auto value = string_field(*content, field); value && !value->empty())
            entry[std::string(key)] = std::move(*value);
    }
    if (!query.search.empty() && !contains_term(entry, "name", query.search) &&
        !contains_term(entry, "topic", query.search) &&
        !contains_term(entry, "canonical_alias", query.search))
        return Entry();

    auto history = state_content(txn, room_id, "m.room.history_visibility");
    if (!history) return history.error();
    entry["world_readable"] = string_field(*history, "history_visibility") == "world_readable";
    auto guests = state_content(txn, room_id, "m.room.guest_access");
    if (!guests) return guests.error();
    entry["guest_can_join"] = string_field(*guests, "guest_access") == "can_join";
    auto joined = txn.members().count(room_id, "join");
    if (!joined) return joined.error();
    entry["num_joined_members"] = *joined;
    return Entry(std::move(entry));
}

// One page of the directory. Rooms are in room-id order, a stable order (spec
// v1.19 leaves the order to the server). The store is read in batches until
// the page is full or the directory ends, so that a search still fills it.
Result<nlohmann::json> public_rooms_page(store::ReadTxn& txn, const DirectoryQuery& query) {
    auto total = txn.rooms().count_public();
    if (!total) return total.error();
    nlohmann::json reply = {{"chunk", nlohmann::json::array()},
                            {"total_room_count_estimate", *total}};
    if (query.other_network || query.limit == 0) {
        if (query.other_network) reply["total_room_count_estimate"] = 0;
        return reply;
    }

    const bool forward = !query.since || query.since->forward;
    std::optional<RoomId> cursor;
    if (query.since) cursor = query.since->key;
    std::vector<std::pair<RoomId, nlohmann::json>> found;
    bool more = false;
    while (!more) {
        auto rows = forward ? txn.rooms().public_rooms(cursor, kDirectoryScanBatch)
                            : txn.rooms().public_rooms_before(*cursor, kDirectoryScanBatch);
        if (!rows) return rows.error();
        for (const auto& row : *rows) {
            auto entry = directory_entry(txn, row.room_id, query);
            if (!entry) return entry.error();
            if (!*entry) continue;
            if (std::ssize(found) == query.limit) {
                more = true;
                break;
            }
            found.emplace_back(row.room_id, std::move(**entry));
        }
        if (rows->size() < kDirectoryScanBatch) break;
        cursor = rows->back().room_id;
    }
    if (!forward) std::reverse(found.begin(), found.end());
    if (found.empty()) return reply;

    for (auto& [id, entry] : found) reply["chunk"].push_back(std::move(entry));
    // `more` tells whether rooms lie beyond the page in the direction read.
    // The other way: forwards, rooms lie before the page unless it started at
    // the beginning; backwards, the client came from rooms after it.
    const bool rooms_after = forward ? more : true;
    const bool rooms_before = forward ? query.since.has_value() : more;
    if (rooms_after)
        reply["next_batch"] = DirectoryToken{.forward = true, .key = found.back().first}.str();
    if (rooms_before)
        reply["prev_batch"] = DirectoryToken{.forward = false, .key = found.front().first}.str();
    return reply;
}

// A non-negative integer query parameter, or none when absent.
Result<std::optional<std::int64_t>> integer_query(const Request& request, std::string_view name) {
    auto text = request.query(name);
    if (!text) return std::optional<std::int64_t>();
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param, "'" + std::string(name) + "' must be a number");
    return std::optional<std::int64_t>(value);
}

Result<void> set_limit(DirectoryQuery& query, std::optional<std::int64_t> limit) {
    if (!limit) return ok();
    if (*limit < 0) return make_error(Errc::invalid_param, "'limit' must not be negative");
    query.limit = std::min(*limit, kMaxPublicRoomsPage);
    return ok();
}

Result<void> set_since(DirectoryQuery& query, const std::optional<std::string>& since) {
    if (!since || since->empty()) return ok();
    auto token = DirectoryToken::parse(*since);
    if (!token) return token.error();
    query.since = std::move(*token);
    return ok();
}

// `server` names whose directory to list: none (or ours) for ours, another
// for that server's, asked over federation (api/client/remote_lookups.cpp).
Result<std::optional<ServerName>> remote_server(const Request& request) {
    auto server = request.query("server");
    if (!server || *server == request.services().server_name) return std::optional<ServerName>();
    auto name = ServerName::parse(*server);
    if (!name) return make_error(Errc::invalid_param, "Invalid server name");
    return std::optional<ServerName>(std::move(*name));
}

Task<Result<Reply>> list_public_rooms(Request& request, DirectoryQuery query) {
    const auto& services = request.services();
    auto page = co_await services.db->read(
        "public_rooms", [&](store::ReadTxn& txn) { return public_rooms_page(txn, query); });
    if (!page) co_return page.error();
    co_return Reply::json(*page);
}

}  // namespace

// Synapse's rule: only a member of the room (or a server admin) may point an
// alias at it, so that aliases cannot be squatted for rooms one never saw.
Task<Result<Reply>> put_directory_room(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto alias = local_alias(request);
    if (!alias) co_return alias.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto room_text = required_string(*body, "room_id");
    if (!room_text) co_return room_text.error();
    auto room_id = RoomId::parse(*room_text);
    if (!room_id) co_return make_error(Errc::invalid_param, "Invalid room ID");

    const auto& services = request.services();
    const auto& requester = request.requester();
    auto put =
        co_await services.db->write("put_room_alias", [&](store::WriteTxn& txn) -> Result<void> {
            auto room = known_room(txn, *room_id);
            if (!room) return room.error();
            if (!requester.admin) {
                auto membership = rooms::current_membership(txn, requester.user_id, *room_id);
                if (!membership) return membership.error();
                if (*membership != "join")
                    return make_error(Errc::forbidden,
                                      "You must be in the room to create an alias for it");
            }
            return txn.aliases().put(*alias, *room_id, requester.user_id);
        });
    if (!put) co_return put.error();
    co_return Reply::json(nlohmann::json::object());
}

// `servers` lists ours first, then every other server with a joined member:
// each can help a user join the room.
Task<Result<Reply>> get_directory_room(Request& request) {
    // Another server's alias: only that server can say (api/client/remote_lookups.cpp).
    if (auto remote = RoomAlias::parse(request.path_param("roomAlias"));
        remote && remote->server() != request.services().server_name)
        co_return co_await get_remote_directory_room(request, std::move(*remote));
    auto alias = local_alias(request);
    if (!alias) co_return alias.error();
    const auto& services = request.services();
    auto found = co_await services.db->read(
        "get_room_alias", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto row = txn.aliases().get(*alias);
            if (!row) return row.error();
            if (!*row)
                return make_error(Errc::not_found,
                                  "Room alias " + std::string(alias->str()) + " not found");
            auto joined = txn.members().members_of((*row)->room_id, "join");
            if (!joined) return joined.error();
            std::set<std::string, std::less<>> others;
            for (const auto& member : *joined)
                if (member.user_id.server() != services.server_name)
                    others.emplace(member.user_id.server());
            auto servers = nlohmann::json::array({services.server_name});
            for (const auto& server : others) servers.push_back(server);
            return nlohmann::json{{"room_id", std::string((*row)->room_id.str())},
                                  {"servers", std::move(servers)}};
        });
    if (!found) co_return found.error();
    co_return Reply::json(*found);
}

// Allowed for the alias's creator, a server admin, or a room admin. When the
// room's m.room.canonical_alias names the alias, it is taken out of that
// event too, as the requester, if their power allows it; the alias is gone
// either way (the spec recommends exactly that).
Task<Result<Reply>> delete_directory_room(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto alias = local_alias(request);
    if (!alias) co_return alias.error();
    const auto& services = request.services();
    const auto& requester = request.requester();
    struct Removed {
        RoomId room_id;
        nlohmann::json canonical;  // the room's canonical alias content, when it names the alias
    };
    auto removed = co_await services.db->write(
        "delete_room_alias", [&](store::WriteTxn& txn) -> Result<Removed> {
            auto row = txn.aliases().get(*alias);
            if (!row) return row.error();
            if (!*row)
                return make_error(Errc::not_found,
                                  "Room alias " + std::string(alias->str()) + " not found");
            if ((*row)->creator != requester.user_id && !requester.admin) {
                auto room = known_room(txn, (*row)->room_id);
                if (!room) return room.error();
                auto admin = is_room_admin(txn, *room, requester.user_id);
                if (!admin) return admin.error();
                if (!*admin)
                    return make_error(Errc::forbidden,
                                      "You don't have permission to delete the alias.");
            }
            auto gone = txn.aliases().remove(*alias);
            if (!gone) return gone.error();
            Removed out{.room_id = (*row)->room_id, .canonical = nullptr};
            auto canonical = state_content(txn, (*row)->room_id, "m.room.canonical_alias");
            if (!canonical) return canonical.error();
            out.canonical = std::move(*canonical);
            return out;
        });
    if (!removed) co_return removed.error();

    auto& canonical = removed->canonical;
    if (canonical.is_object()) {
        bool changed = false;
        if (string_field(canonical, "alias") == alias->str()) {
            canonical.erase("alias");
            changed = true;
        }
        if (auto alt = canonical.find("alt_aliases"); alt != canonical.end() && alt->is_array()) {
            const auto before = alt->size();
            alt->erase(std::remove(alt->begin(), alt->end(), nlohmann::json(alias->str())),
                       alt->end());
            changed = changed || alt->size() != before;
        }
        if (changed) {
            // Best effort: a user without the power to change the event still
            // deleted the alias.
            auto sent = co_await services.db->run([&] {
                return services.rooms->send_state(requester.user_id, removed->room_id,
                                                  "m.room.canonical_alias", "", canonical);
            });
            (void)sent;
        }
    }
    co_return Reply::json(nlohmann::json::object());
}

// Members may list the room's local aliases; anyone may when the room is
// world_readable (spec), and so may server admins.
Task<Result<Reply>> get_room_aliases(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    const auto& requester = request.requester();
    auto aliases = co_await services.db->read(
        "get_room_aliases", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            if (!requester.admin) {
                auto membership = rooms::current_membership(txn, requester.user_id, *room_id);
                if (!membership) return membership.error();
                if (*membership != "join") {
                    auto history = state_content(txn, *room_id, "m.room.history_visibility");
                    if (!history) return history.error();
                    if (string_field(*history, "history_visibility") != "world_readable")
                        return make_error(Errc::forbidden, "You are not a member of the room.");
                }
            }
            auto list = txn.aliases().for_room(*room_id);
            if (!list) return list.error();
            auto out = nlohmann::json::array();
            for (const auto& alias : *list) out.push_back(std::string(alias.str()));
            return out;
        });
    if (!aliases) co_return aliases.error();
    co_return Reply::json({{"aliases", *aliases}});
}

Task<Result<Reply>> get_directory_list_room(Request& request) {
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto room = co_await services.db->read(
        "get_room_visibility", [&](store::ReadTxn& txn) { return known_room(txn, *room_id); });
    if (!room) co_return room.error();
    co_return Reply::json({{"visibility", room->visibility}});
}

// Publishing is for room admins and server admins (the spec lets servers
// choose; Synapse asks the same power as m.room.canonical_alias).
Task<Result<Reply>> put_directory_list_room(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto visibility = optional_string(*body, "visibility");
    if (!visibility) co_return visibility.error();
    std::string value = visibility->value_or("public");
    if (value != "public" && value != "private")
        co_return make_error(Errc::invalid_param, "'visibility' must be public or private");

    const auto& services = request.services();
    const auto& requester = request.requester();
    auto set = co_await services.db->write(
        "set_room_visibility", [&](store::WriteTxn& txn) -> Result<void> {
            auto room = known_room(txn, *room_id);
            if (!room) return room.error();
            if (!requester.admin) {
                auto admin = is_room_admin(txn, *room, requester.user_id);
                if (!admin) return admin.error();
                if (!*admin)
                    return make_error(Errc::forbidden,
                                      "You don't have permission to change the room's "
                                      "visibility in the directory.");
            }
            return txn.rooms().set_visibility(*room_id, value);
        });
    if (!set) co_return set.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> get_public_rooms(Request& request) {
    auto server = remote_server(request);
    if (!server) co_return server.error();
    if (*server) co_return co_await get_remote_public_rooms(request, std::move(**server));
    co_return co_await public_rooms_from_query(request);
}

Task<Result<Reply>> public_rooms_from_query(Request& request) {
    DirectoryQuery query;
    auto limit = integer_query(request, "limit");
    if (!limit) co_return limit.error();
    if (auto set = set_limit(query, *limit); !set) co_return set.error();
    if (auto set = set_since(query, request.query("since")); !set) co_return set.error();
    co_return co_await list_public_rooms(request, std::move(query));
}

Task<Result<Reply>> post_public_rooms(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto server = remote_server(request);
    if (!server) co_return server.error();
    if (*server) co_return co_await post_remote_public_rooms(request, std::move(**server));
    co_return co_await public_rooms_from_body(request);
}

Task<Result<Reply>> public_rooms_from_body(Request& request) {
    auto body = request.json_object(true);
    if (!body) co_return body.error();

    DirectoryQuery query;
    auto limit = optional_integer(*body, "limit");
    if (!limit) co_return limit.error();
    if (auto set = set_limit(query, *limit); !set) co_return set.error();
    auto since = optional_string(*body, "since");
    if (!since) co_return since.error();
    if (auto set = set_since(query, *since); !set) co_return set.error();

    auto filter = optional_object(*body, "filter");
    if (!filter) co_return filter.error();
    if (*filter) {
        auto term = optional_string(**filter, "generic_search_term");
        if (!term) co_return term.error();
        if (*term) query.search = ascii_lower(**term);
        if (auto types = (*filter)->find("room_types");
            types != (*filter)->end() && !types->is_null()) {
            if (!types->is_array())
                co_return make_error(Errc::bad_json, "'room_types' must be a list");
            query.room_types.emplace();
            for (const auto& type : *types) {
                if (type.is_null())
                    query.room_types->emplace_back();
                else if (type.is_string())
                    query.room_types->emplace_back(type.get<std::string>());
                else
                    co_return make_error(Errc::bad_json,
                                         "'room_types' entries must be strings or null");
            }
        }
    }

    // Application services bridge other networks; we have none, so a named
    // network has no rooms.
    auto all_networks = optional_bool(*body, "include_all_networks");
    if (!all_networks) co_return all_networks.error();
    auto network = optional_string(*body, "third_party_instance_id");
    if (!network) co_return network.error();
    if (*network && all_networks->value_or(false))
        co_return make_error(Errc::invalid_param,
                             "Can't use include_all_networks with an explicit network");
    query.other_network = network->has_value();
    co_return co_await list_public_rooms(request, std::move(query));
}

}  // namespace chat::daemon
