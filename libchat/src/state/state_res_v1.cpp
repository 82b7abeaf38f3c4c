// State resolution v1 (room version 1 only, §11.1; spec: rooms/v1.md). Known to reset
// state; kept exactly for the rooms that still use it.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <chat/auth/auth_rules.hpp>

#include "state/event_graph.hpp"
#include "state/resolution_steps.hpp"

namespace chat::state {
namespace {

struct Candidate {
    NodeId node;
    std::int64_t depth;
    std::string sha1;  // of the event id; raw bytes order as their hex does
};

class V1Resolver {
public:
    V1Resolver(EventGraph& graph, const StateMap& unconflicted)
        : graph_(graph), resolved_(&unconflicted) {}

    // Whether `event` passes the auth rules against R, with `extra` (an event placed at
    // its own key) on top. v1 has no fallback to the event's auth_events.
    Result<bool> allowed(NodeId event, NodeId extra) {
        const Pdu& e = graph_.pdu(event);
        auth::AuthState auth_state;
        for (const StateKey& key : auth_keys_for(e)) {
            if (extra != kNoNode && graph_.pdu(extra).is_state_of(key.type, key.state_key)) {
                auth_state.put(graph_.pdu_ptr(extra));
                continue;
            }
            auto current = resolved_.get(graph_, key);
            if (!current) return std::move(current).error();
            if (*current != kNoNode) auth_state.put(graph_.pdu_ptr(*current));
        }
        return static_cast<bool>(auth::check(e, auth_state, resolution_auth_context()));
    }

    std::vector<Candidate> candidates(const std::vector<NodeId>& nodes) const {
        std::vector<Candidate> list;
        for (NodeId n : nodes)
            list.push_back({n, graph_.pdu(n).depth(), sha1_digest(graph_.id(n).str())});
        return list;
    }

    // The PL, join rules and member passes: ascending depth, then descending
    // sha1(event_id). The first is taken as it is; each next one must pass the auth
    // rules against R holding the one before, and the first failure ends the pass.
    Result<NodeId> auth_pass(const std::vector<NodeId>& nodes) {
        auto list = candidates(nodes);
        std::sort(list.begin(), list.end(), [](const Candidate& x, const Candidate& y) {
            if (x.depth != y.depth) return x.depth < y.depth;
            return x.sha1 > y.sha1;
        });
        NodeId winner = list.front().node;
        for (std::size_t i = 1; i < list.size(); ++i) {
            auto passes = allowed(list[i].node, winner);
            if (!passes) return std::move(passes).error();
            if (!*passes) break;
            winner = list[i].node;
        }
        return winner;
    }

    // Other keys: the event of highest depth, then lowest sha1(event_id), that passes
    // the auth rules against R. The spec is silent when none passes; like the
    // implementation it documented, we then keep the last in that order.
    Result<NodeId> normal_pass(const std::vector<NodeId>& nodes) {
        auto list = candidates(nodes);
        std::sort(list.begin(), list.end(), [](const Candidate& x, const Candidate& y) {
            if (x.depth != y.depth) return x.depth > y.depth;
            return x.sha1 < y.sha1;
        });
        for (const auto& c : list) {
            auto passes = allowed(c.node, kNoNode);
            if (!passes) return std::move(passes).error();
            if (*passes) return c.node;
        }
        return list.back().node;
    }

    // Resolves `keys` one by one against the same R, then adds all of them to R: each
    // (type, state_key) of a pass is resolved on its own (§11.1, [ambiguous]).
    template <typename Pass>
    Result<void> run(const std::vector<const std::pair<StateKey, std::vector<NodeId>>*>& keys,
                     Pass pass) {
        std::vector<std::pair<const StateKey*, NodeId>> winners;
        for (const auto* entry : keys) {
            auto winner = (this->*pass)(entry->second);
            if (!winner) return std::move(winner).error();
            winners.emplace_back(&entry->first, *winner);
        }
        for (const auto& [key, n] : winners) resolved_.set(*key, n);
        return ok();
    }

    const WorkingState& resolved() const { return resolved_; }

private:
    EventGraph& graph_;
    WorkingState resolved_;  // R: the unconflicted state, then each pass's winners
};

}  // namespace

Result<StateMap> resolve_v1(const RoomVersion& version, std::span<const StateMap> states,
                            const EventSource& events) {
    Partition parts = partition_states(states, ConflictRule::distinct_values);
    if (parts.conflicted.empty()) return std::move(parts.unconflicted);

    EventGraph graph(version, events);
    std::vector<std::pair<StateKey, std::vector<NodeId>>> conflicted;
    for (auto& [key, ids] : parts.conflicted) {
        std::vector<NodeId> nodes;
        for (const EventId& id : ids) {
            auto n = graph.load(id);
            if (!n) return std::move(n).error();
            nodes.push_back(*n);
        }
        conflicted.emplace_back(key, std::move(nodes));
    }

    using Entries = std::vector<const std::pair<StateKey, std::vector<NodeId>>*>;
    Entries power_levels, join_rules, members, others;
    for (const auto& entry : conflicted) {
        const StateKey& key = entry.first;
        if (key.type == "m.room.power_levels" && key.state_key.empty())
            power_levels.push_back(&entry);
        else if (key.type == "m.room.join_rules")
            join_rules.push_back(&entry);
        else if (key.type == "m.room.member")
            members.push_back(&entry);
        else
            others.push_back(&entry);
    }

    V1Resolver resolver(graph, parts.unconflicted);
    for (const Entries* pass : {&power_levels, &join_rules, &members}) {
        if (auto done = resolver.run(*pass, &V1Resolver::auth_pass); !done)
            return std::move(done).error();
    }
    if (auto done = resolver.run(others, &V1Resolver::normal_pass); !done)
        return std::move(done).error();

    StateMap resolved = std::move(parts.unconflicted);
    for (const auto& [key, n] : resolver.resolved().changes()) resolved.emplace(key, graph.id(n));
    return resolved;
}

}  // namespace chat::state
