#include <chat/push/notifications.hpp>

#include <map>
#include <string>

#include <chat/auth/power_levels.hpp>
#include <chat/push/evaluator.hpp>
#include <chat/push/event_view.hpp>
#include <chat/push/push_rules_store.hpp>

namespace chat::push {

namespace {

// The state event at (type, "") of the room now, parsed; null when absent.
Result<PduPtr> current_state_event(store::ReadTxn& txn, const RoomId& room_id,
                                   std::string_view type) {
    auto id = txn.current_state().entry(room_id, type, "");
    if (!id) return id.error();
    if (!*id) return PduPtr();
    auto event = txn.events().get(**id);
    if (!event) return event.error();
    if (!*event) return PduPtr();
    return (*event)->to_pdu();
}

std::optional<std::string> thread_of(const Pdu& event) {
    const auto& content = event.content();
    if (!content.is_object()) return std::nullopt;
    const auto relates = content.find("m.relates_to");
    if (relates == content.end() || !relates->is_object()) return std::nullopt;
    const auto rel_type = relates->find("rel_type");
    const auto target = relates->find("event_id");
    if (rel_type == relates->end() || target == relates->end() || *rel_type != "m.thread" ||
        !target->is_string())
        return std::nullopt;
    return target->get<std::string>();
}

// Display names of the room's members, from their member events.
Result<std::map<std::string, std::string, std::less<>>> display_names(store::ReadTxn& txn,
                                                                      const RoomId& room_id) {
    std::map<std::string, std::string, std::less<>> names;
    auto members = txn.current_state().of_type(room_id, "m.room.member");
    if (!members) return members.error();
    std::vector<EventId> ids;
    ids.reserve(members->size());
    for (const auto& [key, id] : *members) ids.push_back(id);
    auto events = txn.events().get_many(ids);
    if (!events) return events.error();
    for (const auto& ev : *events) {
        if (!ev.state_key) continue;
        const auto content = ev.json.find("content");
        if (content == ev.json.end() || !content->is_object()) continue;
        const auto name = content->find("displayname");
        if (name != content->end() && name->is_string())
            names.emplace(*ev.state_key, name->get<std::string>());
    }
    return names;
}

}  // namespace

Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event,
                                 const RoomVersion& version, store::Position ordering,
                                 std::int64_t now_ts) {
    const RoomId& room_id = event.room_id();
    auto members = txn.members().members_of(room_id, "join");
    if (!members) return members.error();
    // The sender is never notified of their own event: a room with nobody
    // else costs nothing more.
    bool anyone_else = false;
    for (const auto& m : *members) anyone_else = anyone_else || m.user_id != event.sender();
    if (!anyone_else) return ok();

    auto create = current_state_event(txn, room_id, "m.room.create");
    if (!create) return create.error();
    auto pl_event = current_state_event(txn, room_id, "m.room.power_levels");
    if (!pl_event) return pl_event.error();
    std::optional<auth::PowerLevels> power_levels;
    if (auto pl = auth::PowerLevels::from_events(version, create->get(), pl_event->get()))
        power_levels = std::move(*pl);
    const RoomFacts room{.member_count = static_cast<std::int64_t>(members->size()),
                         .power_levels = power_levels ? &*power_levels : nullptr};
    auto names = display_names(txn, room_id);
    if (!names) return names.error();

    const EventView view(event.json());
    const auto thread_id = thread_of(event);
    for (const auto& member : *members) {
        if (member.user_id == event.sender()) continue;
        auto rules = load_push_rules(txn, member.user_id);
        if (!rules) return rules.error();
        const auto name = names->find(member.user_id.str());
        const MemberFacts facts(name == names->end() ? std::string_view() : name->second);
        auto decision = evaluate(*rules, view, room, facts);
        if (!decision || !decision->notify) continue;
        auto put = txn.push_actions().put({.user_id = member.user_id,
                                           .room_id = room_id,
                                           .event_id = event.event_id(),
                                           .stream_ordering = ordering,
                                           .thread_id = thread_id,
                                           .notify = decision->notify,
                                           .highlight = decision->highlight,
                                           .actions = decision->actions(),
                                           .ts = now_ts});
        if (!put) return put.error();
    }
    return ok();
}

Result<store::UnreadCounts> unread_counts(store::ReadTxn& txn, const UserId& user,
                                          const RoomId& room_id) {
    auto read_up_to = txn.receipts().read_up_to(room_id, user);
    if (!read_up_to) return read_up_to.error();
    return txn.push_actions().counts(user, room_id, read_up_to->value_or(store::kMinPosition));
}

}  // namespace chat::push
