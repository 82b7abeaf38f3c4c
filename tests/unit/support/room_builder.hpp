#pragma once

// Builds a room of one version event by event: real, signed PDUs (build_event) with a
// consistent history, auth_events chosen as a server chooses them (§9), and the current
// state kept up to date. For tests of the auth rules, state resolution, and anything else
// that needs a room.
//
//     auto room = test::RoomBuilder(RoomVersion::v12);
//     room.standard_room("@alice:a.test", "public").join("@bob:b.test");
//     auto kick = room.draft_membership("@bob:b.test", "leave", "@alice:a.test");
//     auto verdict = auth::check(*kick, room.auth_state_for(*kick));
//
// - Events are appended to one linear history: each one's prev_events is the previous
//   event unless its EventSpec names others. Copying a builder forks the room: both
//   copies share the history so far and grow apart afterwards (branches for state
//   resolution tests).
// - The builder does NOT run the authorization rules on what it appends: a test can reach
//   any state, including ones the rules would refuse. Check drafts, not appended events.
// - origin_server_ts starts at 1000 and grows by one per event built (drafts included).
// - Broken fixtures (invalid user ids, an event before create()) throw, as build_event does.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/auth/auth_rules.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/events/state_key.hpp>

#include "support/event_builder.hpp"

namespace chat::test {

// How draft()/add() fill auth_events.
enum class AuthEvents {
    select,    // §9: the selection from the current state (ignores spec.auth_events)
    as_given,  // spec.auth_events exactly, possibly empty
};

class RoomBuilder {
public:
    explicit RoomBuilder(const RoomVersion& version) : version_(&version) {}

    const RoomVersion& version() const { return *version_; }
    // The create event's sender.
    const std::string& creator() const { return creator_; }
    const std::string& room_id() const { return room_id_; }
    const PduPtr& create_event() const { return require(create_, "create_event"); }
    const PduPtr& last() const { return require(last_, "last"); }
    // Every appended event, oldest first.
    const std::vector<PduPtr>& events() const { return events_; }
    // The current state: (type, state_key) -> event.
    const std::map<StateKey, PduPtr>& state_events() const { return state_; }
    const Pdu* state(std::string_view type, std::string_view key) const {
        auto it = state_.find(chat::state_key(type, key));
        return it == state_.end() ? nullptr : it->second.get();
    }

    // --- Building the room ---

    // m.room.create sent by `creator`: content {room_version, creator (v1-v10)} merged with
    // `extra` (e.g. {"m.federate": false} or {"additional_creators": [...]}). In v1-v11 the
    // room id is `room_id`, by default "!room:<creator's server>"; v12 derives it.
    RoomBuilder& create(const std::string& creator,
                        const nlohmann::json& extra = nlohmann::json::object(),
                        std::optional<std::string> room_id = std::nullopt) {
        nlohmann::json content = {{"room_version", std::string(version_->id)}};
        if (version_->creator_in_create) content["creator"] = creator;
        merge(content, extra);
        EventSpec spec{.type = "m.room.create", .sender = creator, .state_key = "",
                       .content = std::move(content)};
        if (!version_->room_id_is_create_event_hash)
            spec.room_id = room_id.value_or("!room:" + server_of(creator));
        spec.origin_server_ts = next_ts_++;
        auto event = build_event(*version_, spec);
        creator_ = creator;
        room_id_ = std::string(event->room_id().str());
        create_ = event;
        return append(std::move(event));
    }

    // The usual start of a room (§8.4): create, the creator's join, power levels and join
    // rules. The PL event is the defaults plus, in v1-v11, the creator at 100 in `users`;
    // v12 lists no creator (they have infinite power). `power_levels` is merged over it.
    RoomBuilder& standard_room(const std::string& creator, const std::string& join_rule = "invite",
                               const nlohmann::json& power_levels = nlohmann::json::object(),
                               const nlohmann::json& create_extra = nlohmann::json::object()) {
        create(creator, create_extra);
        join(creator);
        nlohmann::json pl = {{"users", nlohmann::json::object()}};
        if (!version_->creators_have_infinite_power) pl["users"][creator] = 100;
        merge(pl, power_levels);
        this->power_levels(pl);
        return join_rules(join_rule);
    }

