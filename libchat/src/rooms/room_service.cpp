#include <chat/rooms/room_service.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <chat/auth/auth_rules.hpp>
#include <chat/crypto/random.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/redaction.hpp>
#include <chat/push/notifications.hpp>
#include <chat/auth/power_levels.hpp>
#include <chat/rooms/redactions.hpp>
#include <chat/rooms/room_admin.hpp>
#include <chat/rooms/room_servers.hpp>
#include <chat/state/state_res.hpp>

namespace chat::rooms {
namespace {

using nlohmann::json;

constexpr std::size_t kRoomIdRandomChars = 18;

// Reads the events state resolution asks for from the open transaction.
class TxnEventSource final : public state::EventSource {
public:
    explicit TxnEventSource(store::ReadTxn& txn) : txn_(txn) {}

    PduPtr get(const EventId& id) const override {
        auto stored = load(id);
        return stored ? stored->pdu : nullptr;
    }
    bool is_rejected(const EventId& id) const override {
        auto stored = load(id);
        return stored && stored->rejected;
    }

private:
    struct Loaded {
        PduPtr pdu;
        bool rejected = false;
    };
    const Loaded* load(const EventId& id) const {
        if (auto it = cache_.find(id); it != cache_.end()) return &it->second;
        auto row = txn_.events().get(id);
        if (!row || !*row) return nullptr;
        auto pdu = (*row)->to_pdu();
        if (!pdu) return nullptr;
        auto [it, _] = cache_.emplace(id, Loaded{*pdu, (*row)->rejected_reason.has_value()});
        return &it->second;
    }
    store::ReadTxn& txn_;
    mutable std::map<EventId, Loaded> cache_;
};

Error internal(std::string detail) {
    return make_error(Errc::internal, "Internal server error.", std::move(detail));
}

// The reference to an earlier event in prev_events/auth_events: the id, or
// for room versions 1-2 an [id, {"sha256": hash}] pair.
json event_ref(const RoomVersion& version, const EventId& id, const json& event) {
    if (version.pdu_format != PduFormat::v1) return std::string(id.str());
    json hashes = json::object();
    if (auto it = event.find("hashes"); it != event.end() && it->is_object()) hashes = *it;
    return json::array({std::string(id.str()), hashes});
}

// Where append() builds the next event of a room from: its version, the
// events it follows, and the state before it. Kept between calls for the room
// whose only forward extremity is the event append() added last, so that a
// stream of sends into one room reads neither the prev events, nor the state
// groups, nor the auth events again (those reads, with their JSON parsing and
// event id hashing, cost more than building the event).
//
// Reuse is safe because everything kept follows from the event ids: an
// event's id fixes its content and ancestry, so the state after it, and the
// event at each key of that state, never change. append() checks inside its
// transaction that the room's only extremity is still `last` and that `last`
// still has `state_group` as its state after (a rolled-back write frees state
// group ids for reuse); otherwise it reads everything again. One change shows
// in neither check: a redaction rewrites an event's stored JSON. Ours drop the
// room's context (apply_redaction); others arrive as new events, which move
// the extremities.
struct RoomContext {
    const RoomVersion* version = nullptr;
    std::optional<EventId> last;  // set when the event follows one event only
    json prev_refs = json::array();  // the prev_events entries
    std::vector<EventId> prev_ids;   // their ids
    std::int64_t prev_depth = 0;     // the greatest depth among them
    store::StateGroupId state_group = 0;  // the state before the next event
    // The entries of that state read so far: key -> event, null for a key
    // with no event in the state.
    std::map<StateKey, PduPtr> state;
    // The remote servers with joined members (federation outbox); none until
    // read, and dropped by every membership event.
    std::optional<std::vector<ServerName>> remote_servers;
    // What push reads of the room (members, names, power levels, the local
    // members' rules); none until read, dropped by every state event and
    // redaction, and read again once Stream::push_rules moves.
    std::shared_ptr<const push::RoomPushFacts> push_facts;
    // The power levels the auth rules read, parsed once per create and PL
    // event (kept alive here, so their addresses identify them): a message
    // did parse the PL content for its authorization every time, about 3% of
    // the send path.
    std::shared_ptr<const auth::PowerLevels> levels;
    PduPtr levels_create, levels_pl;
};

// Reads the room's version, its extremities' events and the state after them
// (resolving it when there are several) from the transaction.
Result<RoomContext> load_context(store::WriteTxn& txn, const RoomId& room_id,
                                 std::span<const EventId> extremities) {
    auto room = txn.rooms().get(room_id);
    if (!room) return room.error();
    if (!*room) return make_error(Errc::not_found, "Unknown room.");
    const RoomVersion* version = RoomVersion::find((*room)->room_version);
    if (!version) return internal("stored room has unknown version " + (*room)->room_version);

    auto prevs = txn.events().get_many(extremities);
    if (!prevs) return prevs.error();
    if (prevs->size() != extremities.size()) return internal("a forward extremity is missing");
    RoomContext context{.version = version};
    for (const auto& p : *prevs) {
        if (!p.state_group_after) return internal("extremity without state group");
        context.prev_depth = std::max(context.prev_depth, p.depth);
        context.prev_refs.push_back(event_ref(*version, p.event_id, p.json));
        context.prev_ids.push_back(p.event_id);
    }
    // The state before the event: after its only parent, or the resolution
    // of the states after each parent.
    if (prevs->size() == 1) {
        context.last = prevs->front().event_id;
        context.state_group = *prevs->front().state_group_after;
        return context;
    }
    std::vector<StateMap> states;
    for (const auto& p : *prevs) {
        auto s = txn.state().state_at(*p.state_group_after);
        if (!s) return s.error();
        states.push_back(std::move(*s));
    }
    TxnEventSource source(txn);
    auto resolved = state::resolve(*version, states, source);
    if (!resolved) return resolved.error();
    auto group =
        txn.state().create_group_from_state(room_id, *resolved, prevs->front().state_group_after);
    if (!group) return group.error();
    context.state_group = *group;
    return context;
}

json default_power_levels(const CreateRoomOptions& options, const RoomVersion& version) {
    json events = {
        {"m.room.name", 50},          {"m.room.power_levels", 100},
        {"m.room.history_visibility", 100}, {"m.room.canonical_alias", 50},
        {"m.room.avatar", 50},        {"m.room.server_acl", 100},
        {"m.room.encryption", 100},
        // v12 (§8.4): the tombstone must need more than any non-creator has.
        {"m.room.tombstone", version.creators_have_infinite_power ? 150 : 100},
    };
    json users = json::object();
    if (!version.creators_have_infinite_power) {
        users[std::string(options.creator.str())] = 100;
        if (options.preset == Preset::trusted_private_chat)
            for (const auto& u : options.invite) users[std::string(u.str())] = 100;
    }
    json content = {
        {"users", users},        {"users_default", 0},   {"events", events},
        {"events_default", 0},   {"state_default", 50},  {"ban", 50},
        {"kick", 50},            {"redact", 50},
        {"invite", options.preset == Preset::public_chat ? 50 : 0},
        {"notifications", {{"room", 50}}},
    };
    if (options.power_level_content_override.is_object())
        for (auto it = options.power_level_content_override.begin();
             it != options.power_level_content_override.end(); ++it)
            content[it.key()] = it.value();
    return content;
}

}  // namespace

struct RoomService::Draft {
    RoomId room_id;
    UserId sender;
    std::string type;
    std::optional<std::string> state_key;
    json content = json::object();
    json extra = json::object();  // more top-level keys (v1-v10 `redacts`)
};

// The rooms' contexts (see RoomContext), at most kMaxRooms of them: an
// arbitrary one makes room for a new one. Thread-safe.
class RoomService::ContextCache {
public:
    static constexpr std::size_t kMaxRooms = 1024;
    // Per room; beyond it the state map starts again empty (bounds memory in
    // rooms with many senders).
    static constexpr std::size_t kMaxStateEntries = 4096;

