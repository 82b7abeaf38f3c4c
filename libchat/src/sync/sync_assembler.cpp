#include <chat/sync/sync_assembler.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <chat/presence/presence.hpp>
#include <chat/push/notifications.hpp>
#include <chat/push/push_rules_store.hpp>
#include <chat/receipts/delivery.hpp>
#include <chat/sync/client_event.hpp>
#include <chat/sync/e2ee_sections.hpp>

#include "sync/room_state_at.hpp"

namespace chat::sync {

namespace {

using nlohmann::json;
using store::Position;
using store::StoredEvent;
using store::Stream;

// Events read from one room's timeline in one sync, at most: a filter that
// excludes nearly everything must not turn a sync into a history scan. When
// reached, the timeline is `limited` and the client paginates the rest.
constexpr std::size_t kMaxScannedTimelineEvents = 1000;
// Receipt changes read across all rooms before falling back to one query
// per joined room (a `since` far in the past).
constexpr std::size_t kReceiptScanLimit = 1000;
// Delivery receipts and inferred moves read per sync, at most (the newest
// are what a sender's client shows).
constexpr std::size_t kDeliveryScanLimit = 1000;
// Presence updates per sync, at most: the newest win.
constexpr std::size_t kPresenceScanLimit = 1000;
// Spec: the summary names up to 5 heroes.
constexpr std::size_t kMaxHeroes = 5;

const std::string kMember = "m.room.member";

// The state an invitee or knocker sees before joining (spec digest 0.10,
// "Stripped state"), besides the invite or knock itself.
constexpr std::string_view kStrippedStateTypes[] = {
    "m.room.create",     "m.room.name",       "m.room.avatar",
    "m.room.topic",      "m.room.join_rules", "m.room.canonical_alias",
    "m.room.encryption",
};

json events_of(json events) {
    return json{{"events", std::move(events)}};
}

std::string content_string(const StoredEvent& ev, std::string_view key) {
    const auto content = ev.json.find("content");
    if (content == ev.json.end() || !content->is_object()) return {};
    const auto value = content->find(key);
    if (value == content->end() || !value->is_string()) return {};
    return value->get<std::string>();
}

json stripped(const StoredEvent& ev) {
    const auto content = ev.json.find("content");
    return json{
        {"type", ev.type},
        {"state_key", ev.state_key.value_or("")},
        {"sender", ev.sender.str()},
        {"content", content != ev.json.end() && content->is_object() ? *content : json::object()}};
}

bool is_delivery_receipt(std::string_view type) {
    return type == "m.delivery" || type == "org.matrix.msc4089.delivery";
}

// The state delta of a limited timeline: each key that changed in the log
// (the range after `since`) up to `start`, at its value then, unless it came
// back to its value at `since`. Removed keys cannot be sent and are skipped.
void gap_state(const std::vector<store::CurrentStateChange>& log, Position start,
               std::vector<EventId>& out) {
    std::map<StateKey, std::pair<std::optional<EventId>, std::optional<EventId>>> gap;
    for (const auto& c : log) {
        if (c.stream_ordering > start) break;
        auto [it, first] = gap.try_emplace(c.key, c.prev_event_id, c.event_id);
        if (!first) it->second.second = c.event_id;
    }
    for (auto& [key, values] : gap)
        if (values.second && values.second != values.first)
            out.push_back(std::move(*values.second));
}

// One room's timeline for this sync, oldest first.
struct Timeline {
    std::vector<StoredEvent> events;
    bool limited = false;
    Position prev_batch = 0;  // PaginationToken position
};

// Which part of a room's timeline a section shows and what the user may see.
struct TimelineRange {
    Position from = store::kMinPosition;  // exclusive
    Position to = store::kMaxPosition;    // inclusive
    // Events at or above this position are visible to the user without a
    // history-visibility check (they were joined then).
    Position visible_from = store::kMaxPosition;
    // The user is or was joined after the events (the "shared" rule).
    bool joined_later = true;
};

// What a room section carries besides its timeline.
enum class StateMode {
    full,   // the whole state at the start of the timeline
    delta,  // the changes between `since` and the start of the timeline
};

struct RoomMembership {
    std::optional<std::string> at_since;  // none: no membership then
    bool joined_in_range = false;         // a join among the changes in range
    bool away_in_range = false;           // some other membership among them
};

class Assembler {
public:
    Assembler(store::ReadTxn& txn, const SyncRequest& req)
        : txn_(txn), req_(req), filter_(req.filter) {
        ctx_.now_ts = req.now_ts;
        ctx_.viewer = &req_.user;
        ctx_.viewer_device = req_.device_id;
        ctx_.include_room_id = false;
    }

    Result<SyncResult> run();

private:
    Result<void> load_ignored_users();
    Result<void> initial_rooms();
    Result<void> incremental_rooms();

    Result<std::optional<json>> joined_room(const RoomId& room, const TimelineRange& range,
                                            StateMode mode, bool fresh);
    Result<std::optional<json>> left_room(const store::MembershipRow& row,
                                          const RoomMembership& membership);
    Result<std::optional<json>> invited_room(const store::MembershipRow& row,
                                             std::string_view section_key);

    Result<Timeline> timeline(const RoomId& room, const TimelineRange& range);
    Result<bool> visible(const StoredEvent& ev, bool joined_later);
    Result<std::string> history_visibility_at(store::StateGroupId group);

    Result<std::vector<EventId>> lazy_members(const Timeline& timeline, const RoomStateAt& state_at,
                                              const std::vector<UserId>& heroes, bool include_own);
    Result<json> state_events(std::vector<EventId> ids);
    Result<json> timeline_events(const Timeline& timeline);
    json render(const StoredEvent& ev, const UnsignedExtras& extras);

