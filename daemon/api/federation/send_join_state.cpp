#include "api/federation/send_join_state.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace chat::daemon {

namespace {

std::string content_string(const store::StoredEvent& ev, const char* field) {
    const auto content = ev.json.find("content");
    if (content == ev.json.end() || !content->is_object()) return {};
    const auto value = content->find(field);
    if (value == content->end() || !value->is_string()) return {};
    return value->get<std::string>();
}

bool is_member_event(const store::StoredEvent& ev) {
    return ev.type == "m.room.member" && ev.state_key.has_value();
}

// A room its members need not name: a non-empty m.room.name or
// m.room.canonical_alias alias (spec "Calculating the display name").
bool is_named(const std::vector<store::StoredEvent>& state) {
    for (const auto& ev : state) {
        if (ev.state_key != "") continue;
        if (ev.type == "m.room.name" && !content_string(ev, "name").empty()) return true;
        if (ev.type == "m.room.canonical_alias" && !content_string(ev, "alias").empty())
            return true;
    }
    return false;
}

// The member events of the heroes, as /sync's summary picks them.
std::set<EventId> hero_events(const std::vector<store::StoredEvent>& state, const UserId& joiner) {
    std::set<EventId> out;
    for (const auto& memberships : {std::vector<std::string>{"join", "invite"},
                                    std::vector<std::string>{"leave", "ban"}}) {
        std::vector<const store::StoredEvent*> candidates;
        for (const auto& ev : state) {
            if (!is_member_event(ev) || *ev.state_key == joiner.str()) continue;
            const auto membership = content_string(ev, "membership");
            if (std::find(memberships.begin(), memberships.end(), membership) != memberships.end())
                candidates.push_back(&ev);
        }
        std::sort(candidates.begin(), candidates.end(), [](const auto* a, const auto* b) {
            return a->stream_ordering < b->stream_ordering;
        });
        for (const auto* ev : candidates) {
            if (out.size() == kJoinHeroes) break;
            out.insert(ev->event_id);
        }
        if (!out.empty()) break;
    }
    return out;
}

}  // namespace

JoinState select_join_state(const std::vector<store::StoredEvent>& state, const UserId& joiner,
                            bool omit_members) {
    JoinState out;
    std::set<std::string> servers;
    for (const auto& ev : state) {
        if (!is_member_event(ev) || content_string(ev, "membership") != "join") continue;
        if (auto user = UserId::parse(*ev.state_key)) servers.insert(std::string(user->server()));
    }
    out.servers_in_room.assign(servers.begin(), servers.end());

    std::set<EventId> heroes;
    if (omit_members && !is_named(state)) heroes = hero_events(state, joiner);
    for (const auto& ev : state) {
        if (omit_members && is_member_event(ev) && !heroes.contains(ev.event_id)) {
            out.members_omitted = true;
            continue;
        }
        out.state.push_back(ev.event_id);
    }
    // Only when some were left out: a small unnamed room whose members are
    // all heroes gives its full state, and the joiner need not fetch more.
    return out;
}

std::vector<EventId> without_state_events(std::vector<EventId> chain,
                                          const std::vector<EventId>& state) {
    const std::set<EventId> kept(state.begin(), state.end());
    std::erase_if(chain, [&](const EventId& id) { return kept.contains(id); });
    return chain;
}

}  // namespace chat::daemon