    // Takes the room's context out: a write that fails leaves none behind,
    // and one that succeeds puts its own back.
    std::optional<RoomContext> take(const RoomId& room_id) {
        std::lock_guard lock(mutex_);
        auto it = rooms_.find(room_id);
        if (it == rooms_.end()) return std::nullopt;
        std::optional<RoomContext> context = std::move(it->second);
        rooms_.erase(it);
        return context;
    }
    void put(const RoomId& room_id, RoomContext context) {
        if (context.state.size() > kMaxStateEntries) context.state.clear();
        std::lock_guard lock(mutex_);
        if (rooms_.size() >= kMaxRooms && !rooms_.contains(room_id)) rooms_.erase(rooms_.begin());
        rooms_.insert_or_assign(room_id, std::move(context));
    }
    void forget(const RoomId& room_id) {
        std::lock_guard lock(mutex_);
        rooms_.erase(room_id);
    }

private:
    std::mutex mutex_;
    std::map<RoomId, RoomContext> rooms_;  // guarded by mutex_
};

RoomService::RoomService(store::Store& store, ServerName server_name,
                         crypto::SigningKey signing_key, sync::Notifier& notifier,
                         const Clock& clock)
    : store_(store), server_name_(std::move(server_name)), signing_key_(std::move(signing_key)),
      notifier_(notifier), clock_(clock), contexts_(std::make_shared<ContextCache>()) {}

// A finished event and its canonical JSON, the text its row stores.
struct RoomService::Sealed {
    PduPtr pdu;
    std::string text;  // empty: persist() serialises the event itself
};

// Finishes an event we built: a v1/v2 event id of our own, hashes, our
// signature; then makes its Pdu, taking the id from the signature's own
// canonical bytes (one canonical form and hash fewer than from_json) and,
// given `parts`, the fields from them (from_built: nothing parsed again), and
// keeps the canonical form its size was measured on for the row (no second
// one).
Result<RoomService::Sealed> RoomService::seal(json ev, const RoomVersion& version,
                                              std::optional<Pdu::Parts> parts) const {
    if (version.event_id_in_pdu())
        ev["event_id"] = "$" + crypto::random_alphanumeric(kRoomIdRandomChars) + ":" +
                         std::string(server_name_.str());
    ev["hashes"] = json::object();
    ev["signatures"] = json::object();
    std::string id_text;
    if (auto s = sign_event(ev, server_name_.str(), signing_key_, version, &id_text); !s)
        return s.error();
    auto id = EventId::parse(id_text);
    if (!id) return make_error(Errc::internal, "Internal server error.", "signed event id");
    Sealed sealed;
    // Built from typed parts (append()): they need no parsing out of the JSON.
    auto parsed = parts ? Pdu::from_built(std::move(ev), version, *id, std::move(*parts),
                                          &sealed.text)
                        : Pdu::from_signed(std::move(ev), version, *id, &sealed.text);
    if (!parsed) return parsed.error();
    sealed.pdu = std::make_shared<const Pdu>(std::move(*parsed));
    return sealed;
}

Result<SentEvent> RoomService::append(store::WriteTxn& txn, const Draft& draft) {
    // An admin's block (room_admin.cpp) keeps everyone out, whatever the room's own rules say.
    if (auto allowed = check_room_not_blocked(txn, draft.room_id, draft.type, draft.content);
        !allowed)
        return allowed.error();
    auto extremities = txn.extremities().get(draft.room_id);
    if (!extremities) return extremities.error();
    if (extremities->empty()) {
        auto room = txn.rooms().get(draft.room_id);
        if (!room) return room.error();
        if (!*room) return make_error(Errc::not_found, "Unknown room.");
        return internal("room has no forward extremities");
    }
    // With more than kMaxPrevEvents extremities, some remain after this event.
    const bool consumes_all = extremities->size() <= kMaxPrevEvents;

    // The context kept from our last event here, if that is still the room's
    // only extremity. Its state after is then still the group we made: an
    // event's row and its extremity are written in one savepoint, no event
    // id comes twice (a hash over our signature, or random in v1/v2), and
    // nothing rewrites a stored event's state group.
    std::optional<RoomContext> context = contexts_->take(draft.room_id);
    if (context && !(extremities->size() == 1 && extremities->front() == context->last))
        context.reset();
    if (!context) {
        // prev_events: the forward extremities (§5), at most 20 of them.
        if (extremities->size() > kMaxPrevEvents)
            extremities->erase(extremities->begin() + kMaxPrevEvents, extremities->end());
        auto loaded = load_context(txn, draft.room_id, *extremities);
        if (!loaded) return loaded.error();
        context = std::move(*loaded);
    }
    const RoomVersion& version = *context->version;
    const store::StateGroupId before = context->state_group;
    const std::int64_t depth = std::min(context->prev_depth + 1, version.max_depth);  // §13.8

    // auth_events (§9) and the auth state they make; v12 never lists the
    // create event but its rules still read it.
    auto keys = auth::auth_event_keys(version, draft.type, draft.sender, draft.state_key,
                                      draft.content);
    std::vector<StateKey> wanted = keys;
    if (version.room_id_is_create_event_hash) wanted.push_back(chat::state_key("m.room.create", ""));
    std::vector<EventId> to_load;
    std::vector<StateKey> loading;
    for (const auto& key : wanted) {
        if (context->state.contains(key)) continue;
        auto id = txn.state().state_entry_at(before, key.type, key.state_key);
        if (!id) return id.error();
        if (!*id) {
            context->state.emplace(key, nullptr);
            continue;
        }
        to_load.push_back(**id);
        loading.push_back(key);
    }
    if (!to_load.empty()) {
        auto rows = txn.events().get_pdus(to_load);
        if (!rows) return rows.error();
        if (rows->size() != to_load.size()) return internal("a state event is missing");
        for (std::size_t i = 0; i < rows->size(); ++i)
            context->state.insert_or_assign(loading[i], std::move((*rows)[i].pdu));
    }
    auth::AuthState auth_state;
    json auth_refs = json::array();
    std::vector<EventId> auth_ids;
    for (const auto& key : wanted) {
        const PduPtr& event = context->state.at(key);
        if (!event) continue;
        auth_state.put(event);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
            auth_refs.push_back(event_ref(version, event->event_id(), event->json()));
            auth_ids.push_back(event->event_id());
        }
    }