    Result<std::optional<json>> summary(const RoomId& room, std::vector<UserId>& heroes);
    Result<json> ephemeral(const RoomId& room, bool fresh);
    Result<std::optional<json>> receipts_event(const std::vector<store::ReceiptRow>& rows);
    Result<std::vector<store::ReceiptRow>> receipt_changes(const RoomId& room);
    Result<json> room_account_data(const RoomId& room, bool fresh);
    Result<void> load_delivery();
    Result<void> presence_section();

    Result<const std::vector<store::CurrentStateChange>*> state_log(const RoomId& room);
    // Asks the typing source once per room and keeps the answer for ephemeral().
    bool typing_changed(const RoomId& room);
    Result<const std::vector<store::AccountDataRow>*> all_room_account_data(const RoomId& room);
    Result<RoomMembership> membership_in_range(const RoomId& room,
                                               const std::vector<store::MembershipRow>& rows);

    store::ReadTxn& txn_;
    const SyncRequest& req_;
    const Filter& filter_;
    ClientEventContext ctx_;
    store::StreamPositions to_;
    store::StreamPositions from_;  // zeros for an initial sync
    bool initial_ = true;

    std::set<std::string, std::less<>> ignored_;
    std::map<EventId, std::string> visibility_by_event_;
    std::map<RoomId, std::vector<store::CurrentStateChange>> logs_;
    // Incremental receipts: every change in range by room, unless the range
    // held too many to read at once (then one query per room).
    std::optional<std::map<RoomId, std::vector<store::ReceiptRow>>> receipts_by_room_;
    // Account data: every row (initial) or every change in range.
    std::map<RoomId, std::vector<store::AccountDataRow>> room_account_data_;
    // Every room's account data, read once when an incremental sync has a
    // room new to the client.
    std::optional<std::map<RoomId, std::vector<store::AccountDataRow>>> all_account_data_;
    std::map<RoomId, std::optional<std::vector<UserId>>> typing_;
    // MSC4089 delivery for the events this user sent, by room: receipt
    // content entries {event id, user, data} (explicit and inferred).
    struct DeliveryNote {
        std::string event_id;
        std::string user_id;
        json data;
    };
    std::map<RoomId, std::vector<DeliveryNote>> delivery_;

