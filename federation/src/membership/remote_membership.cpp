#include <chat/federation/membership/remote_membership.hpp>

#include <string>
#include <utility>

#include <chat/events/redaction.hpp>
#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/inbound/pdu_receiver.hpp>
#include <chat/federation/keys/key_ring.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/event_builder.hpp>
#include <chat/store/txn.hpp>

namespace chat::federation {

namespace {

using nlohmann::json;

// The state an invitee's server is sent so its user can see what the room is
// (full PDUs since spec v1.16; the create event is required).
constexpr std::string_view kInviteStateTypes[] = {
    "m.room.create", "m.room.name",           "m.room.avatar",     "m.room.topic",
    "m.room.join_rules", "m.room.canonical_alias", "m.room.encryption",
};

std::string ver_query() {
    std::string query;
    for (const auto& version : RoomVersion::all())
        query += (query.empty() ? "?ver=" : "&ver=") + std::string(version.id);
    return query;
}

// §8.1 / §11.1: the template must be the membership we asked for.
Result<void> check_template(const json& event, const RoomId& room_id, const UserId& user,
                            std::string_view membership) {
    auto str = [&](const char* key) -> std::string {
        auto it = event.find(key);
        return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto content = event.find("content");
    const bool membership_ok = content != event.end() && content->is_object() &&
                               content->value("membership", "") == membership;
    if (str("type") != "m.room.member" || str("sender") != user.str() ||
        str("state_key") != user.str() || !membership_ok ||
        (event.contains("room_id") && str("room_id") != room_id.str()))
        return make_error(Errc::remote_unavailable, "The resident server sent a bad template.");
    return ok();
}

}  // namespace

RemoteMembership::RemoteMembership(DbExecutor& db, ingest::EventIngest& ingest,
                                   PduReceiver& receiver, FederationClient& client, KeyRing& keys,
                                   ServerName own_name, const crypto::SigningKey& key,
                                   const Clock& clock)
    : db_(db), ingest_(ingest), receiver_(receiver), client_(client), keys_(keys),
      own_name_(std::move(own_name)), key_(key), clock_(clock) {}

Task<Result<bool>> RemoteMembership::participating(const RoomId& room_id) {
    co_return co_await db_.read("federation_participating", [&](store::ReadTxn& txn) -> Result<bool> {
        auto extremities = txn.extremities().get(room_id);
        if (!extremities) return extremities.error();
        return !extremities->empty();
    });
}

Task<Result<void>> RemoteMembership::join(const UserId& user, const RoomId& room_id,
                                          const std::vector<ServerName>& via) {
    // Only ourselves to ask: a room nobody here or elsewhere knows of.
    Error last = make_error(Errc::not_found, "Unknown room: no server to join it through.");
    for (const auto& server : via) {
        if (server == own_name_) continue;
        auto joined = co_await join_via(user, room_id, server);
        if (joined) co_return ok();
        last = joined.error();
        // A refusal is the room's answer, not the server's: do not shop around.
        if (last.code == Errc::forbidden) break;
    }
    co_return last;
}

Task<Result<void>> RemoteMembership::join_via(const UserId& user, const RoomId& room_id,
                                              const ServerName& resident) {
    const std::string room = percent_encode(room_id.str());
    auto made = co_await client_.get(resident, "/_matrix/federation/v1/make_join/" + room + "/" +
                                                   percent_encode(user.str()) + ver_query());
    if (!made) co_return made.error();
    if (!made->is_object() || !made->contains("event") || !(*made)["event"].is_object())
        co_return make_error(Errc::remote_unavailable, "make_join answered without an event.");
    auto version = RoomVersion::get(made->value("room_version", "1"));
    if (!version) co_return version.error();
    json event = (*made)["event"];
    if (auto checked = check_template(event, room_id, user, "join"); !checked)
        co_return checked.error();
    event["origin"] = std::string(own_name_.str());
    event["origin_server_ts"] = clock_.now_ms();
    auto join = rooms::sign_template(std::move(event), **version, own_name_, key_);
    if (!join) co_return join.error();

    auto sent = co_await client_.put(resident,
                                     "/_matrix/federation/v2/send_join/" + room + "/" +
                                         percent_encode((*join)->event_id().str()),
                                     (*join)->json());
    if (!sent) co_return sent.error();
    if (!sent->is_object()) co_return make_error(Errc::remote_unavailable, "Bad send_join answer.");
    PduPtr final_join = *join;
    if (auto it = sent->find("event"); it != sent->end() && it->is_object()) {
        // Restricted joins come back countersigned by the resident.
        auto countersigned = co_await receiver_.verify(*it, **version);
        if (countersigned && (*countersigned)->event_id() == (*join)->event_id())
            final_join = *countersigned;
    }
    auto state = co_await receiver_.verify_all(sent->value("state", json::array()), **version);
    auto chain = co_await receiver_.verify_all(sent->value("auth_chain", json::array()), **version);
    auto accepted = co_await db_.run([&] { return ingest_.accept_join(final_join, state, chain); });
    if (!accepted) co_return accepted.error();
    co_return ok();
}

Task<Result<void>> RemoteMembership::invite(const UserId& sender, const RoomId& room_id,
                                            const UserId& target,
                                            std::optional<std::string> reason) {
    auto target_server = ServerName::parse(target.server());
    if (!target_server) co_return target_server.error();
    struct Built {
        rooms::EventTemplate tmpl;
        json stripped = json::array();
    };
    json content = {{"membership", "invite"}};
    if (reason) content["reason"] = *reason;
    auto built = co_await db_.read("federation_invite", [&](store::ReadTxn& txn) -> Result<Built> {
        auto tmpl = rooms::build_template(txn,
                                          {.sender = sender,
                                           .room_id = room_id,
                                           .type = "m.room.member",
                                           .state_key = std::string(target.str()),
                                           .content = content},
                                          own_name_, clock_.now_ms());
        if (!tmpl) return tmpl.error();
        Built out{.tmpl = std::move(*tmpl)};
        std::vector<EventId> ids;
        for (auto type : kInviteStateTypes) {
            auto id = txn.current_state().entry(room_id, type, "");
            if (!id) return id.error();
            if (*id) ids.push_back(**id);
        }
        auto inviter = txn.current_state().entry(room_id, "m.room.member", sender.str());
        if (!inviter) return inviter.error();
        if (*inviter) ids.push_back(**inviter);
        auto rows = txn.events().get_many(ids);
        if (!rows) return rows.error();
        for (const auto& row : *rows) out.stripped.push_back(row.json);
        return out;
    });
    if (!built) co_return built.error();
    const RoomVersion& version = *built->tmpl.version;
    auto invite = rooms::sign_template(std::move(built->tmpl.event), version, own_name_, key_);
    if (!invite) co_return invite.error();

    json body = {{"room_version", std::string(version.id)},
                 {"event", (*invite)->json()},
                 {"invite_room_state", std::move(built->stripped)}};
    auto answer = co_await client_.put(*target_server,
                                       "/_matrix/federation/v2/invite/" +
                                           percent_encode(room_id.str()) + "/" +
                                           percent_encode((*invite)->event_id().str()),
                                       std::move(body));
    if (!answer) co_return answer.error();
    if (!answer->is_object() || !answer->contains("event"))
        co_return make_error(Errc::remote_unavailable, "The invitee's server sent no event.");
    auto signed_invite = co_await receiver_.verify((*answer)["event"], version);
    if (!signed_invite) co_return signed_invite.error();
    if ((*signed_invite)->event_id() != (*invite)->event_id())
        co_return make_error(Errc::remote_unavailable, "The invitee's server changed the invite.");
    // §10.1: the invitee's server must have countersigned it.
    auto countersigned = co_await keys_.verify_signed_by(
        redact((*signed_invite)->json(), version), *target_server,
        version.enforce_key_validity ? (*signed_invite)->origin_server_ts() : 0);
    if (!countersigned) co_return countersigned.error();

    auto accepted = co_await db_.run([&] { return ingest_.accept(*signed_invite); });
    if (!accepted) co_return accepted.error();
    if (accepted->status != ingest::IngestStatus::persisted &&
        accepted->status != ingest::IngestStatus::already_known)
        co_return make_error(Errc::forbidden, "The invite was refused: " + accepted->reason);
    co_return ok();
}

Task<Result<void>> RemoteMembership::knock(const UserId& user, const RoomId& room_id,
                                           const std::vector<ServerName>& via,
                                           std::optional<std::string> reason) {
    Error last = make_error(Errc::not_found, "No server to knock through.");
    for (const auto& server : via) {
        if (server == own_name_) continue;
        const std::string room = percent_encode(room_id.str());
        auto made = co_await client_.get(server, "/_matrix/federation/v1/make_knock/" + room + "/" +
                                                     percent_encode(user.str()) + ver_query());
        if (!made) {
            last = made.error();
            if (last.code == Errc::forbidden) break;
            continue;
        }
        if (!made->is_object() || !made->contains("event") || !(*made)["event"].is_object()) {
            last = make_error(Errc::remote_unavailable, "make_knock answered without an event.");
            continue;
        }
        auto version = RoomVersion::get(made->value("room_version", "1"));
        if (!version) co_return version.error();
        json event = (*made)["event"];
        if (auto checked = check_template(event, room_id, user, "knock"); !checked) {
            last = checked.error();
            continue;
        }
        event["origin"] = std::string(own_name_.str());
        event["origin_server_ts"] = clock_.now_ms();
        if (reason) event["content"]["reason"] = *reason;
        auto pdu = rooms::sign_template(std::move(event), **version, own_name_, key_);
        if (!pdu) co_return pdu.error();
        auto sent = co_await client_.put(server,
                                         "/_matrix/federation/v1/send_knock/" + room + "/" +
                                             percent_encode((*pdu)->event_id().str()),
                                         (*pdu)->json());
        if (!sent) {
            last = sent.error();
            if (last.code == Errc::forbidden) break;
            continue;
        }
        // Kept with the state the resident sent, for the user's sync.
        json kept = (*pdu)->json();
        if (auto state = sent->find("knock_room_state"); state != sent->end() && state->is_array())
            kept["unsigned"]["knock_room_state"] = *state;
        auto parsed = Pdu::from_json(std::move(kept), **version);
        if (!parsed) co_return parsed.error();
        auto stored = co_await db_.run([&] {
            return ingest_.store_out_of_band(std::make_shared<const Pdu>(std::move(*parsed)));
        });
        if (!stored) co_return stored.error();
        co_return ok();
    }
    co_return last;
}

Task<Result<void>> RemoteMembership::leave(const UserId& user, const RoomId& room_id,
                                           const std::vector<ServerName>& via) {
    Error last = make_error(Errc::not_found, "No server to leave this room through.");
    for (const auto& server : via) {
        if (server == own_name_) continue;
        const std::string room = percent_encode(room_id.str());
        auto made = co_await client_.get(server, "/_matrix/federation/v1/make_leave/" + room +
                                                     "/" + percent_encode(user.str()));
        if (!made) {
            last = made.error();
            continue;
        }
        if (!made->is_object() || !made->contains("event") || !(*made)["event"].is_object()) {
            last = make_error(Errc::remote_unavailable, "make_leave answered without an event.");
            continue;
        }
        auto version = RoomVersion::get(made->value("room_version", "1"));
        if (!version) co_return version.error();
        json event = (*made)["event"];
        if (auto checked = check_template(event, room_id, user, "leave"); !checked) {
            last = checked.error();
            continue;
        }
        event["origin"] = std::string(own_name_.str());
        event["origin_server_ts"] = clock_.now_ms();
        auto pdu = rooms::sign_template(std::move(event), **version, own_name_, key_);
        if (!pdu) co_return pdu.error();
        auto sent = co_await client_.put(server,
                                         "/_matrix/federation/v2/send_leave/" + room + "/" +
                                             percent_encode((*pdu)->event_id().str()),
                                         (*pdu)->json());
        if (!sent) {
            last = sent.error();
            continue;
        }
        auto stored = co_await db_.run([&] { return ingest_.store_out_of_band(*pdu); });
        if (!stored) co_return stored.error();
        co_return ok();
    }
    co_return last;
}

}  // namespace chat::federation
