#pragma once

#include <chat/federation/runtime/task.hpp>

namespace chat::daemon {

// Handlers and services name Task<T>; it is the federation runtime's.
using chat::federation::Task;

}  // namespace chat::daemon