    json body_;
    bool has_updates_ = false;
};

Result<SyncResult> Assembler::run() {
    auto positions = txn_.streams().current_all();
    if (!positions) return positions.error();
    to_ = *positions;
    initial_ = !req_.since.has_value();
    if (req_.since) {
        // A token from the future (forged, or from another database) reads
        // as "now": nothing in range, and the next token is a real one.
        for (std::size_t i = 0; i < store::kStreamCount; ++i)
            from_.at[i] = std::min(req_.since->streams.at[i], to_.at[i]);
    }

    body_ = json{
        {"rooms",
         {{"join", json::object()},
          {"invite", json::object()},
          {"leave", json::object()},
          {"knock", json::object()}}},
        {"account_data", events_of(json::array())},
        {"presence", events_of(json::array())},
        {"to_device", events_of(json::array())},
        {"device_lists", {{"changed", json::array()}, {"left", json::array()}}},
        {"device_one_time_keys_count", json::object()},
        {"device_unused_fallback_key_types", json::array()},
    };

    if (auto r = load_ignored_users(); !r) return r.error();
    if (auto r = load_delivery(); !r) return r.error();
    if (auto r = presence_section(); !r) return r.error();

    // Account data first: rooms read their share of it.
    auto account_data =
        initial_ ? txn_.account_data().all_for_user(req_.user)
                 : txn_.account_data().changes_for_user(req_.user, from_[Stream::account_data],
                                                        to_[Stream::account_data]);
    if (!account_data) return account_data.error();
    json& global = body_["account_data"]["events"];
    for (auto& row : *account_data) {
        if (row.room_id) {
            room_account_data_[*row.room_id].push_back(std::move(row));
        } else if (filter_.account_data.matches(row.type, req_.user.str())) {
            global.push_back(json{{"type", row.type}, {"content", std::move(row.content)}});
        }
    }
    // m.push_rules is not stored as account data: the user's push rule changes
    // are, on their own stream; the whole merged ruleset goes out when it moved.
    auto push_rules_moved =
        initial_ ? Result<bool>(true)
                 : push::push_rules_changed(txn_, req_.user, from_[Stream::push_rules],
                                            to_[Stream::push_rules]);
    if (!push_rules_moved) return push_rules_moved.error();
    if (*push_rules_moved && filter_.account_data.matches("m.push_rules", req_.user.str())) {
        auto event = push::push_rules_account_data(txn_, req_.user);
        if (!event) return event.error();
        global.push_back(std::move(*event));
    }
    if (!global.empty()) has_updates_ = true;

    auto rooms = initial_ ? initial_rooms() : incremental_rooms();
    if (!rooms) return rooms.error();
    // End-to-end encryption sections (sync/e2ee_sections.cpp); may lower
    // to_[Stream::to_device] when the device's queue is long.
    auto e2ee = add_e2ee_sections(txn_, req_.user, req_.device_id, from_, to_, initial_, body_);
    if (!e2ee) return e2ee.error();
    if (*e2ee) has_updates_ = true;

    SyncResult result;
    result.next_batch.streams = to_;
    result.next_batch.typing = req_.typing_position;
    result.has_updates = has_updates_ || initial_ || req_.full_state;
    body_["next_batch"] = result.next_batch.str();
    result.body = std::move(body_);
    return result;
}

Result<void> Assembler::load_ignored_users() {
    auto row = txn_.account_data().get(req_.user, std::nullopt, "m.ignored_user_list");
    if (!row) return row.error();
    if (!*row) return ok();
    const auto users = (*row)->content.find("ignored_users");
    if (users == (*row)->content.end() || !users->is_object()) return ok();
    for (auto it = users->begin(); it != users->end(); ++it) ignored_.insert(it.key());
    // Their child events stay out of bundled aggregations too.
    ctx_.ignored_senders.assign(ignored_.begin(), ignored_.end());
    return ok();
}

Result<void> Assembler::initial_rooms() {
    const auto& rooms_filter = filter_.room;
    auto joined = txn_.members().rooms_for_user(req_.user, "join");
    if (!joined) return joined.error();
    for (const auto& row : *joined) {
        if (!rooms_filter.matches_room(row.room_id.str())) continue;
        auto section = joined_room(
            row.room_id,
            TimelineRange{.to = to_[Stream::events], .visible_from = row.stream_ordering},
            StateMode::full, /*fresh=*/true);
        if (!section) return section.error();
        if (*section) body_["rooms"]["join"][std::string(row.room_id.str())] = std::move(**section);
    }
    for (auto [membership, key] : {std::pair{"invite", "invite"}, std::pair{"knock", "knock"}}) {
        auto rows = txn_.members().rooms_for_user(req_.user, membership);
        if (!rows) return rows.error();
        for (const auto& row : *rows) {
            if (!rooms_filter.matches_room(row.room_id.str())) continue;
            auto section = invited_room(row, key);
            if (!section) return section.error();
            if (*section)
                body_["rooms"][key][std::string(row.room_id.str())] = std::move(**section);
        }
    }
    if (!rooms_filter.include_leave) return ok();
    for (const char* membership : {"leave", "ban"}) {
        auto rows = txn_.members().rooms_for_user(req_.user, membership);
        if (!rows) return rows.error();
        for (const auto& row : *rows) {
            if (!rooms_filter.matches_room(row.room_id.str())) continue;
            // A forgotten room stays out until a later membership event.
            auto forgotten = txn_.members().forgotten_at(req_.user, row.room_id);
            if (!forgotten) return forgotten.error();
            if (*forgotten && **forgotten == row.event_id) continue;
            auto section = left_room(row, RoomMembership{});
            if (!section) return section.error();
            if (*section)
                body_["rooms"]["leave"][std::string(row.room_id.str())] = std::move(**section);
        }
    }
    return ok();
}

Result<void> Assembler::incremental_rooms() {
    const auto& rooms_filter = filter_.room;
    const Position from = from_[Stream::events];
    const Position to = to_[Stream::events];

    auto joined = txn_.members().rooms_for_user(req_.user, "join");
    if (!joined) return joined.error();
    auto changes = txn_.members().changes_for_user(req_.user, from, to);
    if (!changes) return changes.error();
    std::map<RoomId, std::vector<store::MembershipRow>> membership_changes;
    for (auto& row : *changes) membership_changes[row.room_id].push_back(std::move(row));

    auto active = txn_.events().rooms_changed(from, to);
    if (!active) return active.error();
    std::set<RoomId> active_rooms;
    for (auto& a : *active) active_rooms.insert(std::move(a.room_id));

    auto receipts = txn_.receipts().changes(from_[Stream::receipts], to_[Stream::receipts],
                                            kReceiptScanLimit + 1);
    if (!receipts) return receipts.error();
    if (receipts->size() <= kReceiptScanLimit) {
        receipts_by_room_.emplace();
        for (auto& row : *receipts) (*receipts_by_room_)[row.room_id].push_back(std::move(row));
    }
    const bool typing_moved = req_.typing && req_.typing_position != req_.since->typing;

    json& join_section = body_["rooms"]["join"];
    for (const auto& row : *joined) {
        const RoomId& room = row.room_id;
        if (!rooms_filter.matches_room(room.str())) continue;
        const auto changed = membership_changes.find(room);
        bool fresh = false;
        if (changed != membership_changes.end()) {
            auto membership = membership_in_range(room, changed->second);
            if (!membership) return membership.error();
            // Joined since `since`, or left and came back: what happened
            // while away is not the client's to see unless history
            // visibility allows, so the room starts over as in an initial
            // sync.
            fresh = membership->at_since != "join" || membership->away_in_range;
        }
        std::optional<json> section;
        if (fresh) {
            // The room is new to the client, as in an initial sync (spec
            // digest 7.2).
            auto built =
                joined_room(room, TimelineRange{.to = to, .visible_from = row.stream_ordering},
                            StateMode::full, /*fresh=*/true);
            if (!built) return built.error();
            section = std::move(*built);
        } else {
            const bool touched = req_.full_state || active_rooms.contains(room) ||
                                 changed != membership_changes.end() ||
                                 room_account_data_.contains(room) ||
                                 (receipts_by_room_ ? receipts_by_room_->contains(room) : true) ||
                                 delivery_.contains(room) ||
                                 (typing_moved && typing_changed(room));
            if (!touched) continue;
            auto built =
                joined_room(room, TimelineRange{.from = from, .to = to, .visible_from = from},
                            req_.full_state ? StateMode::full : StateMode::delta,
                            /*fresh=*/req_.full_state);
            if (!built) return built.error();
            section = std::move(*built);
        }
        if (section) join_section[std::string(room.str())] = std::move(*section);
    }

    for (const auto& [room, rows] : membership_changes) {
        if (!rooms_filter.matches_room(room.str())) continue;
        auto now = txn_.members().get(req_.user, room);
        if (!now) return now.error();
        if (!*now) continue;
        const store::MembershipRow& current = **now;
        if (current.membership == "invite" || current.membership == "knock") {
            auto section = invited_room(current, current.membership);
            if (!section) return section.error();
            if (*section)
                body_["rooms"][current.membership][std::string(room.str())] = std::move(**section);
        } else if (current.membership == "leave" || current.membership == "ban") {
            auto membership = membership_in_range(room, rows);
            if (!membership) return membership.error();
            auto section = left_room(current, *membership);
            if (!section) return section.error();
            if (*section) body_["rooms"]["leave"][std::string(room.str())] = std::move(**section);
        }
    }
    for (const char* key : {"join", "invite", "leave", "knock"})
        if (!body_["rooms"][key].empty()) has_updates_ = true;
    return ok();
}

Result<const std::vector<store::CurrentStateChange>*> Assembler::state_log(const RoomId& room) {
    if (auto it = logs_.find(room); it != logs_.end()) return &it->second;
    auto changes = txn_.current_state().changes(room, from_[Stream::events], to_[Stream::events]);
    if (!changes) return changes.error();
    return &logs_.emplace(room, std::move(*changes)).first->second;
}

Result<RoomMembership> Assembler::membership_in_range(
    const RoomId& room, const std::vector<store::MembershipRow>& rows) {
    RoomMembership out;
    for (const auto& row : rows) {
        if (row.membership == "join")
            out.joined_in_range = true;
        else
            out.away_in_range = true;
    }
    auto log = state_log(room);
    if (!log) return log.error();
    const StateKey own{kMember, std::string(req_.user.str())};
    for (const auto& change : **log) {
        if (change.key != own) continue;
        // The first change of the user's member entry in range replaced the
        // entry they had at `since`.
        if (!change.prev_event_id) return out;
        auto prev = txn_.events().get(*change.prev_event_id);
        if (!prev) return prev.error();
        if (*prev) out.at_since = content_string(**prev, "membership");
        return out;
    }
    // No logged change: an out-of-band membership (a remote invite, its
    // rejection), so the user was not in the room at `since`.
    return out;
}

Result<std::optional<json>> Assembler::joined_room(const RoomId& room, const TimelineRange& range,
                                                   StateMode mode, bool fresh) {
    auto events = timeline(room, range);
    if (!events) return events.error();
    const Timeline& tl = *events;
    // The state is given at the start of the timeline: just before its
    // first event, or now when the timeline is empty.
    const Position start = tl.events.empty() ? range.to : tl.events.front().stream_ordering - 1;

    // The state changes after the start: in delta mode from the log of the
    // range (the timeline lies inside it); for a full state read from the
    // start on (the timeline may begin before `since`; an initial sync must
    // not read the room's whole log).
    static const std::vector<store::CurrentStateChange> kNoChanges;
    const std::vector<store::CurrentStateChange>* log = &kNoChanges;
    std::vector<store::CurrentStateChange> after_start;
    if (mode == StateMode::full) {
        auto changes = txn_.current_state().changes(room, start, range.to);
        if (!changes) return changes.error();
        after_start = std::move(*changes);
    } else {
        auto range_log = state_log(room);
        if (!range_log) return range_log.error();
        log = *range_log;
        for (const auto& c : *log)
            if (c.stream_ordering > start) after_start.push_back(c);
    }
    RoomStateAt state_at(txn_, room, after_start);

    std::vector<UserId> heroes;
    bool members_changed = mode == StateMode::full;
    for (const auto& c : *log)
        if (c.key.type == kMember || c.key.type == "m.room.name" ||
            c.key.type == "m.room.canonical_alias")
            members_changed = true;
    std::optional<json> room_summary;
    if (members_changed) {
        auto s = summary(room, heroes);
        if (!s) return s.error();
        room_summary = std::move(*s);
    }

    const bool lazy = filter_.room.state.lazy_load_members;
    std::vector<EventId> state_ids;
    if (mode == StateMode::full) {
        auto full = state_at.full();
        if (!full) return full.error();
        for (auto& [key, id] : *full)
            if (!lazy || key.type != kMember) state_ids.push_back(std::move(id));
    } else if (tl.limited) {
        // Each key that changed between `since` and the start of the
        // timeline, at its value at the start; members included even when
        // lazy-loading (spec: changes in the gap are always sent).
        gap_state(*log, start, state_ids);
    }
    if (lazy) {
        auto members = lazy_members(tl, state_at, heroes, mode == StateMode::full);
        if (!members) return members.error();
        state_ids.insert(state_ids.end(), members->begin(), members->end());
    }
    auto state = state_events(std::move(state_ids));
    if (!state) return state.error();

    auto timeline_json = timeline_events(tl);
    if (!timeline_json) return timeline_json.error();
    auto ephemeral_json = ephemeral(room, fresh);
    if (!ephemeral_json) return ephemeral_json.error();
    auto account_data = room_account_data(room, fresh);
    if (!account_data) return account_data.error();

    if (!fresh && tl.events.empty() && state->empty() && ephemeral_json->empty() &&
        account_data->empty() && !room_summary)
        return std::optional<json>();

    json section{
        {"timeline",
         {{"events", std::move(*timeline_json)},
          {"limited", tl.limited},
          {"prev_batch", PaginationToken{tl.prev_batch}.str()}}},
        {"state", events_of(std::move(*state))},
        {"ephemeral", events_of(std::move(*ephemeral_json))},
        {"account_data", events_of(std::move(*account_data))},
    };
    // Counted from what was decided when each event was persisted
    // (push/notifications.hpp), after the user's read receipt.
    if (filter_.room.timeline.unread_thread_notifications) {
        // Threaded events then count per thread only, not in the room's
        // counts (spec "Receiving notifications").
        auto unread = push::unread_thread_counts(txn_, req_.user, room);
        if (!unread) return unread.error();
        section["unread_notifications"] = {{"highlight_count", unread->main.highlights},
                                           {"notification_count", unread->main.notifications}};
        json threads = json::object();
        for (const auto& t : unread->threads)
            threads[t.thread_id] = {{"highlight_count", t.counts.highlights},
                                    {"notification_count", t.counts.notifications}};
        if (!threads.empty()) section["unread_thread_notifications"] = std::move(threads);
    } else {
        auto unread = push::unread_counts(txn_, req_.user, room);
        if (!unread) return unread.error();
        section["unread_notifications"] = {{"highlight_count", unread->highlights},
                                           {"notification_count", unread->notifications}};
    }
    if (room_summary) section["summary"] = std::move(*room_summary);
    return std::optional<json>(std::move(section));
}

Result<std::optional<json>> Assembler::left_room(const store::MembershipRow& row,
                                                 const RoomMembership& membership) {
    const RoomId& room = row.room_id;
    auto leave = txn_.events().get(row.event_id);
    if (!leave) return leave.error();
    if (!*leave) return std::optional<json>();

    // Was the user in the room before leaving it? Only then may they see
    // its timeline; a rejected invite or retracted knock shows only itself.
    bool was_joined = membership.at_since == "join" || membership.joined_in_range;
    if (initial_ && (*leave)->state_group_before) {
        auto before =
            txn_.state().state_entry_at(*(*leave)->state_group_before, kMember, req_.user.str());
        if (!before) return before.error();
        if (*before) {
            auto prev = txn_.events().get(**before);
            if (!prev) return prev.error();
            was_joined = *prev && content_string(**prev, "membership") == "join";
        }
    }

    Timeline tl;
    std::vector<EventId> state_ids;
    if (!was_joined) {
        tl.events.push_back(**leave);
        tl.prev_batch = row.stream_ordering - 1;
    } else {
        const bool joined_at_since = !initial_ && membership.at_since == "join";
        TimelineRange range{
            .from = joined_at_since ? from_[Stream::events] : store::kMinPosition,
            .to = row.stream_ordering,
            .visible_from = joined_at_since ? from_[Stream::events] : store::kMaxPosition};
        auto events = timeline(room, range);
        if (!events) return events.error();
        tl = std::move(*events);
        if (!joined_at_since || req_.full_state) {
            // The room is new to the client: the full state at the start of
            // the timeline, from the state groups (the room's current state
            // may have moved far past the leave).
            std::optional<store::StateGroupId> group = tl.events.empty()
                                                           ? (*leave)->state_group_after
                                                           : tl.events.front().state_group_before;
            if (group) {
                auto state = txn_.state().state_at(*group);
                if (!state) return state.error();
                const bool lazy = filter_.room.state.lazy_load_members;
                std::set<std::string> senders;
                for (const auto& ev : tl.events) senders.insert(std::string(ev.sender.str()));
                senders.insert(std::string(req_.user.str()));
                for (auto& [key, id] : *state)
                    if (!lazy || key.type != kMember || senders.contains(key.state_key))
                        state_ids.push_back(std::move(id));
            }
        } else if (tl.limited && !tl.events.empty()) {
            const Position start = tl.events.front().stream_ordering - 1;
            auto log = state_log(room);
            if (!log) return log.error();
            gap_state(**log, start, state_ids);
        }
    }

    auto state = state_events(std::move(state_ids));
    if (!state) return state.error();
    auto timeline_json = timeline_events(tl);
    if (!timeline_json) return timeline_json.error();
    auto account_data = room_account_data(room, initial_);
    if (!account_data) return account_data.error();
    return std::optional<json>(json{
        {"timeline",
         {{"events", std::move(*timeline_json)},
          {"limited", tl.limited},
          {"prev_batch", PaginationToken{tl.prev_batch}.str()}}},
        {"state", events_of(std::move(*state))},
        {"account_data", events_of(std::move(*account_data))},
    });
}

Result<std::optional<json>> Assembler::invited_room(const store::MembershipRow& row,
                                                    std::string_view section_key) {
    auto member = txn_.events().get(row.event_id);
    if (!member) return member.error();
    if (!*member) return std::optional<json>();
    const StoredEvent& ev = **member;
    if (ignored_.contains(ev.sender.str())) return std::optional<json>();  // spec: omitted

    json events = json::array();
    // A remote server sends the stripped state with the invite; use it
    // as given, pruned to the four keys stripped state may have.
    const auto sent_state = ev.json.find("unsigned");
    const std::string_view own_key =
        section_key == "invite" ? "invite_room_state" : "knock_room_state";
    if (sent_state != ev.json.end() && sent_state->is_object() && sent_state->contains(own_key) &&
        (*sent_state)[own_key].is_array()) {
        for (const auto& entry : (*sent_state)[own_key]) {
            if (!entry.is_object()) continue;
            json pruned = json::object();
            for (const char* key : {"type", "state_key", "sender", "content"})
                if (auto it = entry.find(key); it != entry.end()) pruned[key] = *it;
            events.push_back(std::move(pruned));
        }
    } else {
        std::vector<EventId> ids;
        for (std::string_view type : kStrippedStateTypes) {
            auto id = txn_.current_state().entry(row.room_id, type, "");
            if (!id) return id.error();
            if (*id) ids.push_back(std::move(**id));
        }
        // The inviter's member event, so that clients can name them.
        auto inviter = txn_.current_state().entry(row.room_id, kMember, ev.sender.str());
        if (!inviter) return inviter.error();
        if (*inviter && ev.sender != req_.user) ids.push_back(std::move(**inviter));
        auto found = txn_.events().get_many(ids);
        if (!found) return found.error();
        for (const auto& s : *found) events.push_back(stripped(s));
    }
    // The invite or knock itself in full: clients read its sender and
    // `is_direct`.
    events.push_back(render(ev, {}));
    const std::string state_key = section_key == "invite" ? "invite_state" : "knock_state";
    return std::optional<json>(json{{state_key, events_of(std::move(events))}});
}

Result<Timeline> Assembler::timeline(const RoomId& room, const TimelineRange& range) {
    const std::size_t limit = filter_.timeline_limit();
    const auto& timeline_filter = filter_.room.timeline;
    Timeline out;
    std::vector<StoredEvent> newest_first;
    Position upper = range.to;
    std::size_t scanned = 0;
    const std::size_t batch = std::max<std::size_t>(limit + 1, 20);
    bool done = false;
    while (!done) {
        auto events = txn_.events().room_events({.room_id = room,
                                                 .from = range.from,
                                                 .to = upper,
                                                 .direction = store::Direction::backward,
                                                 .limit = batch});
        if (!events) return events.error();
        for (auto& ev : *events) {
            ++scanned;
            upper = ev.stream_ordering - 1;
            if (!timeline_filter.matches(ev)) continue;
            // Spec (ignoring users): their events never reach the user,
            // except state, which the room needs.
            if (!ev.state_key && ignored_.contains(ev.sender.str())) continue;
            if (ev.stream_ordering < range.visible_from) {
                // The timeline stops at the first event the user may not
                // see: a timeline with a hole would hide state changes from
                // the `state` given at its start. The client paginates past
                // it if it likes (/messages filters per event).
                auto allowed = visible(ev, range.joined_later);
                if (!allowed) return allowed.error();
                if (!*allowed) {
                    out.limited = true;
                    done = true;
                    break;
                }
            }
            if (newest_first.size() == limit) {
                out.limited = true;
                done = true;
                break;
            }
            newest_first.push_back(std::move(ev));
        }
        if (events->size() < batch) break;
        if (!done && scanned >= kMaxScannedTimelineEvents) {
            out.limited = true;
            break;
        }
    }
    out.events.assign(std::make_move_iterator(newest_first.rbegin()),
                      std::make_move_iterator(newest_first.rend()));
    if (!out.events.empty())
        out.prev_batch = out.events.front().stream_ordering - 1;
    else
        out.prev_batch = out.limited ? upper : range.to;
    return out;
}

Result<std::string> Assembler::history_visibility_at(store::StateGroupId group) {
    auto id = txn_.state().state_entry_at(group, "m.room.history_visibility", "");
    if (!id) return id.error();
    if (!*id) return std::string("shared");
    if (auto it = visibility_by_event_.find(**id); it != visibility_by_event_.end())
        return it->second;
    auto ev = txn_.events().get(**id);
    if (!ev) return ev.error();
    std::string value = *ev ? content_string(**ev, "history_visibility") : std::string();
    if (value != "world_readable" && value != "joined" && value != "invited")
        value = "shared";  // the default, also for unknown values
    visibility_by_event_.emplace(**id, value);
    return value;
}

Result<bool> Assembler::visible(const StoredEvent& ev, bool joined_later) {
    // Spec "History visibility", with the state before the event.
    if (!ev.state_group_before) return false;
    auto visibility = history_visibility_at(*ev.state_group_before);
    if (!visibility) return visibility.error();
    if (*visibility == "world_readable") return true;
    if (*visibility == "shared" && joined_later) return true;

    std::string membership;
    if (ev.type == kMember && ev.state_key == req_.user.str()) {
        // The user's own member events: visible if the membership after
        // the event allows it too.
        membership = content_string(ev, "membership");
        if (membership == "join" || (*visibility == "invited" && membership == "invite"))
            return true;
    }
    auto entry = txn_.state().state_entry_at(*ev.state_group_before, kMember, req_.user.str());
    if (!entry) return entry.error();
    if (!*entry) return false;
    auto member = txn_.events().get(**entry);
    if (!member) return member.error();
    if (!*member) return false;
    membership = content_string(**member, "membership");
    return membership == "join" || (*visibility == "invited" && membership == "invite");
}

Result<std::vector<EventId>> Assembler::lazy_members(const Timeline& tl,
                                                     const RoomStateAt& state_at,
                                                     const std::vector<UserId>& heroes,
                                                     bool include_own) {
    // Spec "Lazy-loading room members": the members of the timeline's
    // senders, the user's own, and the heroes'. Without a record of what
    // this device was sent before, they are sent again each time, which the
    // spec allows (redundant members).
    std::set<std::string> users;
    for (const auto& ev : tl.events) users.insert(std::string(ev.sender.str()));
    if (include_own) users.insert(std::string(req_.user.str()));
    for (const auto& h : heroes) users.insert(std::string(h.str()));
    std::vector<EventId> out;
    for (const auto& u : users) {
        auto id = state_at.entry(StateKey{kMember, u});
        if (!id) return id.error();
        if (*id) out.push_back(std::move(**id));
    }
    return out;
}

Result<json> Assembler::state_events(std::vector<EventId> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto events = txn_.events().get_many(ids);
    if (!events) return events.error();
    std::sort(events->begin(), events->end(), [](const StoredEvent& a, const StoredEvent& b) {
        return a.stream_ordering < b.stream_ordering;
    });
    json out = json::array();
    const auto& state_filter = filter_.room.state;
    for (const auto& ev : *events) {
        if (!state_filter.matches(ev)) continue;
        // No prev_content here: clients read it on timeline events, and a
        // large room's state would cost lookups per member.
        UnsignedExtras extras;
        if (ev.redacted_by) {
            auto redaction = txn_.events().get(*ev.redacted_by);
            if (!redaction) return redaction.error();
            if (*redaction) extras.redacted_because = client_event(**redaction, ctx_);
        }
        out.push_back(render(ev, extras));
    }
    return out;
}

Result<json> Assembler::timeline_events(const Timeline& tl) {
    json out = json::array();
    for (const auto& ev : tl.events) {
        auto extras = load_unsigned(txn_, ev, ctx_);
        if (!extras) return extras.error();
        out.push_back(render(ev, *extras));
    }
    return out;
}

json Assembler::render(const StoredEvent& ev, const UnsignedExtras& extras) {
    json out;
    if (filter_.event_format == EventFormat::federation) {
        out = ev.json;
        out["unsigned"] = client_event(ev, ctx_, extras)["unsigned"];
    } else {
        out = client_event(ev, ctx_, extras);
    }
    if (filter_.event_fields) out = apply_event_fields(out, *filter_.event_fields);
    return out;
}

Result<std::optional<json>> Assembler::summary(const RoomId& room, std::vector<UserId>& heroes) {
    auto joined = txn_.members().count(room, "join");
    if (!joined) return joined.error();
    auto invited = txn_.members().count(room, "invite");
    if (!invited) return invited.error();
    json out{{"m.joined_member_count", *joined}, {"m.invited_member_count", *invited}};

    // Heroes only for rooms clients must name from their members: no name
    // and no canonical alias (spec "Calculating the display name").
    bool named = false;
    for (auto [type, key] :
         {std::pair{"m.room.name", "name"}, std::pair{"m.room.canonical_alias", "alias"}}) {
        auto id = txn_.current_state().entry(room, type, "");
        if (!id) return id.error();
        if (!*id) continue;
        auto ev = txn_.events().get(**id);
        if (!ev) return ev.error();
        if (*ev && !content_string(**ev, key).empty()) named = true;
    }
    if (!named) {
        // The first members by stream order other than the user: joined or
        // invited ones, else those who left (a room everyone else left).
        for (const auto& memberships : {std::vector<const char*>{"join", "invite"},
                                        std::vector<const char*>{"leave", "ban"}}) {
            std::vector<store::MembershipRow> rows;
            for (const char* m : memberships) {
                auto some = txn_.members().members_of(room, m);
                if (!some) return some.error();
                for (auto& r : *some)
                    if (r.user_id != req_.user) rows.push_back(std::move(r));
            }
            std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
                return a.stream_ordering < b.stream_ordering;
            });
            for (auto& r : rows) {
                if (heroes.size() == kMaxHeroes) break;
                heroes.push_back(std::move(r.user_id));
            }
            if (!heroes.empty()) break;
        }
        json names = json::array();
        for (const auto& h : heroes) names.push_back(h.str());
        out["m.heroes"] = std::move(names);
    }
    return std::optional<json>(std::move(out));
}

