#include <chat/push/notifications.hpp>

#include <algorithm>
#include <map>
#include <memory>
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
    const EventId ids[] = {**id};
    auto events = txn.events().get_pdus(ids);
    if (!events) return events.error();
    if (events->empty()) return PduPtr();
    return std::move(events->front().pdu);
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

// The target of an m.room.member invite event; none for any other event.
std::optional<UserId> invited_user(const Pdu& event) {
    if (event.type() != "m.room.member" || !event.state_key()) return std::nullopt;
    const auto& content = event.content();
    if (!content.is_object()) return std::nullopt;
    const auto membership = content.find("membership");
    if (membership == content.end() || *membership != "invite") return std::nullopt;
    auto user = UserId::parse(*event.state_key());
    if (!user) return std::nullopt;
    return std::move(*user);
}

}  // namespace

Result<std::shared_ptr<const RoomPushFacts>> read_room_push_facts(
    store::ReadTxn& txn, const RoomId& room_id, const RoomVersion& version,
    const auth::AuthState* state_now, const std::optional<ServerName>& local_server) {
    auto facts = std::make_shared<RoomPushFacts>();
    auto members = txn.current_state().members(room_id);
    if (!members) return members.error();
    facts->joined.reserve(members->size());
    for (auto& m : *members) {
        if (m.membership == "join")
            if (auto user = UserId::parse(m.user_id)) facts->joined.push_back(std::move(*user));
        if (m.displayname) facts->names.emplace(std::move(m.user_id), std::move(*m.displayname));
    }
    PduPtr create_read, pl_read;
    const Pdu* create = state_now ? state_now->create() : nullptr;
    const Pdu* pl_event = state_now ? state_now->power_levels() : nullptr;
    if (!state_now) {
        auto c = current_state_event(txn, room_id, "m.room.create");
        if (!c) return c.error();
        auto p = current_state_event(txn, room_id, "m.room.power_levels");
        if (!p) return p.error();
        create_read = std::move(*c);
        pl_read = std::move(*p);
        create = create_read.get();
        pl_event = pl_read.get();
    }
    if (auto pl = auth::PowerLevels::from_events(version, create, pl_event))
        facts->power_levels = std::move(*pl);
    auto position = txn.current_position(store::Stream::push_rules);
    if (!position) return position.error();
    facts->rules_position = *position;
    facts->rules.resize(facts->joined.size());
    for (std::size_t i = 0; i < facts->joined.size(); ++i) {
        if (local_server && facts->joined[i].server() != local_server->str()) continue;
        auto rules = load_push_rules_shared(txn, facts->joined[i]);
        if (!rules) return rules.error();
        facts->rules[i] = std::move(*rules);
    }
    return std::shared_ptr<const RoomPushFacts>(std::move(facts));
}

Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event,
                                 const RoomVersion& version, store::Position ordering,
                                 std::int64_t now_ts,
                                 const std::optional<ServerName>& local_server,
                                 const auth::AuthState* state_now) {
    auto facts = read_room_push_facts(txn, event.room_id(), version, state_now, local_server);
    if (!facts) return facts.error();
    return record_push_actions(txn, event, ordering, now_ts, local_server, **facts);
}

