#include "api/federation/room_membership.hpp"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include <chat/events/event_hashes.hpp>
#include <chat/federation/inbound/pdu_receiver.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/ingest/event_ingest.hpp>
#include <chat/rooms/event_builder.hpp>
#include <chat/store/txn.hpp>

#include "api/federation/room_access.hpp"
#include "api/federation/send_join_state.hpp"
#include "auth/authenticate_server.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

Reply incompatible_version(std::string_view room_version) {
    return Reply::json({{"errcode", "M_INCOMPATIBLE_ROOM_VERSION"},
                        {"error", "Your server does not support this room's version"},
                        {"room_version", std::string(room_version)}},
                       400);
}

// make_join / make_leave: the template for `membership` of the path's user.
Task<Result<Reply>> make_membership(Request& request, const ServerName& origin,
                                    std::string membership, bool check_versions) {
    const auto& services = request.services();
    auto room = RoomId::parse(request.path_param("roomId"));
    if (!room) co_return make_error(Errc::invalid_param, "Invalid room id");
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user id");
    if (user->server() != origin.str())
        co_return make_error(Errc::forbidden, "The user is not on the requesting server");
    auto own = ServerName::parse(services.server_name);
    if (!own) co_return own.error();
    auto made = co_await services.db->read("federation_make_membership",
                                           [&](store::ReadTxn& txn) -> Result<rooms::EventTemplate> {
        auto allowed = acl_allows(txn, *room, origin);
        if (!allowed) return allowed.error();
        if (!*allowed) return make_error(Errc::forbidden, "Server is banned by the room's ACL");
        return rooms::build_template(txn,
                                     {.sender = *user,
                                      .room_id = *room,
                                      .type = "m.room.member",
                                      .state_key = std::string(user->str()),
                                      .content = {{"membership", membership}}},
                                     *own, services.clock->now_ms());
    });
    if (!made) co_return made.error();
    const std::string version(made->version->id);
    if (check_versions) {
        auto supported = request.query_all("ver");
        if (supported.empty()) supported.push_back("1");
        if (std::find(supported.begin(), supported.end(), version) == supported.end())
            co_return incompatible_version(version);
    }
    co_return Reply::json({{"room_version", version}, {"event", std::move(made->event)}});
}

// send_join / send_leave: checks the signed event and takes it into the room.
Task<Result<PduPtr>> accept_membership(Request& request, const ServerName& origin,
                                       std::string_view membership) {
    const auto& services = request.services();
    auto room = RoomId::parse(request.path_param("roomId"));
    if (!room) co_return make_error(Errc::invalid_param, "Invalid room id");
    // The room's server ACL comes first (§ "Server Access Control Lists":
    // send_join, send_leave and send_knock MUST be protected).
    if (auto allowed = co_await check_room_acl(request, *room, origin); !allowed)
        co_return allowed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto version = co_await services.pdu_receiver->room_version(*room);
    if (!version) co_return version.error();
    auto pdu = co_await services.pdu_receiver->verify(std::move(*body), **version);
    if (!pdu) {
        if (pdu.error().code == Errc::remote_unavailable) co_return pdu.error();
        co_return make_error(Errc::invalid_param, pdu.error().message);
    }
    const Pdu& event = **pdu;
    if (event.type() != "m.room.member" || event.membership() != membership ||
        event.sender().server() != origin.str() || event.state_key() != event.sender().str() ||
        event.room_id() != *room || event.event_id().str() != request.path_param("eventId"))
        co_return make_error(Errc::invalid_param,
                             "Not a " + std::string(membership) + " of a user of your server "
                             "for this room and event id");
    auto accepted = co_await services.db->run([&] { return services.ingest->accept(*pdu, origin); });
    if (!accepted) co_return accepted.error();
    switch (accepted->status) {
    case ingest::IngestStatus::persisted:
    case ingest::IngestStatus::already_known: co_return *pdu;
    case ingest::IngestStatus::missing_events:
        co_return make_error(Errc::invalid_param, "The event cites events we do not have");
    case ingest::IngestStatus::rejected:
    case ingest::IngestStatus::soft_failed:
        co_return make_error(Errc::forbidden, accepted->reason);
    }
    co_return make_error(Errc::internal, "unreachable");
}

}  // namespace

Task<Result<Reply>> get_make_join(Request& request, const ServerName& origin) {
    co_return co_await make_membership(request, origin, "join", true);
}

Task<Result<Reply>> get_make_leave(Request& request, const ServerName& origin) {
    co_return co_await make_membership(request, origin, "leave", false);
}

Task<Result<Reply>> get_make_knock(Request& request, const ServerName& origin) {
    if (request.query_all("ver").empty()) co_return make_error(Errc::missing_param, "Missing ver");
    co_return co_await make_membership(request, origin, "knock", true);
}

Task<Result<Reply>> put_send_knock(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto knock = co_await accept_membership(request, origin, "knock");
    if (!knock) co_return knock.error();
    auto state = co_await services.db->read("federation_send_knock", [&](store::ReadTxn& txn) -> Result<json> {
        std::vector<EventId> ids;
        for (std::string_view type : {"m.room.create", "m.room.name", "m.room.avatar",
                                      "m.room.topic", "m.room.join_rules",
                                      "m.room.canonical_alias", "m.room.encryption"}) {
            auto id = txn.current_state().entry((*knock)->room_id(), type, "");
            if (!id) return id.error();
            if (*id) ids.push_back(**id);
        }
        return pdus_json(txn, ids);
    });
    if (!state) co_return state.error();
    co_return Reply::json({{"knock_room_state", std::move(*state)}});
}