Result<std::vector<store::ReceiptRow>> Assembler::receipt_changes(const RoomId& room) {
    if (receipts_by_room_) {
        auto it = receipts_by_room_->find(room);
        if (it == receipts_by_room_->end()) return std::vector<store::ReceiptRow>();
        return it->second;
    }
    return txn_.receipts().changes_in_room(room, from_[Stream::receipts], to_[Stream::receipts]);
}

Result<std::optional<json>> Assembler::receipts_event(const std::vector<store::ReceiptRow>& rows) {
    json content = json::object();
    for (const auto& row : rows) {
        // m.read.private is for its owner only; MSC4089 delivery receipts
        // for their owner and the sender of the receipted event.
        if (row.type == "m.read.private" && row.user_id != req_.user) continue;
        if (is_delivery_receipt(row.type) && row.user_id != req_.user) {
            auto target = txn_.events().get(row.event_id);
            if (!target) return target.error();
            if (!*target || (*target)->sender != req_.user) continue;
        }
        json data = row.data.is_object() ? row.data : json::object();
        if (!data.contains("ts")) data["ts"] = row.ts;
        if (row.thread_id && !data.contains("thread_id")) data["thread_id"] = *row.thread_id;
        content[std::string(row.event_id.str())][row.type][std::string(row.user_id.str())] =
            std::move(data);
    }
    if (content.empty()) return std::optional<json>();
    return std::optional<json>(json{{"type", "m.receipt"}, {"content", std::move(content)}});
}