    json ev = json::object();
    ev["room_id"] = std::string(draft.room_id.str());
    ev["sender"] = std::string(draft.sender.str());
    ev["type"] = draft.type;
    if (draft.state_key) ev["state_key"] = *draft.state_key;
    ev["content"] = draft.content;
    if (auto profile = add_member_profile(txn, draft.type, draft.state_key, ev["content"]); !profile)
        return profile.error();
    const std::int64_t origin_server_ts = clock_.now_ms();
    ev["origin_server_ts"] = origin_server_ts;
    ev["depth"] = depth;
    ev["prev_events"] = context->prev_refs;
    ev["auth_events"] = std::move(auth_refs);
    for (auto it = draft.extra.begin(); it != draft.extra.end(); ++it) ev[it.key()] = it.value();
    auto sealed = seal(std::move(ev), version,
                       Pdu::Parts{.room_id = draft.room_id,
                                  .sender = draft.sender,
                                  .type = draft.type,
                                  .state_key = draft.state_key,
                                  .depth = depth,
                                  .origin_server_ts = origin_server_ts,
                                  .prev_events = context->prev_ids,
                                  .auth_events = std::move(auth_ids)});
    if (!sealed) return sealed.error();
    PduPtr pdu = std::move(sealed->pdu);

    auth::AuthContext auth_context;
    {
        auto held = [&](std::string_view type) {
            auto it = context->state.find(chat::state_key(type, ""));
            return it == context->state.end() ? nullptr : it->second;
        };
        PduPtr create = held("m.room.create");
        PduPtr levels = held("m.room.power_levels");
        // Only when the auth state holds exactly these two events.
        if (create.get() == auth_state.create() && levels.get() == auth_state.power_levels()) {
            if (!context->levels || context->levels_create != create ||
                context->levels_pl != levels) {
                auto parsed = auth::PowerLevels::from_events(version, create.get(), levels.get());
                context->levels = parsed ? std::make_shared<const auth::PowerLevels>(
                                               std::move(*parsed))
                                         : nullptr;
                context->levels_create = std::move(create);
                context->levels_pl = std::move(levels);
            }
            auth_context.levels = context->levels;
        }
    }
    if (auto allowed = auth::check(*pdu, auth_state, auth_context); !allowed) {
        // A refused event changes nothing: what we read still holds (unless
        // we made the state group ourselves, which the failure rolls back).
        if (context->last) contexts_->put(draft.room_id, std::move(*context));
        return allowed.error();
    }

