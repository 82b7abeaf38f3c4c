#pragma once

#include <span>

#include <chat/core/result.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/state/state_map.hpp>

namespace chat::state {

// Where state resolution reads events. Implementations may cache; they must
// not fetch over the network (resolution is pure over what they return).
class EventSource {
public:
    virtual ~EventSource() = default;
    // The event, or nullptr when it is not known.
    virtual PduPtr get(const EventId& id) const = 0;
    // True for events rejected by the auth rules (§11.4).
    virtual bool is_rejected(const EventId& id) const = 0;
};

// Resolves the states after several prev_events into the state before an
// event (§11): v1 for room version 1, v2 for 2-11, v2.1 for 12, chosen by
// `version.state_res`. Deterministic: the order of `states` does not matter.
// Errors: Errc::not_found when an event it needs, of the input states or of
// their auth chains, is missing from `events` (fetch it first); the message
// names it. Events that cannot change the result are not read: states that
// agree on every key come back as they are, and unconflicted events are read
// only while the auth difference needs them. Pure and synchronous; large
// resolutions belong on the blocking pool. The steps are in
// state_res_steps.hpp.
Result<StateMap> resolve(const RoomVersion& version, std::span<const StateMap> states,
                         const EventSource& events);

}  // namespace chat::state
