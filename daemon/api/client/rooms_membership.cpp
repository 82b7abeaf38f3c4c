#include "api/client/rooms_membership.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
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

// Joins `room_id` and answers {"room_id"}. Rooms on other servers need
// federation (a make_join/send_join handshake), which chatd does not do yet.
Task<Result<Reply>> join_room(Request& request, const RoomId& room_id) {
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto joined = co_await services.db->run([&] { return services.rooms->join(user, room_id); });
    if (!joined) co_return joined.error();
    co_return room_id_reply(room_id);
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
    co_return co_await join_room(request, *room_id);
}

Task<Result<Reply>> post_join(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    if (auto body = request.json_object(true); !body) co_return body.error();
    auto room_id = co_await resolve_room_target(request, request.path_param("roomIdOrAlias"));
    if (!room_id) co_return room_id.error();
    co_return co_await join_room(request, *room_id);
}

Task<Result<Reply>> post_knock(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = read_body(request, false);
    if (!body) co_return body.error();
    auto room_id = co_await resolve_room_target(request, request.path_param("roomIdOrAlias"));
    if (!room_id) co_return room_id.error();
    const auto& services = request.services();
    auto sent = co_await services.db->run([&] {
        return services.rooms->knock(request.requester().user_id, *room_id, body->reason);
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
