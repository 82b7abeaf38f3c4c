#include <chat/state/state_res.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include <chat/state/state_res_steps.hpp>

#include "state/event_graph.hpp"
#include "state/resolution_steps.hpp"

namespace chat::state {

Partition partition_states(std::span<const StateMap> states, ConflictRule rule) {
    Partition parts;
    parts.conflicted_by_state.resize(states.size());
    if (states.empty()) return parts;
    // A merge of the sorted maps: each key is met once, in order. The unconflicted map
    // starts as a copy of the first state (a copy allocates like inserting but needs no
    // comparisons or rebalancing), which then loses its conflicted keys; keys absent
    // from the first state are appended.
    parts.unconflicted = states[0];
    std::vector<const StateKey*> drop;
    std::vector<StateMap::const_iterator> at;
    at.reserve(states.size());
    for (const auto& s : states) at.push_back(s.begin());
    std::vector<const EventId*> values(states.size());
    for (;;) {
        const StateKey* key = nullptr;
        for (std::size_t i = 0; i < states.size(); ++i) {
            if (at[i] != states[i].end() && (!key || at[i]->first < *key)) key = &at[i]->first;
        }
        if (!key) break;
        std::size_t holders = 0;
        bool agree = true;
        const EventId* first = nullptr;
        for (std::size_t i = 0; i < states.size(); ++i) {
            values[i] = nullptr;
            if (at[i] == states[i].end() || at[i]->first != *key) continue;
            values[i] = &at[i]->second;
            ++holders;
            if (!first)
                first = values[i];
            else if (*values[i] != *first)
                agree = false;
        }
        const bool unconflicted =
            agree && (rule == ConflictRule::distinct_values || holders == states.size());
        if (unconflicted) {
            if (!values[0]) parts.unconflicted.emplace(*key, *first);  // v1: absent there
        } else {
            if (values[0]) drop.push_back(key);
            std::vector<EventId> ids;
            for (std::size_t i = 0; i < states.size(); ++i) {
                if (!values[i]) continue;
                parts.conflicted_by_state[i].push_back(*values[i]);
                ids.push_back(*values[i]);
            }
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            parts.conflicted.emplace_back(*key, std::move(ids));
        }
        // `key` points into a map node, which advancing the iterators does not free.
        for (std::size_t i = 0; i < states.size(); ++i) {
            if (values[i]) ++at[i];
        }
    }
    for (const StateKey* key : drop) parts.unconflicted.erase(*key);
    return parts;
}

Result<StateMap> resolve(const RoomVersion& version, std::span<const StateMap> states,
                         const EventSource& events) {
    switch (version.state_res) {
    case StateResAlgorithm::v1: return resolve_v1(version, states, events);
    case StateResAlgorithm::v2:
    case StateResAlgorithm::v2_1: return resolve_v2(version, states, events);
    }
    return make_error(Errc::internal, "Unknown state resolution algorithm.");
}

namespace detail {
namespace {

Result<std::vector<NodeId>> load_all(EventGraph& graph, std::span<const EventId> ids) {
    std::vector<NodeId> nodes;
    nodes.reserve(ids.size());
    for (const EventId& id : ids) {
        auto n = graph.load(id);
        if (!n) return std::move(n).error();
        nodes.push_back(*n);
    }
    return nodes;
}

std::vector<EventId> ids_of(const EventGraph& graph, std::span<const NodeId> nodes) {
    std::vector<EventId> ids;
    ids.reserve(nodes.size());
    for (NodeId n : nodes) ids.push_back(graph.id(n));
    return ids;
}

std::vector<EventId> sorted_ids_of(const EventGraph& graph, std::span<const NodeId> nodes) {
    auto ids = ids_of(graph, nodes);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace

Result<std::vector<EventId>> auth_chain(const RoomVersion& version, const EventId& id,
                                        const EventSource& events) {
    EventGraph graph(version, events);
    auto root = graph.load(id);
    if (!root) return std::move(root).error();
    std::vector<NodeId> chain;
    NodeMarks<char> seen;
    const NodeId roots[] = {*root};
    auto walked = walk_auth_chains(graph, roots, seen, [&](NodeId a) {
        chain.push_back(a);
        return true;
    });
    if (!walked) return std::move(walked).error();
    return sorted_ids_of(graph, chain);
}

Result<std::vector<EventId>> auth_difference(const RoomVersion& version,
                                             std::span<const StateMap> states,
                                             const EventSource& events) {
    EventGraph graph(version, events);
    Partition parts = partition_states(states, ConflictRule::missing_is_conflict);
    std::vector<std::vector<NodeId>> state_roots;
    for (const auto& ids : parts.conflicted_by_state) {
        auto nodes = load_all(graph, ids);
        if (!nodes) return std::move(nodes).error();
        state_roots.push_back(std::move(*nodes));
    }
    auto difference = state::auth_difference(graph, parts.unconflicted, state_roots, nullptr);
    if (!difference) return std::move(difference).error();
    return sorted_ids_of(graph, *difference);
}

Result<std::vector<EventId>> conflicted_state_subgraph(const RoomVersion& version,
                                                       std::span<const EventId> conflicted,
                                                       const EventSource& events) {
    EventGraph graph(version, events);
    auto nodes = load_all(graph, conflicted);
    if (!nodes) return std::move(nodes).error();
    auto subgraph = conflicted_subgraph(graph, *nodes);
    if (!subgraph) return std::move(subgraph).error();
    return sorted_ids_of(graph, *subgraph);
}

bool is_power_event(const Pdu& event) { return state::is_power_event(event); }

Result<std::int64_t> sender_power_level(const RoomVersion& version, const EventId& id,
                                        const EventSource& events) {
    EventGraph graph(version, events);
    auto n = graph.load(id);
    if (!n) return std::move(n).error();
    return graph.sender_power(*n);
}

Result<std::vector<EventId>> reverse_topological_power_order(const RoomVersion& version,
                                                             std::span<const EventId> ids,
                                                             const EventSource& events) {
    EventGraph graph(version, events);
    auto nodes = load_all(graph, ids);
    if (!nodes) return std::move(nodes).error();
    auto sorted = state::reverse_topological_power_order(graph, *nodes);
    if (!sorted) return std::move(sorted).error();
    return ids_of(graph, *sorted);
}

Result<std::vector<EventId>> mainline_order(const RoomVersion& version,
                                            const std::optional<EventId>& power_levels,
                                            std::span<const EventId> ids,
                                            const EventSource& events) {
    EventGraph graph(version, events);
    NodeId mainline = kNoNode;
    if (power_levels) {
        auto p = graph.load(*power_levels);
        if (!p) return std::move(p).error();
        mainline = *p;
    }
    auto nodes = load_all(graph, ids);
    if (!nodes) return std::move(nodes).error();
    auto sorted = state::mainline_order(graph, mainline, *nodes);
    if (!sorted) return std::move(sorted).error();
    return ids_of(graph, *sorted);
}

Result<StateMap> iterative_auth_checks(const RoomVersion& version, const StateMap& initial,
                                       std::span<const EventId> ids,
                                       const EventSource& events) {
    EventGraph graph(version, events);
    auto nodes = load_all(graph, ids);
    if (!nodes) return std::move(nodes).error();
    WorkingState state(&initial);
    if (auto checked = state::iterative_auth_checks(graph, state, *nodes); !checked)
        return std::move(checked).error();
    StateMap result = initial;
    for (const auto& [key, n] : state.changes()) result.insert_or_assign(key, graph.id(n));
    return result;
}

}  // namespace detail
}  // namespace chat::state
