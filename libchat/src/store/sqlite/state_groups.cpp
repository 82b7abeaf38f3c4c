#include "store/sqlite/areas.hpp"

#include <map>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// The groups to read for a group's state: itself, then each parent up to and
// including the nearest snapshot (chain_length 0), with lvl counting up from 0.
// At most state_max_delta_chain + 1 rows.
constexpr std::string_view kChain =
    "WITH RECURSIVE chain(id, prev, len, lvl) AS ("
    " SELECT id, prev_group, chain_length, 0 FROM state_groups WHERE id = ?1"
    " UNION ALL"
    " SELECT g.id, g.prev_group, g.chain_length, c.lvl + 1"
    "  FROM chain c JOIN state_groups g ON g.id = c.prev WHERE c.len > 0"
    ") SELECT id FROM chain ORDER BY lvl DESC";

constexpr std::string_view kEntryAlongChain =
    "WITH RECURSIVE chain(id, prev, len, lvl) AS ("
    " SELECT id, prev_group, chain_length, 0 FROM state_groups WHERE id = ?1"
    " UNION ALL"
    " SELECT g.id, g.prev_group, g.chain_length, c.lvl + 1"
    "  FROM chain c JOIN state_groups g ON g.id = c.prev WHERE c.len > 0"
    ") SELECT e.event_id FROM chain c"
    "  JOIN state_group_entries e ON e.group_id = c.id AND e.type = ?2 AND e.state_key = ?3"
    " ORDER BY c.lvl LIMIT 1";

Result<StateGroupInfo> read_group(const Query& q) {
    auto room_id = q.id<RoomId>(1);
    if (!room_id) return room_id.error();
    auto event_id = q.opt_id<EventId>(4);
    if (!event_id) return event_id.error();
    return StateGroupInfo{.id = q.int64(0),
                          .room_id = std::move(*room_id),
                          .prev_group = q.opt_int64(2),
                          .chain_length = static_cast<int>(q.int64(3)),
                          .event_id = std::move(*event_id)};
}

// Applies the entries of one group, read in key order, to `state`.
Result<void> apply_rows(Result<Query> q, StateMap& state) {
    if (!q) return q.error();
    for (;;) {
        auto row = q->step();
        if (!row) return row.error();
        if (!*row) return ok();
        StateKey key{std::string(q->text(0)), std::string(q->text(1))};
        if (q->is_null(2)) {
            state.erase(key);
            continue;
        }
        auto event_id = q->id<EventId>(2);
        if (!event_id) return event_id.error();
        state.insert_or_assign(std::move(key), std::move(*event_id));
    }
}

// The delta with one entry per key, the last given winning.
std::map<StateKey, std::optional<EventId>> collapse(std::span<const StateDeltaEntry> delta) {
    std::map<StateKey, std::optional<EventId>> changes;
    for (const auto& entry : delta) changes.insert_or_assign(entry.key, entry.event_id);
    return changes;
}

}  // namespace

Result<std::optional<StateGroupInfo>> SqliteStateGroups::group(StateGroupId id) {
    return optional_row(conn_.query("SELECT id, room_id, prev_group, chain_length, event_id"
                                    " FROM state_groups WHERE id = ?1",
                                    id),
                        read_group);
}

Result<StateGroupInfo> SqliteStateGroups::existing(StateGroupId id) {
    auto info = group(id);
    if (!info) return info.error();
    if (!*info) return not_found("Unknown state group " + std::to_string(id) + ".");
    return std::move(**info);
}

Result<StateMap> SqliteStateGroups::state_at(StateGroupId id) {
    // The chain from its snapshot down, then each group's rows on top: a few
    // indexed range reads and no sort of the whole state.
    auto chain = all_rows(conn_.query(kChain, id), int64_at0);
    if (!chain) return chain.error();
    if (chain->empty()) return not_found("Unknown state group " + std::to_string(id) + ".");
    StateMap state;
    for (StateGroupId g : *chain) {
        auto applied = apply_rows(conn_.query("SELECT type, state_key, event_id"
                                              " FROM state_group_entries WHERE group_id = ?1",
                                              g),
                                  state);
        if (!applied) return applied.error();
    }
    return state;
}

Result<StateMap> SqliteStateGroups::state_of_type_at(StateGroupId id, std::string_view type) {
    auto chain = all_rows(conn_.query(kChain, id), int64_at0);
    if (!chain) return chain.error();
    if (chain->empty()) return not_found("Unknown state group " + std::to_string(id) + ".");
    StateMap state;
    for (StateGroupId g : *chain) {
        auto applied = apply_rows(conn_.query("SELECT type, state_key, event_id"
                                              " FROM state_group_entries"
                                              " WHERE group_id = ?1 AND type = ?2",
                                              g, type),
                                  state);
        if (!applied) return applied.error();
    }
    return state;
}