Result<json> Assembler::ephemeral(const RoomId& room, bool fresh) {
    json out = json::array();
    const auto& ephemeral_filter = filter_.room.ephemeral;
    if (!ephemeral_filter.matches_room(room.str())) return out;
    if (ephemeral_filter.matches_type("m.receipt")) {
        auto rows = fresh || initial_ ? txn_.receipts().for_room(room) : receipt_changes(room);
        if (!rows) return rows.error();
        auto event = receipts_event(*rows);
        if (!event) return event.error();
        // Delivery for this user's events goes in the same m.receipt event:
        // bundled, as MSC4089 asks.
        if (auto it = delivery_.find(room); it != delivery_.end()) {
            if (!*event) *event = json{{"type", "m.receipt"}, {"content", json::object()}};
            for (auto& note : it->second)
                (**event)["content"][note.event_id][std::string(receipts::kDeliveryType)]
                         [note.user_id] = std::move(note.data);
        }
        if (*event) out.push_back(std::move(**event));
    }
    if (req_.typing && ephemeral_filter.matches_type("m.typing")) {
        std::optional<std::vector<UserId>> users;
        if (fresh || initial_) {
            users = req_.typing->typing_in(room, std::nullopt);
        } else if (req_.typing_position != req_.since->typing && typing_changed(room)) {
            users = typing_.at(room);
        }
        if (users) {
            json ids = json::array();
            for (const auto& u : *users)
                if (!ignored_.contains(u.str())) ids.push_back(u.str());
            out.push_back(json{{"type", "m.typing"}, {"content", {{"user_ids", std::move(ids)}}}});
        }
    }
    return out;
}

