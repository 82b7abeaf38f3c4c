#pragma once

// The steps of state resolution (events-and-rooms.md §11), one function each, so that
// tests can check them on their own. resolve() in state_res.hpp is what callers use;
// these build their own caches per call and are not meant for production paths.
//
// All are pure and deterministic over `events`. Errors: Errc::not_found, naming the
// event, when an event they need (an input, or one of the auth_events they walk) is
// missing from `events`.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/state/state_map.hpp>
#include <chat/state/state_res.hpp>

namespace chat::state::detail {

// The auth chain of `id` (§11.2): every event reachable through auth_events, `id`
// itself excluded. Sorted by event id.
Result<std::vector<EventId>> auth_chain(const RoomVersion& version, const EventId& id,
                                        const EventSource& events);

// The auth difference of `states` (§11.2): the events in some but not all of the
// states' full auth chains. Sorted by event id.
Result<std::vector<EventId>> auth_difference(const RoomVersion& version,
                                             std::span<const StateMap> states,
                                             const EventSource& events);

// The conflicted state subgraph of room v12 (§11.5): the events on an auth_events path
// from one event of `conflicted` to another, both ends included. Sorted by event id.
Result<std::vector<EventId>> conflicted_state_subgraph(const RoomVersion& version,
                                                       std::span<const EventId> conflicted,
                                                       const EventSource& events);

// A power event (§11.2): m.room.power_levels, m.room.join_rules, or a kick or ban (an
// m.room.member `leave` or `ban` whose sender is not its state_key).
bool is_power_event(const Pdu& event);

// The sender's power level by the event's own auth_events (§11.2): from the
// m.room.power_levels among them, else 100 for the creator and 0 for others (v1-v11).
// v12 creators have chat::auth::kInfinitePowerLevel.
Result<std::int64_t> sender_power_level(const RoomVersion& version, const EventId& id,
                                        const EventSource& events);

// The reverse topological power ordering of `ids` (§11.2): auth events first, ties
// broken by higher sender power, then earlier origin_server_ts, then smaller event id.
// Only auth_events edges between members of `ids` order them.
Result<std::vector<EventId>> reverse_topological_power_order(const RoomVersion& version,
                                                             std::span<const EventId> ids,
                                                             const EventSource& events);

// The mainline ordering of `ids` relative to the m.room.power_levels event
// `power_levels` (§11.2; none: every position is infinite): older mainline positions
// first, then earlier origin_server_ts, then smaller event id.
Result<std::vector<EventId>> mainline_order(const RoomVersion& version,
                                            const std::optional<EventId>& power_levels,
                                            std::span<const EventId> ids,
                                            const EventSource& events);

// The iterative auth checks (§11.2): applies each of `ids`, in order, to `initial` when
// it passes the auth rules against it; keys the state lacks come from the event's own
// auth_events unless those were rejected (§11.4). v12: the create event is always
// available. Non-state events are skipped.
Result<StateMap> iterative_auth_checks(const RoomVersion& version, const StateMap& initial,
                                       std::span<const EventId> ids,
                                       const EventSource& events);

// SHA-1 (FIPS 180-4) of `bytes`: 20 raw bytes. Only state resolution v1 uses it, to
// order events by sha1(event_id) (§11.1); never use it for security.
std::string sha1(std::string_view bytes);

}  // namespace chat::state::detail