    store::StateGroupId after = before;
    std::vector<store::StateDeltaEntry> delta;
    if (pdu->is_state()) {
        delta.push_back({StateKey{pdu->type(), *pdu->state_key()}, pdu->event_id()});
        auto group = txn.state().create_group(draft.room_id, before, delta, pdu->event_id());
        if (!group) return group.error();
        after = *group;
    }
    auto persisted = txn.events().persist({.pdu = pdu,
                                           .json_text = std::move(sealed->text),
                                           .received_ts = clock_.now_ms(),
                                           .state_group_before = before,
                                           .state_group_after = after,
                                           .built_here = true});
    if (!persisted) return persisted.error();
    // Built on the room's one extremity: it takes that extremity's place.
    bool advanced = false;
    if (extremities->size() == 1 && pdu->prev_events().size() == 1) {
        auto moved = txn.extremities().advance(draft.room_id, pdu->prev_events().front(),
                                               pdu->event_id());
        if (!moved) return moved.error();
        advanced = *moved;
    }
    if (!advanced)
        if (auto e =
                txn.extremities().add_event(draft.room_id, pdu->event_id(), pdu->prev_events());
            !e)
            return e.error();
    if (!delta.empty()) {
        auto applied =
            txn.current_state().apply_delta(draft.room_id, delta, persisted->stream_ordering);
        if (!applied) return applied.error();
    }
    // Who this event notifies is decided now, once (unread counts).
    // Built on every extremity, a message leaves the current state as its
    // auth state found it (a redaction may not: it can redact the power levels).
    const bool keeps_state = !pdu->is_state() && pdu->type() != "m.room.redaction";
    const auth::AuthState* state_now = consumes_all && keeps_state ? &auth_state : nullptr;
    // The room's push facts follow from its current state: kept for the next
    // message while this event leaves that state as it found it.
    std::shared_ptr<const push::RoomPushFacts> facts = state_now ? context->push_facts : nullptr;
    if (facts) {  // and nobody's push rules changed since
        auto rules_now = txn.current_position(store::Stream::push_rules);
        if (!rules_now) return rules_now.error();
        if (*rules_now != facts->rules_position) facts.reset();
    }
    if (!facts) {
        auto read =
            push::read_room_push_facts(txn, draft.room_id, version, state_now, server_name_);
        if (!read) return read.error();
        facts = std::move(*read);
    }
    if (auto pushed = push::record_push_actions(txn, *pdu, persisted->stream_ordering,
                                                clock_.now_ms(), server_name_, *facts);
        !pushed)
        return pushed.error();
    context->push_facts = state_now ? std::move(facts) : nullptr;
    // Queued for every remote server in the room in this same transaction,
    // so that nothing acknowledged is lost before federation sends it.
    if (!context->remote_servers || pdu->type() == "m.room.member") {
        auto servers = remote_destinations(txn, *pdu, server_name_);
        if (!servers) return servers.error();
        context->remote_servers = std::move(*servers);
    }
    if (!context->remote_servers->empty())
        if (auto queued = txn.outbox().enqueue(*context->remote_servers, pdu->event_id()); !queued)
            return queued.error();
    if (pdu->type() == "m.room.member") context->remote_servers.reset();