    // Member events; `by` defaults to the target (a self-change).
    RoomBuilder& membership(const std::string& target, const std::string& membership,
                            const std::string& by = {},
                            const nlohmann::json& extra = nlohmann::json::object()) {
        return append(draft_membership(target, membership, by, extra));
    }
    RoomBuilder& join(const std::string& user,
                      const nlohmann::json& extra = nlohmann::json::object()) {
        return membership(user, "join", user, extra);
    }
    RoomBuilder& invite(const std::string& user, const std::string& by) {
        return membership(user, "invite", by);
    }
    RoomBuilder& leave(const std::string& user) { return membership(user, "leave", user); }
    RoomBuilder& kick(const std::string& user, const std::string& by) {
        return membership(user, "leave", by);
    }
    RoomBuilder& ban(const std::string& user, const std::string& by) {
        return membership(user, "ban", by);
    }
    RoomBuilder& knock(const std::string& user) { return membership(user, "knock", user); }

    // m.room.power_levels with exactly `content`, sent by `by` (default: the creator).
    RoomBuilder& power_levels(const nlohmann::json& content, const std::string& by = {}) {
        return state_event("m.room.power_levels", "", content, by);
    }
    // m.room.join_rules {join_rule, ...extra} (e.g. extra {"allow": [...]}).
    RoomBuilder& join_rules(const std::string& rule, const std::string& by = {},
                            const nlohmann::json& extra = nlohmann::json::object()) {
        nlohmann::json content = {{"join_rule", rule}};
        merge(content, extra);
        return state_event("m.room.join_rules", "", content, by);
    }
    // Any state event; `by` defaults to the creator.
    RoomBuilder& state_event(const std::string& type, const std::string& key,
                             const nlohmann::json& content, const std::string& by = {}) {
        return append(draft_state(type, key, content, by));
    }
    // Builds `spec` as draft() does and appends it.
    RoomBuilder& add(EventSpec spec, AuthEvents auth = AuthEvents::select) {
        return append(draft(std::move(spec), auth));
    }
    // Appends an event built elsewhere (it becomes the next event's prev_event and, if it
    // is a state event, enters the current state).
    RoomBuilder& append(PduPtr event) {
        if (event->is_state()) state_[chat::state_key(event->type(), *event->state_key())] = event;
        by_id_[std::string(event->event_id().str())] = event;
        last_ = event;
        events_.push_back(std::move(event));
        return *this;
    }

    // --- Drafts: built like appended events, but not appended ---

    // Fills what `spec` leaves out: room_id, prev_events (the last event), auth_events
    // (per `auth`), origin_server_ts. The sender must be a valid user id.
    PduPtr draft(EventSpec spec, AuthEvents auth = AuthEvents::select) const {
        if (!create_) throw std::runtime_error("RoomBuilder: create() first");
        if (!spec.room_id) spec.room_id = room_id_;
        if (spec.prev_events.empty()) spec.prev_events = {last_};
        if (auth == AuthEvents::select) spec.auth_events = select_auth_events(spec);
        if (spec.origin_server_ts == 0) spec.origin_server_ts = next_ts_++;
        return build_event(*version_, spec);
    }
    PduPtr draft_membership(const std::string& target, const std::string& membership,
                            const std::string& by = {},
                            const nlohmann::json& extra = nlohmann::json::object()) const {
        nlohmann::json content = extra;
        content["membership"] = membership;
        return draft({.type = "m.room.member", .sender = by.empty() ? target : by,
                      .state_key = target, .content = std::move(content)});
    }
    PduPtr draft_state(const std::string& type, const std::string& key,
                       const nlohmann::json& content, const std::string& by = {}) const {
        return draft({.type = type, .sender = by.empty() ? creator_ : by, .state_key = key,
                      .content = content});
    }
    PduPtr draft_message(const std::string& sender, const std::string& type = "m.room.message",
                         const nlohmann::json& content = {{"msgtype", "m.text"},
                                                          {"body", "hello"}}) const {
        return draft({.type = type, .sender = sender, .content = content});
    }

