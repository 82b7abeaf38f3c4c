#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <chat/auth/power_levels.hpp>
#include <chat/core/result.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/state/state_res.hpp>

namespace chat::state {

// Index of an event inside one EventGraph.
using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;

// The events one state resolution touches, each loaded from the EventSource once and
// given a dense index, with what the algorithms ask of them cached per event: the
// resolved auth_events, rejection, the m.room.power_levels event among the auth_events
// and the sender's power level by them. Lives for one resolution; not thread-safe.
//
// Every lookup that reaches an event the source does not have fails with
// Errc::not_found naming it: resolution must not guess about missing events (§11.6).
class EventGraph {
public:
    EventGraph(const RoomVersion& version, const EventSource& source)
        : version_(&version), source_(&source) {}
    EventGraph(const EventGraph&) = delete;  // nodes hold views into each other's events
    EventGraph& operator=(const EventGraph&) = delete;

    const RoomVersion& version() const noexcept { return *version_; }
    std::size_t size() const noexcept { return nodes_.size(); }

    // The node of `id`, loading the event on first use.
    Result<NodeId> load(const EventId& id);
    // The event `id` without giving it a node (for events only read once, such as the
    // unconflicted ones whose auth events the auth difference walks from). `cached`:
    // look among the loaded events first; false goes straight to the source.
    Result<PduPtr> fetch(const EventId& id, bool cached = true);
    // The node of `id` if it was loaded already, else kNoNode.
    NodeId find(const EventId& id) const;

    const Pdu& pdu(NodeId n) const { return *nodes_[n].pdu; }
    const PduPtr& pdu_ptr(NodeId n) const { return nodes_[n].pdu; }
    const EventId& id(NodeId n) const { return nodes_[n].pdu->event_id(); }

    // The event's auth_events as nodes, in the event's order, all loaded.
    Result<std::span<const NodeId>> auth_events(NodeId n);
    // EventSource::is_rejected, asked once per event.
    bool is_rejected(NodeId n);
    // The m.room.power_levels event (state key "") among the event's auth_events, or
    // kNoNode: the step of a mainline (§11.2).
    Result<NodeId> power_levels_parent(NodeId n);
    // v12: the room's create event, found through the event's room id (its auth_events
    // never name it). Other versions: the create event among the auth_events, or kNoNode.
    Result<NodeId> create_for(NodeId n);
    // The sender's power level by the event's own auth_events (§11.2; v12 creators are
    // auth::kInfinitePowerLevel).
    Result<std::int64_t> sender_power(NodeId n);

private:
    struct Node {
        PduPtr pdu;
        std::vector<NodeId> auth;
        NodeId pl_parent = kNoNode;
        std::int64_t power = 0;
        bool auth_loaded = false;
        bool pl_parent_known = false;
        bool power_known = false;
        signed char rejected = -1;  // -1: not asked yet
    };

    const auth::PowerLevels& levels_for(NodeId create, NodeId power_levels);

    const RoomVersion* version_;
    const EventSource* source_;
    std::deque<Node> nodes_;  // a deque: loading never moves a node
    // Keys view the event ids inside the nodes' Pdus, which never move.
    std::unordered_map<std::string_view, NodeId> index_;
    // Parsed power levels per (create, power_levels) pair: one parse per PL event.
    std::map<std::pair<NodeId, NodeId>, auth::PowerLevels> levels_;
    // v12: the create event per room id.
    std::map<std::string, NodeId, std::less<>> creates_;
};

// A per-node mark that grows with the graph: traversals load events as they go.
template <typename T>
class NodeMarks {
public:
    explicit NodeMarks(T initial = T{}) : initial_(initial) {}
    T get(NodeId n) const { return n < marks_.size() ? marks_[n] : initial_; }
    void set(NodeId n, T value) {
        if (n >= marks_.size()) marks_.resize(std::size_t{n} + 1, initial_);
        marks_[n] = value;
    }

private:
    T initial_;
    std::vector<T> marks_;
};

}  // namespace chat::state
