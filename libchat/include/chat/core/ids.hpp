#pragma once

// Every Matrix identifier type, for code that handles several of them
// (digest events-and-rooms.md §2).
#include <chat/core/event_id.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