    // --- What the rules run against ---

    // The current state as an AuthState (§10.1 (b)/(c): the state before a new event).
    auth::AuthState current_state() const {
        auth::AuthState state;
        for (const auto& [key, event] : state_) state.put(event);
        return state;
    }
    // The events `event` cites as auth_events, among those this builder built and
    // appended (unknown ids are skipped).
    std::vector<PduPtr> auth_events_of(const Pdu& event) const {
        std::vector<PduPtr> found;
        for (const auto& id : event.auth_events()) {
            auto it = by_id_.find(std::string(id.str()));
            if (it != by_id_.end()) found.push_back(it->second);
        }
        return found;
    }
    // The state made from `event`'s auth_events (§10.1 (a)); in v12 plus the room's create
    // event, which the room id names instead of auth_events.
    auth::AuthState auth_state_for(const Pdu& event) const {
        auth::AuthState state;
        for (const auto& e : auth_events_of(event)) state.put(e);
        if (version_->room_id_is_create_event_hash && create_) state.put(create_);
        return state;
    }
    PduPtr find(const EventId& id) const {
        auto it = by_id_.find(std::string(id.str()));
        return it == by_id_.end() ? nullptr : it->second;
    }

private:
    static void merge(nlohmann::json& into, const nlohmann::json& extra) {
        for (auto it = extra.begin(); it != extra.end(); ++it) into[it.key()] = it.value();
    }
    static std::string server_of(const std::string& user) {
        auto colon = user.find(':');
        if (colon == std::string::npos) throw std::runtime_error("RoomBuilder: bad user id");
        return user.substr(colon + 1);
    }
    static const PduPtr& require(const PduPtr& event, const char* what) {
        if (!event) throw std::runtime_error(std::string("RoomBuilder: no event for ") + what);
        return event;
    }

    std::vector<PduPtr> select_auth_events(const EventSpec& spec) const {
        auto sender = UserId::parse(spec.sender);
        if (!sender) throw std::runtime_error("RoomBuilder: bad sender " + spec.sender);
        std::vector<PduPtr> chosen;
        for (const auto& key : auth::auth_event_keys(*version_, spec.type, *sender,
                                                     spec.state_key, spec.content)) {
            auto it = state_.find(key);
            if (it != state_.end()) chosen.push_back(it->second);
        }
        return chosen;
    }

    const RoomVersion* version_;
    std::string creator_;
    std::string room_id_;
    PduPtr create_;
    PduPtr last_;
    std::vector<PduPtr> events_;
    std::map<StateKey, PduPtr> state_;
    std::map<std::string, PduPtr> by_id_;
    mutable std::int64_t next_ts_ = 1000;
};

// `event` with `server`'s signature (test_key) added, as the resident server adds its
// own to a restricted join (join_authorised_via_users_server, v8+). The id is unchanged.
inline PduPtr countersign(const PduPtr& event, const std::string& server) {
    nlohmann::json json = event->json();
    if (!sign_event(json, server, test_key(server), event->version()))
        throw std::runtime_error("countersign: signing failed");
    auto pdu = Pdu::from_json(std::move(json), event->version());
    if (!pdu) throw std::runtime_error("countersign: " + pdu.error().message);
    return std::make_shared<const Pdu>(std::move(*pdu));
}

// An AuthContext whose is_signed_by checks signatures with the test keys of event_builder.
inline auth::AuthContext test_auth_context() {
    return {.is_signed_by = [](const Pdu& event, std::string_view server) {
        const auto& key = test_key(std::string(server));
        return verify_event_signature(event.json(), server, key.verify_key(), event.version())
            .has_value();
    }};
}

}  // namespace chat::test
