#pragma once

#include <string>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/events.hpp>

namespace chat::daemon {

// What a send_join v2 answer carries (api/federation/room_membership.cpp),
// kept apart from the handler so that the omit_members rules can be tested
// without a server. Spec: data/api/server-server/joins-v2.yaml (v1.6).

// The spec's m.heroes count (client-server /sync room summary).
inline constexpr std::size_t kJoinHeroes = 5;

struct JoinState {
    // The events of the answer's `state`, in the order given.
    std::vector<EventId> state;
    // Servers with joined members before the join, sorted, unique.
    std::vector<std::string> servers_in_room;
    // Whether any m.room.member event was left out of `state`.
    bool members_omitted = false;
};

// `state` is the room's resolved state before the join of `joiner`. Without
// `omit_members` every event is kept. With it, m.room.member events are
// left out, except the heroes' when the room has neither a name nor a
// canonical alias (the joining server names the room from them): up to
// five members other than the joiner, joined or invited ones first in
// stream order, else those who left or were banned.
JoinState select_join_state(const std::vector<store::StoredEvent>& state, const UserId& joiner,
                            bool omit_members);

// The answer's `auth_chain` when members were omitted: `chain` is the auth
// chain of the join and of the kept state; the kept state is left out of it
// (the spec lets events already in `state` be elided). Order kept.
std::vector<EventId> without_state_events(std::vector<EventId> chain,
                                          const std::vector<EventId>& state);

}  // namespace chat::daemon
