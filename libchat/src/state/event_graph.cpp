#include "state/event_graph.hpp"

#include <string>

namespace chat::state {

Result<PduPtr> EventGraph::fetch(const EventId& id, bool cached) {
    if (cached) {
        if (auto it = index_.find(id.str()); it != index_.end()) return nodes_[it->second].pdu;
    }
    PduPtr event = source_->get(id);
    if (!event)
        return make_error(Errc::not_found,
                          "State resolution needs event " + std::string(id.str()) +
                              ", which is not available.");
    if (event->event_id() != id)
        return make_error(Errc::internal, "The event source answered for another event.",
                          "asked for " + std::string(id.str()) + ", got " +
                              std::string(event->event_id().str()));
    return event;
}

Result<NodeId> EventGraph::load(const EventId& id) {
    if (auto it = index_.find(id.str()); it != index_.end()) return it->second;
    auto fetched = fetch(id, /*cached=*/false);
    if (!fetched) return std::move(fetched).error();
    PduPtr event = std::move(*fetched);
    if (nodes_.size() >= kNoNode)
        return make_error(Errc::too_large, "State resolution touches too many events.");
    const auto n = static_cast<NodeId>(nodes_.size());
    nodes_.push_back(Node{.pdu = std::move(event)});
    index_.emplace(nodes_.back().pdu->event_id().str(), n);
    return n;
}

NodeId EventGraph::find(const EventId& id) const {
    auto it = index_.find(id.str());
    return it == index_.end() ? kNoNode : it->second;
}

Result<std::span<const NodeId>> EventGraph::auth_events(NodeId n) {
    Node& node = nodes_[n];
    if (!node.auth_loaded) {
        std::vector<NodeId> auth;
        auth.reserve(node.pdu->auth_events().size());
        for (const EventId& a : node.pdu->auth_events()) {
            auto loaded = load(a);
            if (!loaded) return std::move(loaded).error();
            auth.push_back(*loaded);
        }
        node.auth = std::move(auth);
        node.auth_loaded = true;
    }
    return std::span<const NodeId>(node.auth);
}

bool EventGraph::is_rejected(NodeId n) {
    Node& node = nodes_[n];
    if (node.rejected < 0) node.rejected = source_->is_rejected(node.pdu->event_id()) ? 1 : 0;
    return node.rejected == 1;
}

Result<NodeId> EventGraph::power_levels_parent(NodeId n) {
    if (nodes_[n].pl_parent_known) return nodes_[n].pl_parent;
    auto auth = auth_events(n);
    if (!auth) return std::move(auth).error();
    NodeId parent = kNoNode;
    for (NodeId a : *auth) {
        if (pdu(a).is_state_of("m.room.power_levels", "")) {
            parent = a;
            break;
        }
    }
    nodes_[n].pl_parent = parent;
    nodes_[n].pl_parent_known = true;
    return parent;
}

Result<NodeId> EventGraph::create_for(NodeId n) {
    if (pdu(n).is_state_of("m.room.create", "")) return n;
    if (version_->room_id_is_create_event_hash) {
        // §11.5: the create event is implied by the room id ("!" + its hash).
        const std::string_view room = pdu(n).room_id().str();
        if (auto it = creates_.find(room); it != creates_.end()) return it->second;
        auto create_id = EventId::parse("$" + std::string(room.substr(1)));
        if (!create_id)
            return make_error(Errc::not_found, "The room id " + std::string(room) +
                                                   " does not name a create event.");
        auto create = load(*create_id);
        if (!create) return create;
        creates_.emplace(std::string(room), *create);
        return *create;
    }
    auto auth = auth_events(n);
    if (!auth) return std::move(auth).error();
    for (NodeId a : *auth) {
        if (pdu(a).is_state_of("m.room.create", "")) return a;
    }
    return kNoNode;
}

const auth::PowerLevels& EventGraph::levels_for(NodeId create, NodeId power_levels) {
    const auto key = std::make_pair(create, power_levels);
    if (auto it = levels_.find(key); it != levels_.end()) return it->second;
    const Pdu* create_event = create == kNoNode ? nullptr : &pdu(create);
    const Pdu* pl_event = power_levels == kNoNode ? nullptr : &pdu(power_levels);
    auto levels = auth::PowerLevels::from_events(*version_, create_event, pl_event);
    if (!levels) {
        // A PL event the auth rules would refuse has no meaning: order its users as if
        // it were empty (every user at users_default 0), creators keeping their power.
        std::vector<UserId> creators;
        if (create_event) creators = auth::PowerLevels::creators_of(*create_event);
        levels = auth::PowerLevels(*version_, auth::PowerLevelsContent{}, std::move(creators));
    }
    return levels_.emplace(key, std::move(*levels)).first->second;
}

Result<std::int64_t> EventGraph::sender_power(NodeId n) {
    if (nodes_[n].power_known) return nodes_[n].power;
    auto create = create_for(n);
    if (!create) return std::move(create).error();
    auto pl = power_levels_parent(n);
    if (!pl) return std::move(pl).error();
    const std::int64_t power = levels_for(*create, *pl).user_level(pdu(n).sender().str());
    nodes_[n].power = power;
    nodes_[n].power_known = true;
    return power;
}

}  // namespace chat::state
