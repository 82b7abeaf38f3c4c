#include <chat/receipts/delivery.hpp>

#include <algorithm>
#include <string>

namespace chat::receipts {

namespace {

// Inference looks back at most this far on the events stream: a user who
// comes back after a long absence tells the senders of the recent events,
// not of everything since (and their first sync costs one bounded scan).
constexpr store::Position kInferenceWindow = 1000;
// Events read per room per inference; senders of older ones in the same
// move are not told (they were told by an earlier move, or are long gone).
constexpr std::size_t kEventsPerRoom = 200;

Result<bool> is_public(store::ReadTxn& txn, const RoomId& room_id) {
    auto id = txn.current_state().entry(room_id, "m.room.join_rules", "");
    if (!id) return id.error();
    if (!*id) return false;
    auto event = txn.events().get(**id);
    if (!event) return event.error();
    if (!*event) return false;
    const auto& content = (*event)->json.find("content");
    if (content == (*event)->json.end() || !content->is_object()) return false;
    const auto rule = content->find("join_rule");
    return rule != content->end() && rule->is_string() && rule->get<std::string>() == "public";
}

Result<bool> room_allowed(store::ReadTxn& txn, const RoomId& room_id,
                          const DeliveryPolicy& policy) {
    if (policy.public_rooms) return true;
    auto pub = is_public(txn, room_id);
    if (!pub) return pub.error();
    return !*pub;
}

}  // namespace

Result<std::optional<store::Position>> record_delivery_receipt(store::WriteTxn& txn,
                                                               const UserId& user,
                                                               const RoomId& room_id,
                                                               const EventId& event_id,
                                                               std::int64_t now_ts,
                                                               const DeliveryPolicy& policy) {
    using Moved = std::optional<store::Position>;
    auto member = txn.members().get(user, room_id);
    if (!member) return member.error();
    if (!*member || (*member)->membership != "join")
        return make_error(Errc::forbidden, "You are not joined to this room.");
    auto target = txn.events().get(event_id);
    if (!target) return target.error();
    if (!*target || (*target)->room_id != room_id || (*target)->outlier ||
        (*target)->rejected_reason)
        return make_error(Errc::not_found, "Unknown event in this room.");
    if (!policy.explicit_receipts || (*target)->sender == user ||
        (*target)->stream_ordering < (*member)->stream_ordering)
        return Moved();
    auto allowed = room_allowed(txn, room_id, policy);
    if (!allowed) return allowed.error();
    if (!*allowed) return Moved();
    // A duplicate takes no position: it must not move the stream.
    auto known = txn.delivery().has_receipt(room_id, event_id, user);
    if (!known) return known.error();
    if (*known) return Moved();
    auto pos = txn.next_position(store::Stream::receipts);
    if (!pos) return pos.error();
    auto inserted = txn.delivery().put_receipt({.room_id = room_id,
                                                .event_id = event_id,
                                                .user_id = user,
                                                .event_sender = (*target)->sender,
                                                .ts = now_ts,
                                                .stream_position = *pos});
    if (!inserted) return inserted.error();
    if (!*inserted) return Moved();
    return Moved(*pos);
}

Result<std::optional<store::Position>> infer_delivery(
    store::WriteTxn& txn, const UserId& user, store::Position synced_to, std::int64_t now_ts,
    const DeliveryPolicy& policy, std::vector<store::InferredDeliveryRow>* moves) {
    using Moved = std::optional<store::Position>;
    auto acked = txn.delivery().acked_position(user);
    if (!acked) return acked.error();
    if (synced_to <= *acked) return Moved();
    if (auto set = txn.delivery().set_acked_position(user, synced_to); !set) return set.error();
    if (!policy.inferred) return Moved();

    const store::Position lower = std::max(*acked, synced_to - kInferenceWindow);
    auto active = txn.events().rooms_changed(lower, synced_to);
    if (!active) return active.error();
    Moved last;
    for (const auto& activity : *active) {
        const RoomId& room = activity.room_id;
        auto member = txn.members().get(user, room);
        if (!member) return member.error();
        if (!*member || (*member)->membership != "join") continue;
        auto previous = txn.delivery().inferred(room, user);
        if (!previous) return previous.error();
        // Never before the join (the proposal), never backwards.
        store::Position from = std::max(lower, (*member)->stream_ordering);
        if (*previous) from = std::max(from, (*previous)->event_ordering);
        if (from >= synced_to) continue;
        auto allowed = room_allowed(txn, room, policy);
        if (!allowed) return allowed.error();
        if (!*allowed) continue;

        auto events = txn.events().room_events({.room_id = room,
                                                .from = from,
                                                .to = synced_to,
                                                .direction = store::Direction::backward,
                                                .limit = kEventsPerRoom});
        if (!events) return events.error();
        // Newest first: the first event from someone else is the new
        // position, and each sender's first is the newest of theirs covered.
        const store::StoredEvent* newest = nullptr;
        nlohmann::json sender_events = nlohmann::json::object();
        for (const auto& ev : *events) {
            if (ev.sender == user) continue;
            if (!newest) newest = &ev;
            const std::string sender(ev.sender.str());
            if (!sender_events.contains(sender)) sender_events[sender] = ev.event_id.str();
        }
        if (!newest) continue;
        auto pos = txn.next_position(store::Stream::receipts);
        if (!pos) return pos.error();
        store::InferredDeliveryRow move{.room_id = room,
                                        .user_id = user,
                                        .event_id = newest->event_id,
                                        .event_ordering = newest->stream_ordering,
                                        .ts = now_ts,
                                        .sender_events = std::move(sender_events),
                                        .stream_position = *pos};
        auto put = txn.delivery().put_inferred(move);
        if (!put) return put.error();
        if (moves) moves->push_back(std::move(move));
        last = *pos;
    }
    return last;
}

}  // namespace chat::receipts