Result<void> record_push_actions(store::WriteTxn& txn, const Pdu& event, store::Position ordering,
                                 std::int64_t now_ts,
                                 const std::optional<ServerName>& local_server,
                                 const RoomPushFacts& facts) {
    const RoomId& room_id = event.room_id();
    // Who is notified, with their rules when the facts have them.
    struct Recipient {
        const UserId* user;
        const std::shared_ptr<const PushRules>* rules;  // null: load them
    };
    std::vector<Recipient> recipients;
    recipients.reserve(facts.joined.size() + 1);
    for (std::size_t i = 0; i < facts.joined.size(); ++i) {
        const UserId& m = facts.joined[i];
        if (m != event.sender() && (!local_server || m.server() == local_server->str()))
            recipients.push_back(
                {&m, i < facts.rules.size() && facts.rules[i] ? &facts.rules[i] : nullptr});
    }
    const std::size_t joined_recipients = recipients.size();
    // The invitee of an invite is not joined yet, but it is them that
    // .m.rule.invite_for_me is for.
    const auto invitee = invited_user(event);
    if (invitee && *invitee != event.sender() &&
        (!local_server || invitee->server() == local_server->str()) &&
        std::find(facts.joined.begin(), facts.joined.end(), *invitee) == facts.joined.end())
        recipients.push_back({&*invitee, nullptr});
    // The sender is never notified of their own event: a room with nobody
    // else costs nothing more.
    if (recipients.empty()) return ok();

    const RoomFacts room{.member_count = static_cast<std::int64_t>(facts.joined.size()),
                         .power_levels = facts.power_levels ? &*facts.power_levels : nullptr};
    const auto* names = &facts.names;

    const EventView view(event.json());
    const auto thread_id = thread_of(event);
    // Every recipient's decision, of which only the notifying ones matter.
    struct Outcome {
        const UserId* user;
        bool joined;
        std::optional<Decision> decision;  // none: not notified
        std::shared_ptr<const PushRules> rules;  // keeps `decision` valid
    };
    std::vector<Outcome> outcomes;
    outcomes.reserve(recipients.size());
    for (const auto& recipient : recipients) {
        std::shared_ptr<const PushRules> rules;
        if (recipient.rules) {
            rules = *recipient.rules;
        } else {
            auto loaded = load_push_rules_shared(txn, *recipient.user);
            if (!loaded) return loaded.error();
            rules = std::move(*loaded);
        }
        const auto name = names->find(recipient.user->str());
        const MemberFacts member(name == names->end() ? std::string_view() : name->second);
        auto decision = evaluate(*rules, view, room, member);
        if (decision && !decision->notify) decision.reset();
        const bool joined = outcomes.size() < joined_recipients;
        outcomes.push_back({recipient.user, joined, decision, std::move(rules)});
    }
    const auto same = [](const std::optional<Decision>& a, const std::optional<Decision>& b) {
        if (!a || !b) return !a && !b;
        return a->highlight == b->highlight && a->actions() == b->actions();
    };
    // The room's row holds the decision most joined recipients share; each
    // recipient who decided otherwise gets a row of their own (migration 0200).
    // Distinct decisions are few (one per rule that matched), so counting
    // them is linear in the members.
    std::vector<std::pair<std::optional<Decision>, std::size_t>> tally;
    for (const auto& o : outcomes) {
        if (!o.joined) continue;
        auto it = std::find_if(tally.begin(), tally.end(),
                               [&](const auto& t) { return same(t.first, o.decision); });
        if (it == tally.end())
            tally.emplace_back(o.decision, 1);
        else
            ++it->second;
    }
    std::optional<Decision> shared;  // none when most are not notified
    std::size_t best = 0;
    for (const auto& [decision, n] : tally)
        if (n > best || (n == best && !decision)) best = n, shared = decision;
    if (shared) {
        auto put = txn.push_actions().put_for_room({.room_id = room_id,
                                                    .event_id = event.event_id(),
                                                    .sender = event.sender(),
                                                    .stream_ordering = ordering,
                                                    .thread_id = thread_id,
                                                    .highlight = shared->highlight,
                                                    .actions = shared->actions(),
                                                    .ts = now_ts});
        if (!put) return put.error();
    }
    for (const auto& o : outcomes) {
        // Covered by the room's row, or nothing to say.
        if (o.joined ? same(o.decision, shared) : !o.decision) continue;
        auto put = txn.push_actions().put(
            {.user_id = *o.user,
             .room_id = room_id,
             .event_id = event.event_id(),
             .stream_ordering = ordering,
             .thread_id = thread_id,
             .notify = o.decision.has_value(),
             .highlight = o.decision && o.decision->highlight,
             .actions = o.decision ? o.decision->actions() : nlohmann::json::array(),
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

Result<ThreadedUnread> unread_thread_counts(store::ReadTxn& txn, const UserId& user,
                                            const RoomId& room_id) {
    auto read_up_to = txn.receipts().read_up_to(room_id, user);
    if (!read_up_to) return read_up_to.error();
    auto main = txn.push_actions().main_counts(user, room_id,
                                               read_up_to->value_or(store::kMinPosition));
    if (!main) return main.error();
    auto threads = txn.push_actions().thread_counts(user, room_id);
    if (!threads) return threads.error();
    return ThreadedUnread{.main = *main, .threads = std::move(*threads)};
}

Result<bool> is_read(store::ReadTxn& txn, const store::PushActionRow& row) {
    // Unthreaded receipts count for every event; a threaded one only inside
    // its thread ("main" for events outside threads).
    const std::string own_thread = row.thread_id ? *row.thread_id : std::string("main");
    for (const auto* type : {"m.read", "m.read.private"}) {
        for (const auto& thread : {std::optional<std::string>(), std::optional(own_thread)}) {
            auto receipt = txn.receipts().get(row.room_id, row.user_id, type, thread);
            if (!receipt) return receipt.error();
            if (*receipt && (*receipt)->event_ordering &&
                *(*receipt)->event_ordering >= row.stream_ordering)
                return true;
        }
    }
    return false;
}

Result<std::int64_t> badge_count(store::ReadTxn& txn, const UserId& user) {
    auto rooms = txn.members().rooms_for_user(user, "join");
    if (!rooms) return rooms.error();
    std::int64_t total = 0;
    for (const auto& room : *rooms) {
        auto counts = unread_counts(txn, user, room.room_id);
        if (!counts) return counts.error();
        total += counts->notifications;
    }
    return total;
}

}  // namespace chat::push