    // Our event is now the room's only extremity: keep what the next one needs.
    if (consumes_all) {
        context->last = pdu->event_id();
        context->prev_refs = json::array({event_ref(version, pdu->event_id(), pdu->json())});
        context->prev_ids = {pdu->event_id()};
        context->prev_depth = pdu->depth();
        context->state_group = after;
        if (pdu->is_state()) context->state.insert_or_assign(delta.front().key, pdu);
        contexts_->put(draft.room_id, std::move(*context));
    }
    return SentEvent{pdu, persisted->stream_ordering};
}

Result<SentEvent> RoomService::append_create(store::WriteTxn& txn,
                                             const CreateRoomOptions& options,
                                             const RoomVersion& version) {
    json content = options.creation_content.is_object() ? options.creation_content : json::object();
    content["room_version"] = std::string(version.id);
    if (version.creator_in_create) content["creator"] = std::string(options.creator.str());
    if (version.creators_have_infinite_power && options.preset == Preset::trusted_private_chat &&
        !options.invite.empty()) {
        // v12 (§8.4): trusted invitees become creators instead of getting PL 100.
        json extra = json::array();
        for (const auto& u : options.invite) extra.push_back(std::string(u.str()));
        content["additional_creators"] = extra;
    }

    // In v12 the room id is the create event's hash: the same creator making
    // two rooms with the same content in one millisecond would get one id.
    // The later one moves its timestamp on a millisecond (a few times at
    // most) instead of failing.
    const std::int64_t now = clock_.now_ms();
    constexpr int kCreateAttempts = 16;
    PduPtr pdu;
    for (int attempt = 0; !pdu; ++attempt) {
        if (attempt == kCreateAttempts)
            return make_error(Errc::invalid_param, "Room already exists.");
        json ev = {
            {"type", "m.room.create"},
            {"state_key", ""},
            {"sender", std::string(options.creator.str())},
            {"content", content},
            {"origin_server_ts", now + attempt},
            {"depth", 1},
            {"prev_events", json::array()},
            {"auth_events", json::array()},
        };
        if (version.room_id_format == RoomIdFormat::local_domain)
            ev["room_id"] = "!" + crypto::random_alphanumeric(kRoomIdRandomChars) + ":" +
                            std::string(server_name_.str());
        auto candidate = seal(std::move(ev), version);
        if (!candidate) return candidate.error();
        if (auto allowed = auth::check(*candidate->pdu, auth::AuthState{}); !allowed)
            return allowed.error();
        auto created = txn.rooms().create({.room_id = candidate->pdu->room_id(),
                                           .room_version = std::string(version.id),
                                           .creator = options.creator,
                                           .created_ts = now});
        if (!created) return created.error();
        if (*created) pdu = std::move(candidate->pdu);
    }
    const RoomId& room_id = pdu->room_id();

    auto before = txn.state().create_group_from_state(room_id, StateMap{}, std::nullopt);
    if (!before) return before.error();
    std::vector<store::StateDeltaEntry> delta{{StateKey{"m.room.create", ""}, pdu->event_id()}};
    auto after = txn.state().create_group(room_id, *before, delta, pdu->event_id());
    if (!after) return after.error();
    auto persisted = txn.events().persist({.pdu = pdu,
                                           .received_ts = clock_.now_ms(),
                                           .state_group_before = *before,
                                           .state_group_after = *after});
    if (!persisted) return persisted.error();
    if (auto e = txn.extremities().add_event(room_id, pdu->event_id(), {}); !e) return e.error();
    if (auto e = txn.current_state().apply_delta(room_id, delta, persisted->stream_ordering); !e)
        return e.error();
    return SentEvent{pdu, persisted->stream_ordering};
}