Result<json> Assembler::room_account_data(const RoomId& room, bool fresh) {
    json out = json::array();
    const auto& ad_filter = filter_.room.account_data;
    if (!ad_filter.matches_room(room.str())) return out;
    // A room new to the client gets all its account data (tags set before
    // a rejoin, say); others get the changes in range.
    const std::vector<store::AccountDataRow>* rows = nullptr;
    if (fresh && !initial_) {
        auto all = all_room_account_data(room);
        if (!all) return all.error();
        rows = *all;
    } else if (auto it = room_account_data_.find(room); it != room_account_data_.end()) {
        rows = &it->second;
    }
    if (!rows) return out;
    for (const auto& row : *rows)
        if (ad_filter.matches(row.type, req_.user.str(), room.str(), nullptr))
            out.push_back(json{{"type", row.type}, {"content", row.content}});
    return out;
}

Result<const std::vector<store::AccountDataRow>*> Assembler::all_room_account_data(
    const RoomId& room) {
    if (!all_account_data_) {
        auto rows = txn_.account_data().all_for_user(req_.user);
        if (!rows) return rows.error();
        all_account_data_.emplace();
        for (auto& row : *rows)
            if (row.room_id) (*all_account_data_)[*row.room_id].push_back(std::move(row));
    }
    auto it = all_account_data_->find(room);
    if (it == all_account_data_->end()) return nullptr;
    return &it->second;
}