// omit_members=true (spec v1.6, partial state): `state` without member
// events but the heroes', `auth_chain` without what `state` already holds
// (api/federation/send_join_state.hpp); servers_in_room always.
Task<Result<Reply>> put_send_join_v2(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    const bool omit_members = request.query("omit_members").value_or("false") == "true";
    auto join = co_await accept_membership(request, origin, "join");
    if (!join) co_return join.error();
    auto answer = co_await services.db->read("federation_send_join", [&](store::ReadTxn& txn) -> Result<json> {
        auto found = state_before(txn, (*join)->event_id(), /*include_event_in_chain=*/true);
        if (!found) return found.error();
        auto rows = txn.events().get_many(found->state);
        if (!rows) return rows.error();
        const auto selected = select_join_state(*rows, (*join)->sender(), omit_members);
        std::vector<EventId> chain_ids = std::move(found->auth_chain);
        if (omit_members) {
            // The auth chains of the join and of the state kept only.
            std::vector<EventId> roots = selected.state;
            roots.push_back((*join)->event_id());
            auto chain = txn.events().auth_chain(roots);
            if (!chain) return chain.error();
            chain_ids = without_state_events(std::move(*chain), selected.state);
        }
        auto state = pdus_json(txn, selected.state);
        if (!state) return state.error();
        auto chain = pdus_json(txn, chain_ids);
        if (!chain) return chain.error();
        return json{{"origin", services.server_name},
                    {"state", std::move(*state)},
                    {"auth_chain", std::move(*chain)},
                    {"event", (*join)->json()},
                    {"members_omitted", selected.members_omitted},
                    {"servers_in_room", selected.servers_in_room}};
    });
    if (!answer) co_return answer.error();
    co_return Reply::json(*answer);
}

Task<Result<Reply>> put_send_leave_v2(Request& request, const ServerName& origin) {
    auto leave = co_await accept_membership(request, origin, "leave");
    if (!leave) co_return leave.error();
    co_return Reply::json(json::object());
}

Task<Result<Reply>> put_invite_v2(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto body = request.json_object();
    if (!body) co_return body.error();
    // An invite into a room whose ACL denies the inviting server (the
    // invitee may already be a member here) is refused like any request.
    if (auto room = RoomId::parse(request.path_param("roomId"))) {
        if (auto allowed = co_await check_room_acl(request, *room, origin); !allowed)
            co_return allowed.error();
    }
    auto version_field = body->find("room_version");
    if (version_field == body->end() || !version_field->is_string())
        co_return make_error(Errc::missing_param, "Missing room_version");
    const RoomVersion* version = RoomVersion::find(version_field->get<std::string>());
    if (!version) co_return incompatible_version(version_field->get<std::string>());
    auto event_field = body->find("event");
    if (event_field == body->end() || !event_field->is_object())
        co_return make_error(Errc::missing_param, "Missing event");
    auto pdu = co_await services.pdu_receiver->verify(*event_field, *version);
    if (!pdu) {
        if (pdu.error().code == Errc::remote_unavailable) co_return pdu.error();
        co_return make_error(Errc::invalid_param, pdu.error().message);
    }
    const Pdu& event = **pdu;
    auto invitee = event.state_key() ? UserId::parse(*event.state_key()) : Result<UserId>(make_error(Errc::invalid_param, "no state_key"));
    if (event.type() != "m.room.member" || event.membership() != "invite" ||
        event.sender().server() != origin.str() || !invitee ||
        invitee->server() != services.server_name ||
        event.room_id().str() != request.path_param("roomId") ||
        event.event_id().str() != request.path_param("eventId"))
        co_return make_error(Errc::invalid_param,
                             "Not an invite of a user of this server, from your server, "
                             "for this room and event id");
    auto exists = co_await services.db->read("federation_invitee", [&](store::ReadTxn& txn) {
        return txn.users().get(*invitee);
    });
    if (!exists) co_return exists.error();
    if (!*exists) co_return make_error(Errc::not_found, "Unknown user");

    // Our signature, and nothing else changed (§10.1).
    json signed_event = event.json();
    signed_event.erase("unsigned");
    if (auto s = sign_event(signed_event, services.server_name, *services.signing_key, *version); !s)
        co_return s.error();
    json stored = signed_event;
    if (auto state = body->find("invite_room_state"); state != body->end() && state->is_array())
        stored["unsigned"]["invite_room_state"] = *state;
    auto parsed = Pdu::from_json(std::move(stored), *version);
    if (!parsed) co_return make_error(Errc::invalid_param, parsed.error().message);
    auto invite = std::make_shared<const Pdu>(std::move(*parsed));
    auto kept = co_await services.db->run([&] { return services.ingest->store_remote_invite(invite); });
    if (!kept) co_return kept.error();
    co_return Reply::json({{"event", std::move(signed_event)}});
}

}  // namespace chat::daemon