Result<CreatedRoom> RoomService::create_room(const CreateRoomOptions& options) {
    const RoomVersion& version = options.version ? *options.version : RoomVersion::default_version();
    if (options.creator.server() != server_name_.str())
        return make_error(Errc::forbidden, "Rooms can only be created by local users.");

    // The order of §8.4: create, creator join, power levels, preset state,
    // initial_state, name, topic, invites. One transaction: a room is created
    // whole or not at all.
    auto result = store_.write("create_room", [&](store::WriteTxn& txn) -> Result<CreatedRoom> {
        auto create = append_create(txn, options, version);
        if (!create) return create.error();
        CreatedRoom room{.room_id = create->event->room_id(), .events = {}};
        room.events.push_back(std::move(*create));

        auto add = [&](std::string type, std::optional<std::string> key, json content,
                       std::optional<UserId> sender = {}) -> Result<void> {
            auto sent = append(txn, Draft{.room_id = room.room_id,
                                          .sender = sender.value_or(options.creator),
                                          .type = std::move(type),
                                          .state_key = std::move(key),
                                          .content = std::move(content)});
            if (!sent) return sent.error();
            room.events.push_back(std::move(*sent));
            return ok();
        };
        const std::string creator(options.creator.str());
        if (auto r = add("m.room.member", creator, {{"membership", "join"}}); !r) return r.error();
        if (auto r = add("m.room.power_levels", "", default_power_levels(options, version)); !r)
            return r.error();
        const bool is_public = options.preset == Preset::public_chat;
        if (auto r = add("m.room.join_rules", "", {{"join_rule", is_public ? "public" : "invite"}});
            !r)
            return r.error();
        if (auto r = add("m.room.history_visibility", "", {{"history_visibility", "shared"}}); !r)
            return r.error();
        if (auto r = add("m.room.guest_access", "",
                         {{"guest_access", is_public ? "forbidden" : "can_join"}});
            !r)
            return r.error();
        for (const auto& entry : options.initial_state) {
            if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string() ||
                !entry.contains("content") || !entry["content"].is_object())
                return make_error(Errc::bad_json, "initial_state entries need type and content.");
            std::string key;
            if (auto it = entry.find("state_key"); it != entry.end()) {
                if (!it->is_string()) return make_error(Errc::bad_json, "state_key must be a string.");
                key = it->get<std::string>();
            }
            if (auto r = add(entry["type"].get<std::string>(), key, entry["content"]); !r)
                return r.error();
        }
        if (options.name)
            if (auto r = add("m.room.name", "", {{"name", *options.name}}); !r) return r.error();
        if (options.topic)
            if (auto r = add("m.room.topic", "", {{"topic", *options.topic}}); !r) return r.error();
        for (const auto& invitee : options.invite) {
            json content = {{"membership", "invite"}};
            if (options.is_direct) content["is_direct"] = true;
            if (auto r = add("m.room.member", std::string(invitee.str()), content); !r)
                return r.error();
        }
        return room;
    });
    if (result && !result->events.empty())
        notifier_.advanced(store::Stream::events, result->events.back().stream_position);
    return result;
}

