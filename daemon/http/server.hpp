#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/fwd.h>

#include <chat/core/result.hpp>

#include "http/limits.hpp"
#include "http/task.hpp"

namespace boost::asio {
class io_context;
}

namespace chat::daemon {

class Router;
struct Services;

// The HTTP/1.1 server: one listening socket, and a session coroutine per
// connection, each on its own strand of `io`.
//
// A session reads requests one at a time (pipelined requests are answered in
// order), under a deadline per request (HttpLimits::request_timeout, covering
// headers and body) and the size limits of http/limits.hpp; it keeps the
// connection alive when the client allows it. Malformed requests get 400,
// oversized ones 413 or 431, and the connection is closed. An exception out
// of a handler is logged and answered 500 M_UNKNOWN, and the connection is
// closed; the process and the other sessions go on.
//
// `router`, `services` and `log` are owned by App and outlive the server;
// `services` may still be filled in between listen() and start().
class Server {
public:
    Server(boost::asio::io_context& io, const Router& router, const Services& services,
           HttpLimits limits, spdlog::logger& log);
    ~Server();
    // Sessions hold references into the server.
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Opens, binds and listens; returns the bound port (useful with port 0).
    // Call before the io_context runs. Errors: Errc::internal, with the
    // address and the system's reason in `message`.
    Result<std::uint16_t> listen(const std::string& address, std::uint16_t port);

    // Starts accepting connections on the io_context's threads.
    void start();

    // Stops accepting, closes idle connections and lets each request in
    // progress finish and be answered, then closes its connection. Completes
    // when every session has ended or after `grace`; true if all ended.
    // Must be awaited from a strand. Once only.
    Task<bool> shutdown(std::chrono::milliseconds grace);

    // Connections currently open. Thread-safe.
    std::size_t session_count() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace chat::daemon
