#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

Result<StateMap> read_state(Result<Query> q) {
    if (!q) return q.error();
    StateMap state;
    for (;;) {
        auto row = q->step();
        if (!row) return row.error();
        if (!*row) return state;
        auto event_id = q->id<EventId>(2);
        if (!event_id) return event_id.error();
        state.emplace(StateKey{std::string(q->text(0)), std::string(q->text(1))},
                      std::move(*event_id));
    }
}

Result<CurrentStateChange> read_change(const Query& q) {
    auto room_id = q.id<RoomId>(1);
    if (!room_id) return room_id.error();
    auto event_id = q.opt_id<EventId>(4);
    if (!event_id) return event_id.error();
    auto prev = q.opt_id<EventId>(5);
    if (!prev) return prev.error();
    return CurrentStateChange{.stream_ordering = q.int64(0),
                              .room_id = std::move(*room_id),
                              .key = {std::string(q.text(2)), std::string(q.text(3))},
                              .event_id = std::move(*event_id),
                              .prev_event_id = std::move(*prev)};
}

}  // namespace

Result<StateMap> SqliteCurrentState::get(const RoomId& room_id) {
    return read_state(conn_.query(
        "SELECT type, state_key, event_id FROM current_state WHERE room_id = ?1", room_id));
}

Result<StateMap> SqliteCurrentState::of_type(const RoomId& room_id, std::string_view type) {
    return read_state(conn_.query("SELECT type, state_key, event_id FROM current_state"
                                  " WHERE room_id = ?1 AND type = ?2",
                                  room_id, type));
}

Result<std::optional<EventId>> SqliteCurrentState::entry(const RoomId& room_id,
                                                         std::string_view type,
                                                         std::string_view state_key) {
    return optional_row(conn_.query("SELECT event_id FROM current_state"
                                    " WHERE room_id = ?1 AND type = ?2 AND state_key = ?3",
                                    room_id, type, state_key),
                        event_id_at0);
}

Result<std::vector<CurrentMember>> SqliteCurrentState::members(const RoomId& room_id) {
    // events.membership is content.membership, kept at persist time (and a
    // redaction keeps it too); only the display name is read from the JSON.
    return all_rows(
        conn_.query("SELECT c.state_key, coalesce(e.membership, ''),"
                    " CASE WHEN json_type(e.json, '$.content.displayname') = 'text'"
                    "      THEN json_extract(e.json, '$.content.displayname') END"
                    " FROM current_state c JOIN events e ON e.event_id = c.event_id"
                    " WHERE c.room_id = ?1 AND c.type = 'm.room.member'",
                    room_id),
        [](const Query& q) -> Result<CurrentMember> {
            return CurrentMember{.user_id = std::string(q.text(0)),
                                 .membership = std::string(q.text(1)),
                                 .displayname = q.opt_text(2)};
        });
}

Result<std::vector<CurrentStateChange>> SqliteCurrentState::changes(const RoomId& room_id,
                                                                    Position from, Position to) {
    return all_rows(conn_.query("SELECT stream_ordering, room_id, type, state_key, event_id,"
                                " prev_event_id FROM current_state_delta"
                                " WHERE room_id = ?1 AND stream_ordering > ?2"
                                " AND stream_ordering <= ?3 ORDER BY stream_ordering, id",
                                room_id, from, to),
                    read_change);
}

Result<std::vector<RoomId>> SqliteCurrentState::rooms_changed(Position from, Position to) {
    return all_rows(conn_.query("SELECT DISTINCT room_id FROM current_state_delta"
                                " WHERE stream_ordering > ?1 AND stream_ordering <= ?2",
                                from, to),
                    [](const Query& q) { return q.id<RoomId>(0); });
}

