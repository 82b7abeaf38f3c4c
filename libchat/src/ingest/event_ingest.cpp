#include <chat/ingest/event_ingest.hpp>

#include <algorithm>
#include <map>
#include <utility>

#include <chat/auth/auth_rules.hpp>
#include <chat/push/notifications.hpp>
#include <chat/rooms/redactions.hpp>
#include <chat/rooms/room_servers.hpp>
#include <chat/state/state_res.hpp>

namespace chat::ingest {

namespace {

using nlohmann::json;

// An event read back from the store for the checks below.
struct Known {
    PduPtr pdu;
    bool rejected = false;
    bool outlier = false;
    std::optional<store::StateGroupId> state_group_after;
};

Result<std::map<EventId, Known>> load(store::ReadTxn& txn, std::span<const EventId> ids) {
    std::map<EventId, Known> out;
    if (ids.empty()) return out;
    auto rows = txn.events().get_pdus(ids);
    if (!rows) return rows.error();
    for (auto& row : *rows) {
        EventId id = row.pdu->event_id();
        out.emplace(std::move(id), Known{.pdu = std::move(row.pdu),
                                         .rejected = row.rejected_reason.has_value(),
                                         .outlier = row.outlier,
                                         .state_group_after = row.state_group_after});
    }
    return out;
}

// In room version 12 the room id is the create event's hash, and auth_events
// never list the create event; the rules still need it.
std::optional<EventId> implied_create_event(const Pdu& pdu) {
    if (!pdu.version().room_id_is_create_event_hash) return std::nullopt;
    if (pdu.type() == "m.room.create") return std::nullopt;
    const std::string_view room = pdu.room_id().str();
    auto id = EventId::parse("$" + std::string(room.substr(1)));
    if (!id) return std::nullopt;
    return std::move(*id);
}

// Reads events state resolution asks for from the open transaction.
class TxnEvents final : public state::EventSource {
public:
    explicit TxnEvents(store::ReadTxn& txn) : txn_(txn) {}
    PduPtr get(const EventId& id) const override {
        const Known* k = find(id);
        return k ? k->pdu : nullptr;
    }
    bool is_rejected(const EventId& id) const override {
        const Known* k = find(id);
        return k && k->rejected;
    }

private:
    const Known* find(const EventId& id) const {
        if (auto it = cache_.find(id); it != cache_.end()) return &it->second;
        const EventId ids[] = {id};
        auto loaded = load(txn_, ids);
        if (!loaded || loaded->empty()) return nullptr;
        auto [it, _] = cache_.emplace(id, std::move(loaded->begin()->second));
        return &it->second;
    }
    store::ReadTxn& txn_;
    mutable std::map<EventId, Known> cache_;
};

// The auth state for `pdu` read from a stored state group (the state before
// it) or from the room's current state: the events at the keys the rules
// consult (plus the create event in v12).
template <typename EntryAt>
Result<auth::AuthState> auth_state_from(store::ReadTxn& txn, const Pdu& pdu, EntryAt entry_at,
                                        const std::map<EventId, Known>* loaded = nullptr) {
    const RoomVersion& version = pdu.version();
    auto keys = auth::auth_event_keys(version, pdu.type(), pdu.sender(), pdu.state_key(),
                                      pdu.content());
    if (version.room_id_is_create_event_hash) keys.push_back(chat::state_key("m.room.create", ""));
    std::vector<EventId> ids;
    auth::AuthState state;
    for (const auto& key : keys) {
        auto id = entry_at(key);
        if (!id) return id.error();
        if (!*id) continue;
        // Usually the event's own auth events, read already.
        if (loaded)
            if (auto it = loaded->find(**id); it != loaded->end()) {
                if (!it->second.rejected) state.put(it->second.pdu);
                continue;
            }
        ids.push_back(std::move(**id));
    }
    auto events = load(txn, ids);
    if (!events) return events.error();
    for (auto& [id, known] : *events)
        if (!known.rejected) state.put(known.pdu);
    return state;
}

Result<auth::AuthState> auth_state_at_group(store::ReadTxn& txn, const Pdu& pdu,
                                            store::StateGroupId group) {
    return auth_state_from(txn, pdu, [&](const StateKey& key) {
        return txn.state().state_entry_at(group, key.type, key.state_key);
    });
}

Result<auth::AuthState> auth_state_current(store::ReadTxn& txn, const Pdu& pdu,
                                           const std::map<EventId, Known>* loaded = nullptr) {
    return auth_state_from(
        txn, pdu,
        [&](const StateKey& key) {
            return txn.current_state().entry(pdu.room_id(), key.type, key.state_key);
        },
        loaded);
}

// §5 step 4: the event against its own auth events, which must be known.
// Returns the reason it fails, or none when it passes.
Result<std::optional<std::string>> check_own_auth_events(const Pdu& pdu,
                                                        const std::map<EventId, Known>& known) {
    std::vector<PduPtr> auth_events;
    auth::AuthState state;
    for (const auto& id : pdu.auth_events()) {
        auto it = known.find(id);
        if (it == known.end()) return make_error(Errc::internal, "auth event not loaded");
        auth_events.push_back(it->second.pdu);
        state.put(it->second.pdu);
    }
    if (auto create = implied_create_event(pdu)) {
        auto it = known.find(*create);
        if (it != known.end() && !it->second.rejected) state.put(it->second.pdu);
    }
    auto is_rejected = [&](const EventId& id) {
        auto it = known.find(id);
        return it != known.end() && it->second.rejected;
    };
    if (auto listed = auth::check_auth_events(pdu, auth_events, is_rejected); !listed)
        return std::optional<std::string>(listed.error().message);
    if (auto allowed = auth::check(pdu, state); !allowed)
        return std::optional<std::string>(allowed.error().message);
    return std::optional<std::string>();
}

std::vector<EventId> auth_and_create_ids(const Pdu& pdu) {
    std::vector<EventId> ids = pdu.auth_events();
    if (auto create = implied_create_event(pdu)) ids.push_back(*create);
    return ids;
}

// Stores the outliers of `events` whose auth events are known (stored, or
// stored earlier in this call), each checked against its own auth events.
Result<std::size_t> store_outliers(store::WriteTxn& txn, std::span<const PduPtr> events,
                                   std::int64_t now) {
    std::vector<PduPtr> pending;
    for (const auto& e : events) pending.push_back(e);
    // Auth events have smaller depths in practice: try those first, and go
    // round again while an earlier pass made progress.
    std::sort(pending.begin(), pending.end(),
              [](const PduPtr& a, const PduPtr& b) { return a->depth() < b->depth(); });
    std::size_t stored = 0;
    bool progress = true;
    while (progress && !pending.empty()) {
        progress = false;
        std::vector<PduPtr> later;
        for (const auto& pdu : pending) {
            const EventId self[] = {pdu->event_id()};
            auto present = txn.events().filter_known(self);
            if (!present) return present.error();
            if (!present->empty()) {
                progress = true;
                continue;
            }
            auto needed = auth_and_create_ids(*pdu);
            auto known = load(txn, needed);
            if (!known) return known.error();
            bool complete = true;
            for (const auto& id : pdu->auth_events()) complete = complete && known->contains(id);
            if (!complete) {
                later.push_back(pdu);
                continue;
            }
            auto failure = check_own_auth_events(*pdu, *known);
            if (!failure) return failure.error();
            auto persisted = txn.events().persist(
                {.pdu = pdu, .received_ts = now, .outlier = true, .rejected_reason = *failure});
            if (!persisted) return persisted.error();
            ++stored;
            progress = true;
        }
        pending = std::move(later);
    }
    return stored;
}

// The state map of `events` (the room's state at some point), rejected
// ones left out.
Result<StateMap> state_map_of(store::ReadTxn& txn, std::span<const PduPtr> events) {
    std::vector<EventId> ids;
    for (const auto& e : events) ids.push_back(e->event_id());
    auto known = load(txn, ids);
    if (!known) return known.error();
    StateMap map;
    for (const auto& e : events) {
        if (!e->is_state()) continue;
        auto it = known->find(e->event_id());
        if (it == known->end() || it->second.rejected) continue;
        map.insert_or_assign(chat::state_key(e->type(), *e->state_key()), e->event_id());
    }
    return map;
}

bool same_set(std::vector<EventId> a, std::vector<EventId> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
}

// After `pdu` joined the timeline: the room's current state follows the
// states after its new forward extremities. The common linear case (the
// event's prev_events were all the extremities) applies just the event's
// own delta; a fork resolves.
Result<void> update_current_state(store::WriteTxn& txn, const Pdu& pdu,
                                  const std::vector<EventId>& old_extremities,
                                  store::StateGroupId after, store::Position position) {
    const RoomId& room = pdu.room_id();
    auto now_extremities = txn.extremities().get(room);
    if (!now_extremities) return now_extremities.error();
    const bool only_this =
        now_extremities->size() == 1 && now_extremities->front() == pdu.event_id();
    if (only_this && same_set(old_extremities, pdu.prev_events())) {
        if (!pdu.is_state()) return ok();
        const store::StateDeltaEntry delta[] = {
            {chat::state_key(pdu.type(), *pdu.state_key()), pdu.event_id()}};
        return txn.current_state().apply_delta(room, delta, position);
    }
    StateMap resolved;
    if (only_this) {
        auto s = txn.state().state_at(after);
        if (!s) return s.error();
        resolved = std::move(*s);
    } else {
        auto known = load(txn, *now_extremities);
        if (!known) return known.error();
        std::vector<StateMap> states;
        for (const auto& [id, k] : *known) {
            if (!k.state_group_after) continue;
            auto s = txn.state().state_at(*k.state_group_after);
            if (!s) return s.error();
            states.push_back(std::move(*s));
        }
        TxnEvents source(txn);
        auto r = state::resolve(pdu.version(), states, source);
        if (!r) return r.error();
        resolved = std::move(*r);
    }
    auto replaced = txn.current_state().replace(room, resolved, position);
    if (!replaced) return replaced.error();
    return ok();
}

}  // namespace

EventIngest::EventIngest(store::Store& store, ServerName server_name, sync::Notifier& notifier,
                         const Clock& clock)
    : store_(store), server_name_(std::move(server_name)), notifier_(notifier), clock_(clock) {}

Result<IngestResult> EventIngest::accept(const PduPtr& pdu,
                                         const std::optional<ServerName>& relay_except) {
    const std::int64_t now = clock_.now_ms();
    auto result = store_.write("ingest_event", [&](store::WriteTxn& txn) {
        return accept_in(txn, pdu, relay_except, now);
    });
    if (result) result->event_id = std::string(pdu->event_id().str());
    if (result && result->stream_ordering && result->status == IngestStatus::persisted)
        notifier_.advanced(store::Stream::events, *result->stream_ordering);
    return result;
}

std::vector<Result<IngestResult>> EventIngest::accept_many(std::span<const PduPtr> pdus) {
    const std::int64_t now = clock_.now_ms();
    std::vector<Result<IngestResult>> results(
        pdus.size(), Result<IngestResult>(make_error(Errc::internal, "not run")));
    // Serialised here, on the caller's thread, not in the single writer.
    std::vector<std::string> texts;
    texts.reserve(pdus.size());
    for (const auto& pdu : pdus) texts.push_back(pdu->json().dump());
    std::vector<store::WriteJob> jobs;
    jobs.reserve(pdus.size());
    for (std::size_t i = 0; i < pdus.size(); ++i) {
        jobs.push_back({"ingest_event", [&, i](store::WriteTxn& txn) -> Result<void> {
                            auto r = accept_in(txn, pdus[i], std::nullopt, now, texts[i]);
                            if (!r) return r.error();
                            results[i] = std::move(*r);
                            return ok();
                        }});
    }
    auto done = store_.write_batch(jobs);
    store::Position newest = 0;
    for (std::size_t i = 0; i < pdus.size(); ++i) {
        // A job that ran but whose commit failed has the commit's error here.
        if (!done[i]) {
            results[i] = done[i].error();
            continue;
        }
        results[i]->event_id = std::string(pdus[i]->event_id().str());
        if (results[i]->stream_ordering && results[i]->status == IngestStatus::persisted)
            newest = std::max(newest, *results[i]->stream_ordering);
    }
    if (newest > 0) notifier_.advanced(store::Stream::events, newest);
    return results;
}

Result<IngestResult> EventIngest::accept_in(store::WriteTxn& txn, const PduPtr& pdu,
                                            const std::optional<ServerName>& relay_except,
                                            std::int64_t now, std::string_view json_text) {
    const EventId self[] = {pdu->event_id()};
    auto existing = load(txn, self);
    if (!existing) return existing.error();
    if (!existing->empty() && !existing->begin()->second.outlier)
        return IngestResult{.status = IngestStatus::already_known};

    auto room = txn.rooms().get(pdu->room_id());
    if (!room) return room.error();
    if (!*room) return make_error(Errc::not_found, "Unknown room.");
    if ((*room)->room_version != pdu->version().id)
        return make_error(Errc::bad_json, "The event's room version is not the room's.");

    // Everything the checks read: auth events (and v12's create), prev events.
    std::vector<EventId> wanted = auth_and_create_ids(*pdu);
    wanted.insert(wanted.end(), pdu->prev_events().begin(), pdu->prev_events().end());
    auto known = load(txn, wanted);
    if (!known) return known.error();
    IngestResult missing{.status = IngestStatus::missing_events};
    for (const auto& id : pdu->auth_events())
        if (!known->contains(id)) missing.missing.push_back(id);
    for (const auto& id : pdu->prev_events()) {
        auto it = known->find(id);
        // An outlier has no place in the DAG yet: its state is unknown.
        if (it == known->end() || !it->second.state_group_after) missing.missing.push_back(id);
    }
    if (!missing.missing.empty()) return missing;

    auto reject = [&](std::string reason, std::optional<store::StateGroupId> before)
        -> Result<IngestResult> {
        auto persisted = txn.events().persist({.pdu = pdu,
                                               .received_ts = now,
                                               .outlier = !before.has_value(),
                                               .rejected_reason = reason,
                                               .state_group_before = before,
                                               .state_group_after = before});
        if (!persisted) return persisted.error();
        return IngestResult{.status = IngestStatus::rejected, .reason = std::move(reason)};
    };

    // §5 step 4: against its own auth events.
    auto own = check_own_auth_events(*pdu, *known);
    if (!own) return own.error();
    if (*own) return reject(std::move(**own), std::nullopt);

    // §5 step 5: against the state before it, resolved over its prev_events.
    store::StateGroupId before = 0;
    if (pdu->prev_events().size() == 1) {
        before = *known->at(pdu->prev_events().front()).state_group_after;
    } else {
        std::vector<StateMap> states;
        for (const auto& id : pdu->prev_events()) {
            auto s = txn.state().state_at(*known->at(id).state_group_after);
            if (!s) return s.error();
            states.push_back(std::move(*s));
        }
        TxnEvents source(txn);
        auto resolved = state::resolve(pdu->version(), states, source);
        if (!resolved) return resolved.error();
        auto group = txn.state().create_group_from_state(
            pdu->room_id(), *resolved,
            known->at(pdu->prev_events().front()).state_group_after);
        if (!group) return group.error();
        before = *group;
    }
    auto old_extremities = txn.extremities().get(pdu->room_id());
    if (!old_extremities) return old_extremities.error();
    // The usual case: the event extends the room's only forward extremity.
    // The state before it is then the room's current state, read from there
    // (state_entry_at walks the group's delta chain), and step 6 would check
    // it against the very same events: step 5's verdict is step 6's.
    const bool extends_current = pdu->prev_events().size() == 1 &&
                                 old_extremities->size() == 1 &&
                                 old_extremities->front() == pdu->prev_events().front();
    auto before_state = extends_current ? auth_state_current(txn, *pdu, &*known)
                                        : auth_state_at_group(txn, *pdu, before);
    if (!before_state) return before_state.error();
    if (auto allowed = auth::check(*pdu, *before_state); !allowed)
        return reject(allowed.error().message, before);

    store::StateGroupId after = before;
    if (pdu->is_state()) {
        const store::StateDeltaEntry delta[] = {
            {chat::state_key(pdu->type(), *pdu->state_key()), pdu->event_id()}};
        auto group = txn.state().create_group(pdu->room_id(), before, delta, pdu->event_id());
        if (!group) return group.error();
        after = *group;
    }

    // §5 step 6: against the current state; failing it only soft-fails.
    Result<void> now_allowed = ok();
    if (!extends_current) {
        auto current = auth_state_current(txn, *pdu);
        if (!current) return current.error();
        now_allowed = auth::check(*pdu, *current);
    }
    auto persisted = txn.events().persist({.pdu = pdu,
                                           .json_text = std::string(json_text),
                                           .received_ts = now,
                                           .soft_failed = !now_allowed,
                                           .state_group_before = before,
                                           .state_group_after = after});
    if (!persisted) return persisted.error();
    if (!now_allowed)
        return IngestResult{.status = IngestStatus::soft_failed,
                            .stream_ordering = persisted->stream_ordering,
                            .reason = now_allowed.error().message};

    if (auto e = txn.extremities().add_event(pdu->room_id(), pdu->event_id(),
                                             pdu->prev_events());
        !e)
        return e.error();
    if (auto s = update_current_state(txn, *pdu, *old_extremities, after,
                                      persisted->stream_ordering);
        !s)
        return s.error();
    if (pdu->type() == "m.room.redaction")
        if (auto r = rooms::apply_redaction(txn, *pdu, now); !r) return r.error();
    // A message on the current state leaves it as it was (a redaction may
    // not: it can redact the power levels): its auth state has the create and
    // power levels events the push rules consult.
    const bool keeps_state = !pdu->is_state() && pdu->type() != "m.room.redaction";
    const auth::AuthState* state_now = extends_current && keeps_state ? &*before_state : nullptr;
    if (auto pushed = push::record_push_actions(txn, *pdu, pdu->version(),
                                                persisted->stream_ordering, now, server_name_,
                                                state_now);
        !pushed)
        return pushed.error();
    if (pdu->sender().server() == server_name_.str() || relay_except) {
        auto servers = rooms::remote_destinations(txn, *pdu, server_name_);
        if (!servers) return servers.error();
        if (relay_except) std::erase(*servers, *relay_except);
        if (auto queued = txn.outbox().enqueue(*servers, pdu->event_id()); !queued)
            return queued.error();
    }
    return IngestResult{.status = IngestStatus::persisted,
                        .stream_ordering = persisted->stream_ordering};
}

Result<std::size_t> EventIngest::accept_outliers(std::span<const PduPtr> events) {
    const std::int64_t now = clock_.now_ms();
    return store_.write("ingest_outliers", [&](store::WriteTxn& txn) {
        return store_outliers(txn, events, now);
    });
}

Result<IngestResult> EventIngest::accept_join(const PduPtr& join, std::span<const PduPtr> state,
                                              std::span<const PduPtr> auth_chain) {
    const std::int64_t now = clock_.now_ms();
    const RoomVersion& version = join->version();
    auto result = store_.write("ingest_join", [&](store::WriteTxn& txn) -> Result<IngestResult> {
        std::vector<PduPtr> all(auth_chain.begin(), auth_chain.end());
        all.insert(all.end(), state.begin(), state.end());
        for (const auto& e : all)
            if (e->room_id() != join->room_id())
                return make_error(Errc::bad_json, "The room state has an event of another room.");
        if (auto stored = store_outliers(txn, all, now); !stored) return stored.error();
        auto map = state_map_of(txn, state);
        if (!map) return map.error();
        auto create_key = chat::state_key("m.room.create", "");
        if (!map->contains(create_key))
            return make_error(Errc::bad_json, "The room state has no create event.");

        auto room = txn.rooms().get(join->room_id());
        if (!room) return room.error();
        if (!*room) {
            const EventId create_id[] = {map->at(create_key)};
            auto create = load(txn, create_id);
            if (!create) return create.error();
            std::optional<UserId> creator;
            if (!create->empty()) creator = create->begin()->second.pdu->sender();
            auto made = txn.rooms().create({.room_id = join->room_id(),
                                            .room_version = std::string(version.id),
                                            .creator = creator,
                                            .created_ts = now});
            if (!made) return made.error();
        }

        auto before = txn.state().create_group_from_state(join->room_id(), *map, std::nullopt);
        if (!before) return before.error();
        auto allowed_state = auth_state_at_group(txn, *join, *before);
        if (!allowed_state) return allowed_state.error();
        if (auto allowed = auth::check(*join, *allowed_state); !allowed) return allowed.error();
        const store::StateDeltaEntry delta[] = {
            {chat::state_key("m.room.member", join->sender().str()), join->event_id()}};
        auto after = txn.state().create_group(join->room_id(), *before, delta, join->event_id());
        if (!after) return after.error();
        auto persisted = txn.events().persist({.pdu = join,
                                               .received_ts = now,
                                               .state_group_before = *before,
                                               .state_group_after = *after});
        if (!persisted) return persisted.error();
        const EventId extremity[] = {join->event_id()};
        if (auto e = txn.extremities().replace(join->room_id(), extremity); !e) return e.error();
        auto full = txn.state().state_at(*after);
        if (!full) return full.error();
        if (auto r = txn.current_state().replace(join->room_id(), *full,
                                                 persisted->stream_ordering);
            !r)
            return r.error();
        return IngestResult{.status = IngestStatus::persisted,
                            .stream_ordering = persisted->stream_ordering};
    });
    if (result && result->stream_ordering)
        notifier_.advanced(store::Stream::events, *result->stream_ordering);
    return result;
}

Result<store::Position> EventIngest::store_remote_invite(const PduPtr& invite) {
    if (invite->type() != "m.room.member" || invite->membership() != "invite" ||
        !invite->state_key())
        return make_error(Errc::invalid_param, "Not an invite event.");
    return store_out_of_band(invite);
}

Result<store::Position> EventIngest::store_out_of_band(const PduPtr& event) {
    const std::int64_t now = clock_.now_ms();
    auto membership = event->membership();
    if (event->type() != "m.room.member" || !membership || !event->state_key())
        return make_error(Errc::invalid_param, "Not a membership event.");
    auto user = UserId::parse(*event->state_key());
    if (!user) return user.error();
    auto position = store_.write("ingest_out_of_band", [&](store::WriteTxn& txn) -> Result<store::Position> {
        auto persisted = txn.events().persist({.pdu = event, .received_ts = now, .outlier = true});
        if (!persisted) return persisted.error();
        auto set = txn.members().set_out_of_band({.user_id = *user,
                                                  .room_id = event->room_id(),
                                                  .membership = std::string(*membership),
                                                  .event_id = event->event_id(),
                                                  .stream_ordering = persisted->stream_ordering});
        if (!set) return set.error();
        return persisted->stream_ordering;
    });
    if (position) notifier_.advanced(store::Stream::events, *position);
    return position;
}

}  // namespace chat::ingest
