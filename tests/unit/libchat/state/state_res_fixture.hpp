#pragma once

// Small room DAGs for state resolution tests: events named by labels, built as real
// signed PDUs of one room version, with the state after each event, and an in-memory
// EventSource. The JSON shape of an event spec is documented in
// tests/data/stateres/README.md; the same specs drive the table-driven cases.

#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/auth/auth_rules.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/state/state_res.hpp>

#include "support/event_builder.hpp"

namespace chat::test {

// Events by id, as a store would hold them, with the rejected ones marked.
class MemoryEventSource : public state::EventSource {
public:
    void add(PduPtr event) { events_[std::string(event->event_id().str())] = std::move(event); }
    void reject(const EventId& id) { rejected_.insert(std::string(id.str())); }
    void forget(const EventId& id) { events_.erase(std::string(id.str())); }
    std::size_t size() const { return events_.size(); }

    PduPtr get(const EventId& id) const override {
        auto it = events_.find(std::string(id.str()));
        return it == events_.end() ? nullptr : it->second;
    }
    bool is_rejected(const EventId& id) const override {
        return rejected_.count(std::string(id.str())) > 0;
    }

private:
    std::map<std::string, PduPtr> events_;
    std::set<std::string> rejected_;
};

inline constexpr const char* kServer = "example.com";

// "alice" -> "@alice:example.com"; full user ids are kept.
inline std::string user_id(const std::string& name) {
    if (!name.empty() && name[0] == '@') return name;
    return "@" + name + ":" + kServer;
}

class Dag {
public:
    explicit Dag(const RoomVersion& version) : version_(&version) {}

    const RoomVersion& version() const { return *version_; }
    MemoryEventSource& source() { return source_; }

    // The start of every case: alice creates the room (and, v1-v11, gives herself 100),
    // makes it public; bob, charlie and zara join; zara says something at START.
    void add_preamble() {
        add({{"id", "CREATE"}, {"type", "m.room.create"}, {"sender", "alice"},
             {"state_key", ""}});
        add({{"id", "IMA"}, {"type", "m.room.member"}, {"sender", "alice"},
             {"state_key", "alice"}, {"content", {{"membership", "join"}}}});
        add({{"id", "IPOWER"}, {"type", "m.room.power_levels"}, {"sender", "alice"},
             {"state_key", ""}, {"content", {{"users", {{"alice", 100}}}}}});
        add({{"id", "IJR"}, {"type", "m.room.join_rules"}, {"sender", "alice"},
             {"state_key", ""}, {"content", {{"join_rule", "public"}}}});
        for (const char* who : {"bob", "charlie", "zara"}) {
            std::string label = std::string("IM") + static_cast<char>(std::toupper(who[0]));
            add({{"id", label}, {"type", "m.room.member"}, {"sender", who}, {"state_key", who},
                 {"content", {{"membership", "join"}}}});
        }
        add({{"id", "START"}, {"type", "m.room.message"}, {"sender", "zara"},
             {"content", {{"body", "start"}}}});
    }

    // Adds one event (tests/data/stateres/README.md). Throws on a broken spec.
    void add(const nlohmann::json& spec) {
        const std::string label = spec.at("id").get<std::string>();
        if (labels_.count(label)) throw std::runtime_error("duplicate label " + label);
        EventSpec e;
        e.type = spec.at("type").get<std::string>();
        e.sender = user_id(spec.at("sender").get<std::string>());
        if (spec.contains("state_key")) {
            std::string key = spec["state_key"].get<std::string>();
            if (e.type == "m.room.member") key = user_id(key);
            e.state_key = key;
        }
        e.content = content_for(e.type, e.sender, spec.value("content", nlohmann::json::object()));
        if (spec.contains("prev")) {
            for (const auto& p : spec["prev"])
                e.prev_events.push_back(event(p.get<std::string>()));
        } else if (!last_.empty()) {
            e.prev_events.push_back(event(last_));
        }
        e.origin_server_ts = spec.value("ts", static_cast<std::int64_t>(1000 + order_.size()));
        if (spec.contains("depth")) e.depth = spec["depth"].get<std::int64_t>();
        if (version_->event_id_in_pdu())
            e.extra["event_id"] = "$" + label + ":" + kServer;
        const bool is_create = e.type == "m.room.create";
        if (!version_->room_id_is_create_event_hash) e.room_id = std::string("!room:") + kServer;

        StateMap before;
        if (!e.prev_events.empty()) before = state_before(e.prev_events);
        if (spec.contains("auth")) {
            for (const auto& a : spec["auth"])
                e.auth_events.push_back(event(a.get<std::string>()));
        } else if (!is_create) {
            auto sender = UserId::parse(e.sender);
            if (!sender) throw std::runtime_error("bad sender in " + label);
            for (const auto& key :
                 auth::auth_event_keys(*version_, e.type, *sender, e.state_key, e.content)) {
                auto it = before.find(key);
                if (it != before.end()) e.auth_events.push_back(source_.get(it->second));
            }
        }
        if (is_create) e.prev_events.clear();

        PduPtr pdu = build_event(*version_, e);
        source_.add(pdu);
        if (spec.value("rejected", false)) source_.reject(pdu->event_id());
        labels_.emplace(label, pdu);
        names_.emplace(std::string(pdu->event_id().str()), label);
        StateMap after = std::move(before);
        if (pdu->is_state())
            after.insert_or_assign(state_key(pdu->type(), *pdu->state_key()), pdu->event_id());
        states_.emplace(label, std::move(after));
        order_.push_back(label);
        last_ = label;
    }