Result<void> SqliteCurrentState::apply_delta(const RoomId& room_id,
                                             std::span<const StateDeltaEntry> delta,
                                             Position position) {
    for (const auto& change : delta) {
        auto prev = entry(room_id, change.key.type, change.key.state_key);
        if (!prev) return prev.error();
        if (*prev == change.event_id) continue;
        Result<std::int64_t> written =
            change.event_id
                ? conn_.run("INSERT INTO current_state(room_id, type, state_key, event_id)"
                            " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(room_id, type, state_key)"
                            " DO UPDATE SET event_id = excluded.event_id",
                            room_id, change.key.type, change.key.state_key, change.event_id)
                : conn_.run("DELETE FROM current_state"
                            " WHERE room_id = ?1 AND type = ?2 AND state_key = ?3",
                            room_id, change.key.type, change.key.state_key);
        if (!written) return written.error();
        auto logged = conn_.run("INSERT INTO current_state_delta(stream_ordering, room_id, type,"
                                " state_key, event_id, prev_event_id)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                position, room_id, change.key.type, change.key.state_key,
                                change.event_id, *prev);
        if (!logged) return logged.error();
        if (change.key.type == "m.room.member") {
            if (auto updated = update_membership(room_id, change, position); !updated)
                return updated.error();
        }
    }
    return ok();
}

Result<void> SqliteCurrentState::update_membership(const RoomId& room_id,
                                                   const StateDeltaEntry& change,
                                                   Position position) {
    // Member state keys are user ids; the auth rules refuse others, but a
    // v1 room may hold odd historical ones: those are not tracked per user.
    auto user_id = UserId::parse(change.key.state_key);
    if (!user_id) return ok();
    if (!change.event_id) {
        // A member entry removed from the state (state resolution can do
        // that): the user has no membership left to report.
        auto removed = conn_.run(
            "DELETE FROM room_memberships WHERE user_id = ?1 AND room_id = ?2", *user_id, room_id);
        if (!removed) return removed.error();
        return ok();
    }
    // The profile fields only matter for a join (the user directory); SQL
    // picks them out so the event JSON is not parsed here.
    struct Member {
        std::optional<std::string> membership;
        std::optional<std::string> displayname;
        std::optional<std::string> avatar_url;
    };
    auto member = optional_row(
        conn_.query("SELECT membership,"
                    " CASE WHEN membership = 'join'"
                    "  AND json_type(json, '$.content.displayname') = 'text'"
                    "  THEN json_extract(json, '$.content.displayname') END,"
                    " CASE WHEN membership = 'join'"
                    "  AND json_type(json, '$.content.avatar_url') = 'text'"
                    "  THEN json_extract(json, '$.content.avatar_url') END"
                    " FROM events WHERE event_id = ?1",
                    *change.event_id),
        [](const Query& q) -> Result<Member> {
            return Member{q.opt_text(0), q.opt_text(1), q.opt_text(2)};
        });
    if (!member) return member.error();
    if (!*member)
        return not_found("Member event " + std::string(change.event_id->str()) +
                         " is not stored.");
    if (!(*member)->membership) return ok();  // no string membership: the auth rules rejected it
    if (*(*member)->membership == "join") {
        auto listed = directory_set_from_join(conn_, *user_id, (*member)->displayname,
                                              (*member)->avatar_url);
        if (!listed) return listed.error();
    }
    return write_membership(conn_, MembershipRow{.user_id = std::move(*user_id),
                                                 .room_id = room_id,
                                                 .membership = std::move(*(*member)->membership),
                                                 .event_id = *change.event_id,
                                                 .stream_ordering = position});
}

Result<std::vector<StateDeltaEntry>> SqliteCurrentState::replace(const RoomId& room_id,
                                                                 const StateMap& state,
                                                                 Position position) {
    auto current = get(room_id);
    if (!current) return current.error();
    auto delta = state_difference(*current, state);
    if (auto applied = apply_delta(room_id, delta, position); !applied) return applied.error();
    return delta;
}

}  // namespace chat::store::sqlite