// Explicit delivery receipts for the user's events in range (incremental
// syncs only: they are per event, and an initial sync would have to send
// the whole history), and inferred delivery positions whose move concerns
// this user: in range, or the current ones for an initial sync.
Result<void> Assembler::load_delivery() {
    const Position from = initial_ ? store::kMinPosition : from_[Stream::receipts];
    const Position to = to_[Stream::receipts];
    if (!initial_) {
        auto explicit_rows =
            txn_.delivery().receipts_for_sender(req_.user, from, to, kDeliveryScanLimit);
        if (!explicit_rows) return explicit_rows.error();
        for (auto& row : *explicit_rows) {
            if (ignored_.contains(row.user_id.str())) continue;
            delivery_[row.room_id].push_back({std::string(row.event_id.str()),
                                              std::string(row.user_id.str()),
                                              json{{"ts", row.ts}}});
        }
    }
    auto inferred = txn_.delivery().inferred_in_joined_rooms(req_.user, from, to,
                                                             kDeliveryScanLimit);
    if (!inferred) return inferred.error();
    const std::string me(req_.user.str());
    for (auto& row : *inferred) {
        if (row.user_id == req_.user || ignored_.contains(row.user_id.str())) continue;
        const auto own = row.sender_events.find(me);
        if (own == row.sender_events.end() || !own->is_string()) continue;
        // Keyed by the user's own newest event it covers, so that a client
        // that knows only per-event receipts marks a message of its own;
        // `inferred` says the receipt covers everything up to `up_to`.
        delivery_[row.room_id].push_back(
            {own->get<std::string>(), std::string(row.user_id.str()),
             json{{"ts", row.ts}, {"inferred", true}, {"up_to", row.event_id.str()}}});
    }
    return ok();
}

