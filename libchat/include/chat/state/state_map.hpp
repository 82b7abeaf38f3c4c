#pragma once

#include <map>

#include <chat/core/event_id.hpp>
#include <chat/events/state_key.hpp>

namespace chat {

// Room state as event ids: (type, state_key) -> the event holding that entry.
using StateMap = std::map<StateKey, EventId>;

}  // namespace chat
