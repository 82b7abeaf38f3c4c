// State resolution v2 (rooms v2-v11, §11.2-§11.3) and its room v12 variant, "v2.1"
// (§11.5, MSC4297): the orderings, the iterative auth checks and the algorithm.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>
#include <string>
#include <vector>

#include <chat/auth/auth_rules.hpp>

#include "state/event_graph.hpp"
#include "state/resolution_steps.hpp"

namespace chat::state {
namespace {

const StateKey& power_levels_key() {
    static const StateKey key{"m.room.power_levels", ""};
    return key;
}

const StateKey& create_key() {
    static const StateKey key{"m.room.create", ""};
    return key;
}

}  // namespace

bool is_power_event(const Pdu& event) {
    if (!event.is_state()) return false;
    // §11.2 names the types only, whatever the state_key.
    if (event.type() == "m.room.power_levels" || event.type() == "m.room.join_rules")
        return true;
    if (event.type() != "m.room.member") return false;
    const auto membership = event.membership();
    if (!membership || (*membership != "leave" && *membership != "ban")) return false;
    return event.sender().str() != *event.state_key();
}

Result<NodeId> WorkingState::get(EventGraph& graph, const StateKey& key) const {
    if (auto it = changes_.find(key); it != changes_.end()) return it->second;
    if (!base_) return kNoNode;
    auto it = base_->find(key);
    if (it == base_->end()) return kNoNode;
    return graph.load(it->second);
}

const auth::AuthContext& resolution_auth_context() {
    static const auth::AuthContext context{
        .is_signed_by = [](const Pdu&, std::string_view) { return true; },
    };
    return context;
}

std::vector<StateKey> auth_keys_for(const Pdu& event) {
    auto keys = auth::auth_event_keys(event.version(), event.type(), event.sender(),
                                      event.state_key(), event.content());
    if (event.version().room_id_is_create_event_hash &&
        std::find(keys.begin(), keys.end(), create_key()) == keys.end())
        keys.push_back(create_key());
    return keys;
}

Result<void> iterative_auth_checks(EventGraph& graph, WorkingState& state,
                                   std::span<const NodeId> events) {
    const bool v12 = graph.version().room_id_is_create_event_hash;
    for (NodeId e : events) {
        const Pdu& event = graph.pdu(e);
        if (!event.is_state()) continue;
        auto own_auth = graph.auth_events(e);
        if (!own_auth) return std::move(own_auth).error();

        auth::AuthState auth_state;
        for (const StateKey& key : auth_keys_for(event)) {
            auto current = state.get(graph, key);
            if (!current) return std::move(current).error();
            if (*current != kNoNode) {
                auth_state.put(graph.pdu_ptr(*current));
                continue;
            }
            if (v12 && key == create_key()) {
                // §11.5: the create event is implied by the room id, never absent.
                auto create = graph.create_for(e);
                if (!create) return std::move(create).error();
                if (*create != kNoNode) auth_state.put(graph.pdu_ptr(*create));
                continue;
            }
            // §11.4: a rejected auth event is never the fallback.
            for (NodeId a : *own_auth) {
                if (graph.pdu(a).is_state_of(key.type, key.state_key) && !graph.is_rejected(a)) {
                    auth_state.put(graph.pdu_ptr(a));
                    break;
                }
            }
        }
        if (auth::check(event, auth_state, resolution_auth_context()))
            state.set(StateKey{event.type(), *event.state_key()}, e);
    }
    return ok();
}

Result<std::vector<NodeId>> reverse_topological_power_order(EventGraph& graph,
                                                            std::span<const NodeId> events) {
    constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();
    const std::size_t count = events.size();
    NodeMarks<std::uint32_t> local(kAbsent);
    for (std::size_t i = 0; i < count; ++i) local.set(events[i], static_cast<std::uint32_t>(i));

    std::vector<std::vector<std::uint32_t>> cited_by(count);
    std::vector<std::uint32_t> pending(count, 0);
    std::vector<std::int64_t> power(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto auth = graph.auth_events(events[i]);
        if (!auth) return std::move(auth).error();
        for (NodeId a : *auth) {
            const auto j = local.get(a);
            if (j == kAbsent) continue;
            cited_by[j].push_back(static_cast<std::uint32_t>(i));
            ++pending[i];
        }
        auto p = graph.sender_power(events[i]);
        if (!p) return std::move(p).error();
        power[i] = *p;
    }

    // x comes first when its sender has more power, then when older, then by event id
    // compared bytewise (§11.2). priority_queue pops its greatest, so `later` is ">".
    auto later = [&](std::uint32_t x, std::uint32_t y) {
        if (power[x] != power[y]) return power[x] < power[y];
        const Pdu& ex = graph.pdu(events[x]);
        const Pdu& ey = graph.pdu(events[y]);
        if (ex.origin_server_ts() != ey.origin_server_ts())
            return ex.origin_server_ts() > ey.origin_server_ts();
        return ex.event_id().str() > ey.event_id().str();
    };
    std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, decltype(later)> ready(later);
    for (std::size_t i = 0; i < count; ++i) {
        if (pending[i] == 0) ready.push(static_cast<std::uint32_t>(i));
    }
    std::vector<NodeId> sorted;
    sorted.reserve(count);
    while (!ready.empty()) {
        const auto x = ready.top();
        ready.pop();
        sorted.push_back(events[x]);
        for (auto c : cited_by[x]) {
            if (--pending[c] == 0) ready.push(c);
        }
    }
    // Events on an auth_events cycle (only forgeable with v1-v2 event ids) never become
    // ready and are left out.
    return sorted;
}

Result<std::vector<NodeId>> mainline_order(EventGraph& graph, NodeId power_levels,
                                           std::span<const NodeId> events) {
    constexpr std::uint64_t kInfinite = std::numeric_limits<std::uint64_t>::max();
    constexpr std::uint64_t kUnknown = kInfinite - 1;
    constexpr std::uint64_t kWalking = kInfinite - 2;

    // The mainline: P0 = power_levels, P(i+1) the PL event in Pi's auth_events.
    NodeMarks<std::uint64_t> position(kUnknown);
    std::uint64_t depth = 0;
    for (NodeId p = power_levels; p != kNoNode && position.get(p) == kUnknown;) {
        position.set(p, depth++);
        auto parent = graph.power_levels_parent(p);
        if (!parent) return std::move(parent).error();
        p = *parent;
    }
    // The position reached from an event's PL ancestry, memoised along the way: each PL
    // event off the mainline takes the position its own ancestry reaches.
    std::vector<NodeId> walked;
    auto position_from = [&](NodeId q) -> Result<std::uint64_t> {
        walked.clear();
        std::uint64_t found = kInfinite;
        while (q != kNoNode) {
            const auto known = position.get(q);
            if (known == kWalking) break;  // a forged cycle: no mainline event on it
            if (known != kUnknown) {
                found = known;
                break;
            }
            position.set(q, kWalking);
            walked.push_back(q);
            auto parent = graph.power_levels_parent(q);
            if (!parent) return std::move(parent).error();
            q = *parent;
        }
        for (NodeId w : walked) position.set(w, found);
        return found;
    };

    struct Keyed {
        std::uint64_t position;
        NodeId node;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(events.size());
    for (NodeId e : events) {
        // The walk starts at e's PL event, never at e itself (§11.2).
        auto parent = graph.power_levels_parent(e);
        if (!parent) return std::move(parent).error();
        auto pos = position_from(*parent);
        if (!pos) return std::move(pos).error();
        keyed.push_back({*pos, e});
    }
    std::sort(keyed.begin(), keyed.end(), [&](const Keyed& x, const Keyed& y) {
        if (x.position != y.position) return x.position > y.position;  // older first
        const Pdu& ex = graph.pdu(x.node);
        const Pdu& ey = graph.pdu(y.node);
        if (ex.origin_server_ts() != ey.origin_server_ts())
            return ex.origin_server_ts() < ey.origin_server_ts();
        return ex.event_id().str() < ey.event_id().str();
    });
    std::vector<NodeId> sorted;
    sorted.reserve(keyed.size());
    for (const auto& k : keyed) sorted.push_back(k.node);
    return sorted;
}

Result<StateMap> resolve_v2(const RoomVersion& version, std::span<const StateMap> states,
                            const EventSource& events) {
    const bool v2_1 = version.state_res == StateResAlgorithm::v2_1;
    Partition parts = partition_states(states, ConflictRule::missing_is_conflict);
    if (parts.conflicted.empty()) return std::move(parts.unconflicted);

    EventGraph graph(version, events);
    auto load_all = [&](const std::vector<EventId>& ids) -> Result<std::vector<NodeId>> {
        std::vector<NodeId> nodes;
        nodes.reserve(ids.size());
        for (const EventId& id : ids) {
            auto n = graph.load(id);
            if (!n) return std::move(n).error();
            nodes.push_back(*n);
        }
        return nodes;
    };

    // The full conflicted set: the conflicted state set, the auth difference and, in
    // v12, the conflicted state subgraph.
    NodeMarks<char> in_full;
    std::vector<NodeId> full;
    auto add_full = [&](NodeId n) {
        if (in_full.get(n)) return;
        in_full.set(n, 1);
        full.push_back(n);
    };
    std::vector<NodeId> conflicted;
    for (const auto& [key, ids] : parts.conflicted) {
        auto nodes = load_all(ids);
        if (!nodes) return std::move(nodes).error();
        for (NodeId n : *nodes) {
            if (!in_full.get(n)) conflicted.push_back(n);
            add_full(n);
        }
    }
    std::vector<std::vector<NodeId>> state_roots;
    state_roots.reserve(parts.conflicted_by_state.size());
    for (const auto& ids : parts.conflicted_by_state) {
        auto nodes = load_all(ids);
        if (!nodes) return std::move(nodes).error();
        state_roots.push_back(std::move(*nodes));
    }
    auto difference = auth_difference(graph, parts.unconflicted, state_roots, &in_full);
    if (!difference) return std::move(difference).error();
    for (NodeId n : *difference) add_full(n);
    if (v2_1) {
        auto subgraph = conflicted_subgraph(graph, conflicted);
        if (!subgraph) return std::move(subgraph).error();
        for (NodeId n : *subgraph) add_full(n);
    }

    // Step 1: the power events of the full conflicted set, with the events of their auth
    // chains that are in it too, in reverse topological power order. As the spec says,
    // the whole auth chain of each power event is searched; walking only through events
    // of the full conflicted set, as some servers do, differs when an auth path leaves
    // the set and comes back into it.
    NodeMarks<char> in_power;
    std::vector<NodeId> power_events;
    for (NodeId n : full) {
        if (is_power_event(graph.pdu(n))) {
            in_power.set(n, 1);
            power_events.push_back(n);
        }
    }
    {
        const std::vector<NodeId> roots = power_events;
        NodeMarks<char> seen;
        auto walked = walk_auth_chains(graph, roots, seen, [&](NodeId a) {
            if (in_full.get(a) && !in_power.get(a)) {
                in_power.set(a, 1);
                power_events.push_back(a);
            }
            return true;
        });
        if (!walked) return std::move(walked).error();
    }
    auto power_sorted = reverse_topological_power_order(graph, power_events);
    if (!power_sorted) return std::move(power_sorted).error();

    // Step 2: v2 starts from the unconflicted state, v2.1 from an empty one (§11.5).
    WorkingState state(v2_1 ? nullptr : &parts.unconflicted);
    if (auto checked = iterative_auth_checks(graph, state, *power_sorted); !checked)
        return std::move(checked).error();

    // Step 3: the other events, in mainline order of the resolved power levels.
    auto power_levels = state.get(graph, power_levels_key());
    if (!power_levels) return std::move(power_levels).error();
    std::vector<NodeId> others;
    for (NodeId n : full) {
        if (!in_power.get(n)) others.push_back(n);
    }
    auto others_sorted = mainline_order(graph, *power_levels, others);
    if (!others_sorted) return std::move(others_sorted).error();

    // Step 4.
    if (auto checked = iterative_auth_checks(graph, state, *others_sorted); !checked)
        return std::move(checked).error();

    // Step 5: the unconflicted entries win; emplace never overwrites them.
    StateMap resolved = std::move(parts.unconflicted);
    for (const auto& [key, n] : state.changes()) resolved.emplace(key, graph.id(n));
    return resolved;
}

}  // namespace chat::state
