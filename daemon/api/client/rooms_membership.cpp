#include "api/client/rooms_membership.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <chat/core/room_alias.hpp>
#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/membership/remote_membership.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/room_admin.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/txn.hpp>

#include "api/client/path_params.hpp"
#include "api/client/body_fields.hpp"
#include "api/client/room_target.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

struct MembershipBody {
    std::optional<UserId> target;  // for invite, kick, ban, unban
    std::optional<std::string> reason;
};

Result<MembershipBody> read_body(const Request& request, bool needs_target) {
    auto body = request.json_object(/*empty_is_object=*/!needs_target);
    if (!body) return body.error();
    MembershipBody out;
    auto reason = optional_string(*body, "reason");
    if (!reason) return reason.error();
    out.reason = std::move(*reason);
    if (needs_target) {
        auto text = required_string(*body, "user_id");
        if (!text) return text.error();
        auto user = UserId::parse(*text);
        if (!user) return make_error(Errc::invalid_param, "Invalid user_id");
        out.target = std::move(*user);
    }
    return out;
}

Reply room_id_reply(const RoomId& room_id) {
    return Reply::json({{"room_id", std::string(room_id.str())}});
}

// The servers to ask about a room we are not in, after those the client
// named: the server of whoever invited the user (they are in the room), and
// the server in the room id (v1-v11 ids name their creator's server).
Task<Result<std::vector<ServerName>>> servers_for_room(const Request& request, const UserId& user,
                                                       const RoomId& room_id,
                                                       std::vector<ServerName> via) {
    const auto& services = request.services();
    auto inviter = co_await services.db->read(
        "room_inviter", [&](store::ReadTxn& txn) -> Result<std::optional<ServerName>> {
            auto row = txn.members().get(user, room_id);
            if (!row) return row.error();
            if (!*row || ((*row)->membership != "invite" && (*row)->membership != "knock"))
                return std::optional<ServerName>();
            auto event = txn.events().get((*row)->event_id);
            if (!event) return event.error();
            if (!*event) return std::optional<ServerName>();
            auto server = ServerName::parse((*event)->sender.server());
            if (!server) return std::optional<ServerName>();
            return std::optional<ServerName>(std::move(*server));
        });
    if (!inviter) co_return inviter.error();
    if (*inviter) via.push_back(**inviter);
    const std::string_view id = room_id.str();
    if (auto colon = id.find(':'); colon != std::string_view::npos)
        if (auto server = ServerName::parse(id.substr(colon + 1))) via.push_back(std::move(*server));
    std::vector<ServerName> unique;
    for (auto& s : via)
        if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(std::move(s));
    co_return unique;
}

// Whether we have the room's events (false: it lives on other servers only).
Task<Result<bool>> participating(const Request& request, const RoomId& room_id) {
    const auto& services = request.services();
    if (!services.remote_membership) co_return true;
    co_return co_await services.remote_membership->participating(room_id);
}

// An admin's block of the room (room_admin.hpp) holds for rooms we no longer
// have too: a purged and blocked room is refused, not looked for elsewhere.
Task<Result<void>> not_blocked(const Request& request, const RoomId& room_id,
                               std::string membership) {
    const auto& services = request.services();
    co_return co_await services.db->read("room_blocked", [&](store::ReadTxn& txn) {
        return rooms::check_room_not_blocked(txn, room_id, "m.room.member",
                                             {{"membership", membership}});
    });
}

// Joins `room_id` and answers {"room_id"}. A room only other servers have is
// joined over federation (make_join / send_join) through `via` and the
// servers servers_for_room() adds.
Task<Result<Reply>> join_room(Request& request, const RoomId& room_id,
                              std::vector<ServerName> via = {}) {
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto local = co_await participating(request, room_id);
    if (!local) co_return local.error();
    if (!*local) {
        if (auto allowed = co_await not_blocked(request, room_id, "join"); !allowed)
            co_return allowed.error();
        auto servers = co_await servers_for_room(request, user, room_id, std::move(via));
        if (!servers) co_return servers.error();
        auto joined = co_await services.remote_membership->join(user, room_id, *servers);
        if (!joined) co_return joined.error();
        co_return room_id_reply(room_id);
    }
    auto joined = co_await services.db->run([&] { return services.rooms->join(user, room_id); });
    if (!joined) co_return joined.error();
    co_return room_id_reply(room_id);
}

// The `server_name` (and MSC4156 `via`) query parameters of /join.
std::vector<ServerName> via_params(const Request& request) {
    std::vector<ServerName> out;
    for (const char* name : {"server_name", "via"})
        for (const auto& text : request.query_all(name))
            if (auto server = ServerName::parse(text)) out.push_back(std::move(*server));
    return out;
}

// invite, kick, ban, unban: a sender acting on `user_id` from the body.
using ActOnMember = Result<rooms::SentEvent> (*)(rooms::RoomService&, const UserId& sender,
                                                 const RoomId&, const UserId& target,
                                                 std::optional<std::string> reason);

Task<Result<Reply>> act_on_member(Request& request, ActOnMember act) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = read_body(request, /*needs_target=*/true);
    if (!body) co_return body.error();
    const auto& services = request.services();
    auto sent = co_await services.db->run([&] {
        return act(*services.rooms, request.requester().user_id, *room_id, *body->target,
                   body->reason);
    });
    if (!sent) co_return sent.error();
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace

Task<Result<Reply>> post_room_join(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    if (auto body = request.json_object(true); !body) co_return body.error();
    co_return co_await join_room(request, *room_id, via_params(request));
}

