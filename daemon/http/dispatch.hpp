#pragma once

#include <spdlog/fwd.h>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

class Router;

// Answers one parsed request, without touching the connection: the OPTIONS
// pre-flight (before routing, so unknown paths pass it too), 404/405
// M_UNRECOGNIZED, the handler, the mapping of its error to Matrix error JSON
// (logging Error::detail), and CORS headers on every reply. HEAD gets the GET
// reply; the session drops its body. Exceptions from handlers propagate to the
// session, which answers 500 and closes. Runs on the caller's executor.
Task<Reply> dispatch(const Router& router, Request& request, spdlog::logger& log);

// The headers web clients need on every response (spec client-server.md 0.5).
void add_cors_headers(Reply& reply);

}  // namespace chat::daemon
