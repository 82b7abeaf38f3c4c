// Auth chains, the auth difference (§11.2) and the v12 conflicted state subgraph
// (§11.5), walked over the EventGraph without recursion: real auth chains are deep.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "state/event_graph.hpp"
#include "state/resolution_steps.hpp"

namespace chat::state {

Result<std::vector<NodeId>> auth_difference(EventGraph& graph, const StateMap& unconflicted,
                                            std::span<const std::vector<NodeId>> state_roots,
                                            const NodeMarks<char>* settled) {
    // Full auth chain i = the chains of state i's conflicted events (walked here) plus
    // the chains of the unconflicted events, which every state shares (common).
    // So the difference is: the events some but not all walks reach, minus the common
    // ones. The unconflicted events are most of a large room and matter only for
    // that last test, so they are read only while a candidate remains undecided.
    NodeMarks<std::uint32_t> holders(0);
    std::vector<NodeId> touched;
    for (const auto& roots : state_roots) {
        NodeMarks<char> seen;
        auto walked = walk_auth_chains(graph, roots, seen, [&](NodeId a) {
            const auto count = holders.get(a);
            if (count == 0) touched.push_back(a);
            holders.set(a, count + 1);
            return true;
        });
        if (!walked) return std::move(walked).error();
    }
    NodeMarks<char> candidate;
    std::size_t undecided = 0;
    for (NodeId n : touched) {
        if (holders.get(n) == state_roots.size()) continue;  // in every chain
        if (settled && settled->get(n)) continue;            // the caller needs no answer
        candidate.set(n, 1);
        ++undecided;
    }

    NodeMarks<char> common;
    auto reach = [&](NodeId a) {
        if (candidate.get(a)) --undecided;
        return true;
    };
    std::vector<NodeId> cited;
    // Most unconflicted events cite the same few events (create, power levels, join
    // rules): the ids just seen are compared before hashing. Views into graph events.
    std::vector<std::pair<std::string_view, NodeId>> recent;
    for (auto it = unconflicted.begin(); undecided > 0 && it != unconflicted.end(); ++it) {
        // The unconflicted event itself needs no node: only what it cites is common.
        auto event = graph.fetch(it->second, /*cached=*/false);
        if (!event) return std::move(event).error();
        cited.clear();
        for (const EventId& a : (*event)->auth_events()) {
            NodeId n = kNoNode;
            for (const auto& [id, node] : recent) {
                if (id == a.str()) {
                    n = node;
                    break;
                }
            }
            if (n == kNoNode) {
                auto loaded = graph.load(a);
                if (!loaded) return std::move(loaded).error();
                n = *loaded;
                if (recent.size() == 8) recent.erase(recent.begin());
                recent.emplace_back(graph.id(n).str(), n);
            }
            if (common.get(n)) continue;
            common.set(n, 1);
            reach(n);
            cited.push_back(n);
        }
        auto walked = walk_auth_chains(graph, cited, common, reach);
        if (!walked) return std::move(walked).error();
    }

    std::vector<NodeId> difference;
    for (NodeId n : touched) {
        if (candidate.get(n) && !common.get(n)) difference.push_back(n);
    }
    return difference;
}

Result<std::vector<NodeId>> conflicted_subgraph(EventGraph& graph,
                                                std::span<const NodeId> conflicted) {
    // An event lies on a path between two conflicted events iff a conflicted event
    // reaches it and its own auth chain holds a conflicted event (§11.5). One depth
    // first walk from every conflicted event decides the second part for each event
    // it reaches, memoised, so every event is expanded once.
    enum : char { unvisited = 0, open, reaches, dead_end };
    NodeMarks<char> in_conflicted;
    for (NodeId c : conflicted) in_conflicted.set(c, 1);
    NodeMarks<char> status(unvisited);
    NodeMarks<char> endpoint;  // a conflicted event another one reaches, or that reaches one
    std::vector<NodeId> subgraph;

    struct Frame {
        NodeId node;
        std::size_t next = 0;
        bool reaches = false;
    };
    std::vector<Frame> stack;
    for (NodeId root : conflicted) {
        if (status.get(root) != unvisited) continue;
        status.set(root, open);
        stack.push_back({root});
        while (!stack.empty()) {
            const NodeId n = stack.back().node;
            auto auth = graph.auth_events(n);
            if (!auth) return std::move(auth).error();
            if (stack.back().next < auth->size()) {
                const NodeId a = (*auth)[stack.back().next++];
                if (in_conflicted.get(a)) {
                    stack.back().reaches = true;
                    endpoint.set(a, 1);
                }
                const char s = status.get(a);
                if (s == unvisited) {
                    status.set(a, open);
                    stack.push_back({a});
                } else if (s == reaches) {
                    stack.back().reaches = true;
                }
                // `open` would be a cycle: impossible with hash event ids, and ignored
                // for the v1-v2 ids a server could forge into one.
                continue;
            }
            const bool found = stack.back().reaches;
            stack.pop_back();
            status.set(n, found ? reaches : dead_end);
            if (found) {
                if (in_conflicted.get(n))
                    endpoint.set(n, 1);
                else
                    subgraph.push_back(n);
                if (!stack.empty()) stack.back().reaches = true;
            }
        }
    }
    for (NodeId c : conflicted) {
        if (endpoint.get(c)) {
            subgraph.push_back(c);
            endpoint.set(c, 0);  // once, even if listed twice
        }
    }
    return subgraph;
}

}  // namespace chat::state