Result<SentEvent> RoomService::write_event(store::WriteTxn& txn, const Draft& draft,
                                           const std::optional<TxnKey>& txn_key, bool& fresh) {
    fresh = true;
    if (txn_key) {
        auto seen = txn.txn_ids().get(draft.sender, txn_key->device_id, txn_key->txn_id);
        if (!seen) return seen.error();
        if (*seen) {
            auto row = txn.events().get(**seen);
            if (!row) return row.error();
            if (*row) {
                auto pdu = (*row)->to_pdu();
                if (!pdu) return pdu.error();
                fresh = false;
                return SentEvent{*pdu, (*row)->stream_ordering};
            }
        }
    }
    auto appended = append(txn, draft);
    if (!appended) return appended.error();
    if (txn_key) {
        auto put = txn.txn_ids().put(draft.sender, txn_key->device_id, txn_key->txn_id,
                                     appended->event->event_id(), clock_.now_ms());
        if (!put) return put.error();
    }
    if (auto redacted = appended->event->redacts()) {
        if (auto applied = apply_redaction(txn, *appended->event); !applied)
            return applied.error();
    }
    return appended;
}

Result<SentEvent> RoomService::write_one(std::string_view name, const Draft& draft,
                                         const std::optional<TxnKey>& txn_key) {
    bool fresh = true;
    auto sent = store_.write(
        name, [&](store::WriteTxn& txn) { return write_event(txn, draft, txn_key, fresh); });
    if (sent && fresh) notifier_.advanced(store::Stream::events, sent->stream_position);
    return sent;
}

Result<SentEvent> RoomService::send_message(const UserId& sender, const RoomId& room_id,
                                            std::string type, json content,
                                            const std::optional<TxnKey>& txn) {
    if (!content.is_object()) return make_error(Errc::bad_json, "Content must be an object.");
    return write_one("send_message",
                     Draft{.room_id = room_id, .sender = sender, .type = std::move(type),
                           .state_key = std::nullopt, .content = std::move(content)},
                     txn);
}

void RoomService::send_message_async(const UserId& sender, const RoomId& room_id,
                                     std::string type, json content, std::optional<TxnKey> txn,
                                     std::function<void(Result<SentEvent>)> done,
                                     store::AsyncLead lead) {
    if (!content.is_object()) {
        done(make_error(Errc::bad_json, "Content must be an object."));
        return;
    }
    // What the write and its completion share; the store keeps both alive.
    struct Send {
        Draft draft;
        std::optional<TxnKey> txn;
        bool fresh = true;
    };
    auto send = std::make_shared<Send>(Send{
        .draft = Draft{.room_id = room_id, .sender = sender, .type = std::move(type),
                       .state_key = std::nullopt, .content = std::move(content)},
        .txn = std::move(txn)});
    store_.write_async(
        "send_message",
        [this, send](store::WriteTxn& t) { return write_event(t, send->draft, send->txn, send->fresh); },
        [this, send, done = std::move(done)](Result<SentEvent> sent) {
            if (sent && send->fresh) notifier_.advanced(store::Stream::events, sent->stream_position);
            done(std::move(sent));
        },
        lead);
}

Result<SentEvent> RoomService::send_state(const UserId& sender, const RoomId& room_id,
                                          std::string type, std::string state_key, json content) {
    if (!content.is_object()) return make_error(Errc::bad_json, "Content must be an object.");
    return write_one("send_state", Draft{.room_id = room_id, .sender = sender,
                                         .type = std::move(type), .state_key = std::move(state_key),
                                         .content = std::move(content)});
}

Result<SentEvent> RoomService::membership(const UserId& sender, const RoomId& room_id,
                                          const UserId& target, std::string_view membership,
                                          std::optional<std::string> reason) {
    json content = {{"membership", std::string(membership)}};
    if (reason) content["reason"] = std::move(*reason);
    return write_one("membership", Draft{.room_id = room_id, .sender = sender,
                                         .type = "m.room.member",
                                         .state_key = std::string(target.str()),
                                         .content = std::move(content)});
}

Result<SentEvent> RoomService::invite(const UserId& sender, const RoomId& room_id,
                                      const UserId& target, std::optional<std::string> reason) {
    return membership(sender, room_id, target, "invite", std::move(reason));
}
Result<SentEvent> RoomService::join(const UserId& user, const RoomId& room_id) {
    return membership(user, room_id, user, "join", std::nullopt);
}
Result<SentEvent> RoomService::leave(const UserId& user, const RoomId& room_id,
                                     std::optional<std::string> reason) {
    return membership(user, room_id, user, "leave", std::move(reason));
}
Result<SentEvent> RoomService::kick(const UserId& sender, const RoomId& room_id,
                                    const UserId& target, std::optional<std::string> reason) {
    return membership(sender, room_id, target, "leave", std::move(reason));
}
Result<SentEvent> RoomService::ban(const UserId& sender, const RoomId& room_id,
                                   const UserId& target, std::optional<std::string> reason) {
    return membership(sender, room_id, target, "ban", std::move(reason));
}
Result<SentEvent> RoomService::unban(const UserId& sender, const RoomId& room_id,
                                     const UserId& target) {
    return membership(sender, room_id, target, "leave", std::nullopt);
}
Result<SentEvent> RoomService::knock(const UserId& user, const RoomId& room_id,
                                     std::optional<std::string> reason) {
    return membership(user, room_id, user, "knock", std::move(reason));
}

