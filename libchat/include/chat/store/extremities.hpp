#pragma once

#include <span>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>

namespace chat::store {

// Forward extremities: the events of a room that no other event of ours
// lists as a prev_event yet, i.e. the prev_events of the next event we send.
class ExtremitiesReader {
public:
    virtual ~ExtremitiesReader() = default;
    // In no particular order; empty for an unknown room.
    virtual Result<std::vector<EventId>> get(const RoomId& room_id) = 0;
};

class Extremities : public ExtremitiesReader {
public:
    // The extremity update for one new timeline event: its prev_events stop
    // being extremities and it becomes one, unless a stored event already
    // lists it as a prev_event (it arrived late). Call after Events::persist.
    // Soft-failed and rejected events are normally not passed here.
    virtual Result<void> add_event(const RoomId& room_id, const EventId& event_id,
                                   std::span<const EventId> prev_events) = 0;
    // The update for an event this server just built on the extremity
    // `prev` (its only prev_event): `prev` is replaced by `event_id`, which
    // nothing can cite yet. One write instead of add_event's two. False,
    // changing nothing, when `prev` is not an extremity of the room.
    virtual Result<bool> advance(const RoomId& room_id, const EventId& prev,
                                 const EventId& event_id) = 0;
    // Sets the room's extremities to exactly `event_ids`.
    virtual Result<void> replace(const RoomId& room_id, std::span<const EventId> event_ids) = 0;
};

}  // namespace chat::store