Result<std::optional<EventId>> SqliteStateGroups::state_entry_at(StateGroupId id,
                                                                 std::string_view type,
                                                                 std::string_view state_key) {
    if (auto known = existing(id); !known) return known.error();
    // The newest row for the key along the chain; NULL there is a removal.
    auto row = optional_row(conn_.query(kEntryAlongChain, id, type, state_key),
                            [](const Query& q) { return q.opt_id<EventId>(0); });
    if (!row) return row.error();
    if (!*row) return std::optional<EventId>();
    return std::move(**row);
}

Result<std::optional<StateGroupId>> SqliteStateGroups::group_before(const EventId& event_id) {
    auto row = optional_row(
        conn_.query("SELECT state_group_before FROM events WHERE event_id = ?1", event_id),
        [](const Query& q) -> Result<std::optional<StateGroupId>> { return q.opt_int64(0); });
    if (!row) return row.error();
    return row->value_or(std::nullopt);
}

Result<std::optional<StateGroupId>> SqliteStateGroups::group_after(const EventId& event_id) {
    auto row = optional_row(
        conn_.query("SELECT state_group_after FROM events WHERE event_id = ?1", event_id),
        [](const Query& q) -> Result<std::optional<StateGroupId>> { return q.opt_int64(0); });
    if (!row) return row.error();
    return row->value_or(std::nullopt);
}

Result<StateGroupId> SqliteStateGroups::insert_group(const RoomId& room_id,
                                                     std::optional<StateGroupId> prev,
                                                     int chain_length,
                                                     const std::optional<EventId>& for_event) {
    auto id = optional_row(conn_.query("INSERT INTO state_groups(room_id, prev_group,"
                                       " chain_length, event_id) VALUES (?1, ?2, ?3, ?4)"
                                       " RETURNING id",
                                       room_id, prev, chain_length, for_event),
                           int64_at0);
    if (!id) return id.error();
    if (!*id) return make_error(Errc::internal, "state group id not returned");
    return **id;
}

Result<void> SqliteStateGroups::insert_entry(StateGroupId group, const StateKey& key,
                                             const std::optional<EventId>& event_id) {
    auto inserted = conn_.run("INSERT OR REPLACE INTO state_group_entries"
                              "(group_id, type, state_key, event_id) VALUES (?1, ?2, ?3, ?4)",
                              group, key.type, key.state_key, event_id);
    if (!inserted) return inserted.error();
    return ok();
}

Result<StateGroupId> SqliteStateGroups::create_group(const RoomId& room_id,
                                                     std::optional<StateGroupId> parent,
                                                     std::span<const StateDeltaEntry> delta,
                                                     const std::optional<EventId>& for_event) {
    StateMap snapshot;
    std::optional<int> chain_length;  // set: store a delta of that length
    if (parent) {
        auto info = existing(*parent);
        if (!info) return info.error();
        if (info->room_id != room_id)
            return make_error(Errc::invalid_param, "State group of another room.",
                              "group " + std::to_string(*parent) + " is in " +
                                  std::string(info->room_id.str()));
        if (delta.empty()) return *parent;
        if (info->chain_length + 1 <= max_delta_chain_) {
            chain_length = info->chain_length + 1;
        } else {
            // The chain is long enough: write the full state, so that reading
            // any group never walks more than max_delta_chain_ deltas.
            auto state = state_at(*parent);
            if (!state) return state.error();
            snapshot = std::move(*state);
        }
    }

    auto id = insert_group(room_id, parent, chain_length.value_or(0), for_event);
    if (!id) return id.error();
    if (chain_length) {
        for (const auto& [key, event_id] : collapse(delta))
            if (auto put = insert_entry(*id, key, event_id); !put) return put.error();
        return *id;
    }
    apply_delta(snapshot, delta);
    for (const auto& [key, event_id] : snapshot)
        if (auto put = insert_entry(*id, key, event_id); !put) return put.error();
    return *id;
}

Result<StateGroupId> SqliteStateGroups::create_group_from_state(
    const RoomId& room_id, const StateMap& state, std::optional<StateGroupId> parent,
    const std::optional<EventId>& for_event) {
    if (!parent) {
        std::vector<StateDeltaEntry> all;
        all.reserve(state.size());
        for (const auto& [key, event_id] : state) all.push_back({key, event_id});
        return create_group(room_id, std::nullopt, all, for_event);
    }
    auto info = existing(*parent);
    if (!info) return info.error();
    if (info->room_id != room_id)
        return make_error(Errc::invalid_param, "State group of another room.");
    auto parent_state = state_at(*parent);
    if (!parent_state) return parent_state.error();
    return create_group(room_id, parent, state_difference(*parent_state, state), for_event);
}

Result<void> SqliteStateGroups::set_event_groups(const EventId& event_id, StateGroupId before,
                                                 StateGroupId after) {
    auto changed = conn_.run(
        "UPDATE events SET state_group_before = ?2, state_group_after = ?3 WHERE event_id = ?1",
        event_id, before, after);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("Unknown event.");
    return ok();
}

}  // namespace chat::store::sqlite
