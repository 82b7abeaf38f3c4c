#pragma once

// The building blocks of state resolution over an EventGraph, shared by v1, v2 and
// v2.1 (events-and-rooms.md §11) and by the detail functions of state_res_steps.hpp.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <chat/auth/auth_rules.hpp>
#include <chat/core/result.hpp>
#include <chat/state/state_map.hpp>

#include "state/event_graph.hpp"

namespace chat::state {

// Visits every event reachable from the auth_events of `roots` once (a root itself only
// when another root reaches it), depth first without recursion. `enter(n)` is called
// the first time n is reached; it returns whether to walk on through n's auth_events.
// `seen` records the visited events and may be shared between walks.
template <typename Enter>
Result<void> walk_auth_chains(EventGraph& graph, std::span<const NodeId> roots,
                              NodeMarks<char>& seen, Enter&& enter) {
    std::vector<NodeId> stack;
    auto push_parents = [&](NodeId n) -> Result<void> {
        auto auth = graph.auth_events(n);
        if (!auth) return std::move(auth).error();
        for (NodeId a : *auth) {
            if (seen.get(a)) continue;
            seen.set(a, 1);
            if (enter(a)) stack.push_back(a);
        }
        return ok();
    };
    for (NodeId root : roots) {
        if (auto pushed = push_parents(root); !pushed) return pushed;
    }
    while (!stack.empty()) {
        const NodeId n = stack.back();
        stack.pop_back();
        if (auto pushed = push_parents(n); !pushed) return pushed;
    }
    return ok();
}

// The input states split by key (§11.2 for v2, §11.1 for v1).
struct Partition {
    // Keys every state holds with the same event (v2); keys whose holders agree (v1).
    StateMap unconflicted;
    // Each conflicted key with its distinct events, in key order.
    std::vector<std::pair<StateKey, std::vector<EventId>>> conflicted;
    // Per input state, its events at conflicted keys.
    std::vector<std::vector<EventId>> conflicted_by_state;
};

enum class ConflictRule {
    missing_is_conflict,  // v2: a key absent from some state is conflicted
    distinct_values,      // v1: only different event ids for one key conflict
};

Partition partition_states(std::span<const StateMap> states, ConflictRule rule);

// (∪ Ci) − (∩ Ci) where Ci is the full auth chain of state i (§11.2): `unconflicted` is
// what the states share, `state_roots` each state's events at conflicted keys. Events
// marked in `settled` (may be null) are left out of the answer, which saves reading
// unconflicted events to decide them.
Result<std::vector<NodeId>> auth_difference(EventGraph& graph, const StateMap& unconflicted,
                                            std::span<const std::vector<NodeId>> state_roots,
                                            const NodeMarks<char>* settled);

// The v12 conflicted state subgraph (§11.5), endpoints included.
Result<std::vector<NodeId>> conflicted_subgraph(EventGraph& graph,
                                                std::span<const NodeId> conflicted);

bool is_power_event(const Pdu& event);

Result<std::vector<NodeId>> reverse_topological_power_order(EventGraph& graph,
                                                            std::span<const NodeId> events);

// `power_levels` may be kNoNode (no PL event: every position is infinite).
Result<std::vector<NodeId>> mainline_order(EventGraph& graph, NodeId power_levels,
                                           std::span<const NodeId> events);

// A state being built: `base` (not copied; may be null) under the entries set since.
class WorkingState {
public:
    explicit WorkingState(const StateMap* base) : base_(base) {}

    // The event at `key`, or kNoNode. Loads base entries into the graph on first use.
    Result<NodeId> get(EventGraph& graph, const StateKey& key) const;
    void set(const StateKey& key, NodeId n) { changes_.insert_or_assign(key, n); }
    // The entries set on top of `base`.
    const std::map<StateKey, NodeId>& changes() const noexcept { return changes_; }

private:
    const StateMap* base_;
    std::map<StateKey, NodeId> changes_;
};

// The context the auth rules run with inside state resolution. Signatures (such as
// join_authorised_via_users_server's) were verified when each event was received
// (§12 step 2) and do not depend on state, so they count as valid here.
const auth::AuthContext& resolution_auth_context();

// The (type, state_key) keys the auth rules consult for `event`: the §9 selection, plus
// the create event in v12, whose auth_events never name it.
std::vector<StateKey> auth_keys_for(const Pdu& event);

// §11.2 iterative auth checks: keys missing from `state` come from the event's own
// auth_events unless rejected (§11.4); v12 always has the create event.
Result<void> iterative_auth_checks(EventGraph& graph, WorkingState& state,
                                   std::span<const NodeId> events);

// The full resolutions.
Result<StateMap> resolve_v1(const RoomVersion& version, std::span<const StateMap> states,
                            const EventSource& events);
Result<StateMap> resolve_v2(const RoomVersion& version, std::span<const StateMap> states,
                            const EventSource& events);

// SHA-1 of `bytes` (20 raw bytes), for the v1 ordering.
std::string sha1_digest(std::string_view bytes);

}  // namespace chat::state