Task<Result<Reply>> post_join(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    if (auto body = request.json_object(true); !body) co_return body.error();
    auto via = via_params(request);
    const std::string_view target = request.path_param("roomIdOrAlias");
    if (auto alias = RoomAlias::parse(target);
        alias && alias->server() != request.services().server_name) {
        // Another server's alias: it tells us the room and who is in it.
        auto server = ServerName::parse(alias->server());
        if (!server) co_return make_error(Errc::invalid_param, "Invalid room alias");
        auto found = co_await request.services().federation_client->get(
            *server, "/_matrix/federation/v1/query/directory?room_alias=" +
                         federation::percent_encode(alias->str()));
        if (!found) co_return found.error();
        auto room_id = RoomId::parse(found->value("room_id", ""));
        if (!room_id) co_return make_error(Errc::not_found, "Room alias not found");
        if (auto servers = found->find("servers"); servers != found->end() && servers->is_array())
            for (const auto& s : *servers)
                if (s.is_string())
                    if (auto name = ServerName::parse(s.get<std::string>())) via.push_back(*name);
        via.push_back(*server);
        co_return co_await join_room(request, *room_id, std::move(via));
    }
    auto room_id = co_await resolve_room_target(request, target);
    if (!room_id) co_return room_id.error();
    co_return co_await join_room(request, *room_id, std::move(via));
}

Task<Result<Reply>> post_knock(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = read_body(request, false);
    if (!body) co_return body.error();
    auto room_id = co_await resolve_room_target(request, request.path_param("roomIdOrAlias"));
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto local = co_await participating(request, *room_id);
    if (!local) co_return local.error();
    if (!*local) {
        if (auto allowed = co_await not_blocked(request, *room_id, "knock"); !allowed)
            co_return allowed.error();
        // A room only other servers have: make_knock / send_knock (§9).
        auto servers = co_await servers_for_room(request, user, *room_id, via_params(request));
        if (!servers) co_return servers.error();
        auto knocked =
            co_await services.remote_membership->knock(user, *room_id, *servers, body->reason);
        if (!knocked) co_return knocked.error();
        co_return room_id_reply(*room_id);
    }
    auto sent = co_await services.db->run([&] {
        return services.rooms->knock(user, *room_id, body->reason);
    });
    if (!sent) co_return sent.error();
    co_return room_id_reply(*room_id);
}

Task<Result<Reply>> post_room_leave(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = read_body(request, false);
    if (!body) co_return body.error();
    const auto& services = request.services();
    auto local = co_await participating(request, *room_id);
    if (!local) co_return local.error();
    if (!*local) {
        // Rejecting an invite to a room only other servers have (§11).
        const auto& user = request.requester().user_id;
        auto servers = co_await servers_for_room(request, user, *room_id, {});
        if (!servers) co_return servers.error();
        auto left = co_await services.remote_membership->leave(user, *room_id, *servers);
        if (!left) co_return left.error();
        co_return Reply::json(nlohmann::json::object());
    }
    auto sent = co_await services.db->run([&] {
        return services.rooms->leave(request.requester().user_id, *room_id, body->reason);
    });
    if (!sent) co_return sent.error();
    co_return Reply::json(nlohmann::json::object());
}

// Forgetting only matters to a user who is no longer in the room: Synapse
// refuses it while joined, and so do we. The room then stays out of the
// user's sync `leave` section (include_leave) until a later membership.
Task<Result<Reply>> post_room_forget(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    if (auto body = request.json_object(true); !body) co_return body.error();
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto forgotten = co_await services.db->write("forget_room", [&](store::WriteTxn& txn)
                                                     -> Result<void> {
        auto membership = txn.members().get(user, *room_id);
        if (!membership) return membership.error();
        if (!*membership) return make_error(Errc::not_found, "You have never been in this room");
        if ((*membership)->membership != "leave" && (*membership)->membership != "ban")
            return make_error(Errc::invalid_param, "Leave the room before forgetting it");
        return txn.members().forget(user, *room_id, (*membership)->event_id);
    });
    if (!forgotten) co_return forgotten.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> post_room_invite(Request& request) {
    // A user of another server: their server countersigns the invite (§10).
    if (auto body = request.json_object(); body && body->is_object()) {
        auto target = UserId::parse(body->value("user_id", ""));
        const auto& services = request.services();
        if (target && target->server() != services.server_name && services.remote_membership) {
            if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
            auto room_id = room_param(request);
            if (!room_id) co_return room_id.error();
            auto parsed = read_body(request, true);
            if (!parsed) co_return parsed.error();
            auto invited = co_await services.remote_membership->invite(
                request.requester().user_id, *room_id, *target, parsed->reason);
            if (!invited) co_return invited.error();
            co_return Reply::json(nlohmann::json::object());
        }
    }
    co_return co_await act_on_member(
        request, [](rooms::RoomService& rooms, const UserId& sender, const RoomId& room,
                    const UserId& target, std::optional<std::string> reason) {
            return rooms.invite(sender, room, target, std::move(reason));
        });
}

Task<Result<Reply>> post_room_kick(Request& request) {
    co_return co_await act_on_member(
        request, [](rooms::RoomService& rooms, const UserId& sender, const RoomId& room,
                    const UserId& target, std::optional<std::string> reason) {
            return rooms.kick(sender, room, target, std::move(reason));
        });
}

Task<Result<Reply>> post_room_ban(Request& request) {
    co_return co_await act_on_member(
        request, [](rooms::RoomService& rooms, const UserId& sender, const RoomId& room,
                    const UserId& target, std::optional<std::string> reason) {
            return rooms.ban(sender, room, target, std::move(reason));
        });
}

Task<Result<Reply>> post_room_unban(Request& request) {
    co_return co_await act_on_member(
        request, [](rooms::RoomService& rooms, const UserId& sender, const RoomId& room,
                    const UserId& target, std::optional<std::string> /*reason*/) {
            return rooms.unban(sender, room, target);
        });
}

}  // namespace chat::daemon