Result<SentEvent> RoomService::redact(const UserId& sender, const RoomId& room_id,
                                      const EventId& target, std::optional<std::string> reason,
                                      const std::optional<TxnKey>& txn) {
    auto version = store_.read("room_version", [&](store::ReadTxn& rt) -> Result<std::string> {
        auto room = rt.rooms().get(room_id);
        if (!room) return room.error();
        if (!*room) return make_error(Errc::not_found, "Unknown room.");
        return (*room)->room_version;
    });
    if (!version) return version.error();
    const RoomVersion* v = RoomVersion::find(*version);
    if (!v) return internal("stored room has unknown version " + *version);
    Draft draft{.room_id = room_id, .sender = sender, .type = "m.room.redaction"};
    if (reason) draft.content["reason"] = std::move(*reason);
    // v11+ name the target in content; v1-v10 at the top level (§5).
    if (v->redacts_in_content)
        draft.content["redacts"] = std::string(target.str());
    else
        draft.extra["redacts"] = std::string(target.str());
    return write_one("redact", draft, txn);
}

Result<void> RoomService::apply_redaction(store::WriteTxn& txn, const Pdu& redaction) {
    auto applied = rooms::apply_redaction(txn, redaction, clock_.now_ms());
    if (!applied) return applied.error();
    // The target may be in the room's state, as kept unredacted by append().
    if (*applied) contexts_->forget(redaction.room_id());
    return ok();
}

Result<std::optional<store::Position>> RoomService::set_receipt(
    const UserId& user, const RoomId& room_id, std::string type, const EventId& event_id,
    std::optional<std::string> thread_id) {
    if (type != "m.read" && type != "m.read.private")
        return make_error(Errc::invalid_param, "Unknown receipt type.");
    auto moved = store_.write(
        "set_receipt", [&](store::WriteTxn& txn) -> Result<std::optional<store::Position>> {
            auto member = txn.members().get(user, room_id);
            if (!member) return member.error();
            if (!*member || (*member)->membership != "join")
                return make_error(Errc::forbidden, "You are not joined to this room.");
            auto target = txn.events().get(event_id);
            if (!target) return target.error();
            if (!*target || (*target)->room_id != room_id)
                return make_error(Errc::not_found, "Unknown event in this room.");
            auto current = txn.receipts().get(room_id, user, type, thread_id);
            if (!current) return current.error();
            // Old receipts are resent freely by clients: ignore, don't fail.
            if (*current && (*current)->event_ordering &&
                *(*current)->event_ordering >= (*target)->stream_ordering)
                return std::optional<store::Position>{};
            auto pos = txn.next_position(store::Stream::receipts);
            if (!pos) return pos.error();
            const auto now = clock_.now_ms();
            auto put = txn.receipts().put({.room_id = room_id,
                                           .user_id = user,
                                           .type = type,
                                           .thread_id = thread_id,
                                           .event_id = event_id,
                                           .event_ordering = (*target)->stream_ordering,
                                           .ts = now,
                                           .data = {{"ts", now}},
                                           .stream_position = *pos});
            if (!put) return put.error();
            return std::optional<store::Position>{*pos};
        });
    if (moved && *moved) notifier_.advanced(store::Stream::receipts, **moved);
    return moved;
}

Result<store::Position> RoomService::set_account_data(const UserId& user,
                                                      const std::optional<RoomId>& room_id,
                                                      std::string type, json content) {
    if (!content.is_object()) return make_error(Errc::bad_json, "Content must be an object.");
    auto pos = store_.write("set_account_data", [&](store::WriteTxn& txn) -> Result<store::Position> {
        auto next = txn.next_position(store::Stream::account_data);
        if (!next) return next.error();
        auto put = txn.account_data().put({.user_id = user,
                                           .room_id = room_id,
                                           .type = std::move(type),
                                           .content = std::move(content),
                                           .stream_position = *next});
        if (!put) return put.error();
        return *next;
    });
    if (pos) notifier_.advanced(store::Stream::account_data, *pos);
    return pos;
}

}  // namespace chat::rooms