    PduPtr event(const std::string& label) const {
        auto it = labels_.find(label);
        if (it == labels_.end()) throw std::runtime_error("unknown label " + label);
        return it->second;
    }
    const EventId& id(const std::string& label) const { return event(label)->event_id(); }
    const StateMap& state_after(const std::string& label) const {
        auto it = states_.find(label);
        if (it == states_.end()) throw std::runtime_error("unknown label " + label);
        return it->second;
    }

    // "m.room.topic" or "m.room.member|bob": a state key, member keys taking user names.
    StateKey key(const std::string& text) const {
        const auto bar = text.find('|');
        std::string type = text.substr(0, bar);
        std::string key = bar == std::string::npos ? "" : text.substr(bar + 1);
        if (type == "m.room.member") key = user_id(key);
        return StateKey{type, key};
    }

    // A resolution input: a label (the state after that event) or
    // {"after": label, "with": {key: label-or-null}} (that state, edited: a stale or
    // wrong state as a partial /state answer could give).
    StateMap state_from(const nlohmann::json& input) const {
        if (input.is_string()) return state_after(input.get<std::string>());
        StateMap state = state_after(input.at("after").get<std::string>());
        apply(state, input.value("with", nlohmann::json::object()));
        return state;
    }

    // Sets each key to the labelled event, or erases it for null.
    void apply(StateMap& state, const nlohmann::json& edits) const {
        for (auto it = edits.begin(); it != edits.end(); ++it) {
            if (it.value().is_null())
                state.erase(key(it.key()));
            else
                state.insert_or_assign(key(it.key()), id(it.value().get<std::string>()));
        }
    }

    std::string label_of(const EventId& id) const {
        auto it = names_.find(std::string(id.str()));
        return it == names_.end() ? std::string(id.str()) : it->second;
    }

    // "type|state_key=LABEL" per entry, for readable failures.
    std::string describe(const StateMap& state) const {
        std::ostringstream out;
        for (const auto& [k, v] : state)
            out << k.type << '|' << k.state_key << '=' << label_of(v) << '\n';
        return out.str();
    }

private:
    StateMap state_before(const std::vector<PduPtr>& prevs) {
        auto after = [&](const PduPtr& p) -> const StateMap& {
            return states_.at(names_.at(std::string(p->event_id().str())));
        };
        if (prevs.size() == 1) return after(prevs[0]);
        std::vector<StateMap> inputs;
        for (const auto& p : prevs) inputs.push_back(after(p));
        auto resolved = state::resolve(*version_, inputs, source_);
        if (!resolved)
            throw std::runtime_error("resolving prev states: " + resolved.error().message);
        return *resolved;
    }

    // Expands user names in power levels and adds the create content for the version.
    nlohmann::json content_for(const std::string& type, const std::string& sender,
                               nlohmann::json content) {
        if (type == "m.room.create") {
            content["room_version"] = std::string(version_->id);
            if (version_->creator_in_create) content["creator"] = sender;
            creator_ = sender;
        }
        if (type == "m.room.power_levels" && content.contains("users")) {
            nlohmann::json users = nlohmann::json::object();
            for (auto it = content["users"].begin(); it != content["users"].end(); ++it) {
                const std::string who = user_id(it.key());
                // v12 creators have infinite power and must not be listed (§10.4 10.4).
                if (version_->creators_have_infinite_power && who == creator_) continue;
                users[who] = it.value();
            }
            content["users"] = users;
        }
        return content;
    }

    const RoomVersion* version_;
    MemoryEventSource source_;
    std::map<std::string, PduPtr> labels_;
    std::map<std::string, std::string> names_;  // event id -> label
    std::map<std::string, StateMap> states_;    // label -> state after
    std::vector<std::string> order_;
    std::string last_;
    std::string creator_;
};

}  // namespace chat::test