// m.presence of the user and of everyone who shares a room with them:
// changes in range, or the current presence for an initial sync.
Result<void> Assembler::presence_section() {
    if (!req_.presence) return ok();
    const Position from = initial_ ? store::kMinPosition : from_[Stream::presence];
    auto rows =
        txn_.presence().visible_changes(req_.user, from, to_[Stream::presence], kPresenceScanLimit);
    if (!rows) return rows.error();
    json& events = body_["presence"]["events"];
    for (const auto& row : *rows) {
        if (ignored_.contains(row.user_id.str())) continue;
        if (!filter_.presence.matches("m.presence", row.user_id.str())) continue;
        // An initial sync has no use for users who were never seen.
        if (initial_ && row.state == "offline" && row.last_active_ts == 0) continue;
        events.push_back(json{{"type", "m.presence"},
                              {"sender", row.user_id.str()},
                              {"content", presence::content(presence::from_row(row), req_.now_ts)}});
    }
    if (!events.empty()) has_updates_ = true;
    return ok();
}

bool Assembler::typing_changed(const RoomId& room) {
    auto it = typing_.find(room);
    if (it == typing_.end())
        it = typing_.emplace(room, req_.typing->typing_in(room, req_.since->typing)).first;
    return it->second.has_value();
}

}  // namespace

Result<SyncResult> assemble_sync(store::ReadTxn& txn, const SyncRequest& req) {
    return Assembler(txn, req).run();
}

}  // namespace chat::sync
