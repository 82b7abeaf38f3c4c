// The only file that includes Beast: it costs about 15 s to compile, so the
// rest of the daemon sees Request and Reply instead.
#include "http/server.hpp"

#include <array>
#include <exception>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include "config/config.hpp"
#include "http/dispatch.hpp"
#include "http/error_response.hpp"
#include "http/reply.hpp"
#include "http/request.hpp"

namespace chat::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Expected I/O failures (timeouts, resets, cancellation) arrive as values.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// After an accept failure such as EMFILE, wait before trying again.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// One client connection. Shared by the session coroutine and, briefly, by
// Server::shutdown(), which posts to the connection's strand.
struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}

    beast::tcp_stream stream;  // its executor is the connection's strand
    // Touched only on the strand:
    bool reading = false;         // waiting for (the rest of) a request
    bool stop_requested = false;  // the server is shutting down
};

// The answer to a request that could not be read, or nothing when the
// connection just ends (the client left, a timeout, shutdown).
std::optional<HttpError> refusal_for(const beast::error_code& ec, std::size_t max_body_bytes) {
    if (ec == http::error::body_limit)
        return to_http(make_error(
            Errc::too_large,
            fmt::format("Request body too large (the limit is {} bytes)", max_body_bytes)));
    if (ec == http::error::header_limit)
        return HttpError{431, "M_TOO_LARGE", "Request header fields too large"};
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
    // Any other parse error, including a version other than HTTP/1.0 and 1.1
    // (the parser cannot tell "HTTP/2.0" from a garbled request line).
    if (ec.category() == http::make_error_code(http::error::bad_method).category())
        return HttpError{400, "M_UNKNOWN", "Malformed HTTP request"};
    return std::nullopt;
}

Request to_request(http::request<http::string_body>& message, const Services& services,
                   const beast::tcp_stream& stream) {
    std::vector<Header> headers;
    for (const auto& field : message)
        headers.push_back({std::string(field.name_string()), std::string(field.value())});
    Request request(parse_method(message.method_string()), std::string(message.target()),
                    std::move(headers), std::move(message.body()), services);
    beast::error_code ec;
    auto peer = stream.socket().remote_endpoint(ec);
    if (!ec) request.set_remote_address(peer.address().to_string());
    return request;
}

// Reads one request into `parser`. A client that sent "Expect: 100-continue"
// waits for our go-ahead before its body; it gets it only once the headers
// are within limits (an oversized Content-Length fails before that).
Task<beast::error_code> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                     http::request_parser<http::string_body>& parser) {
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    if (header_error || parser.is_done()) co_return header_error;
    if (header_name_equal(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_ahead{http::status::continue_, 11};
        auto [continue_error, n] = co_await http::async_write(stream, go_ahead, kNoThrow);
        if (continue_error) co_return continue_error;
    }
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    co_return body_error;
}

// Writes `reply`; false when the connection failed. For HEAD the body is
// left out but Content-Length still says how long it would be.
Task<bool> write_reply(beast::tcp_stream& stream, Reply reply, unsigned version, bool keep_alive,
                       bool head) {
    http::response<http::string_body> response{static_cast<http::status>(reply.status), version};
    response.set(http::field::server, "chatd/" CHATD_VERSION);
    for (auto& header : reply.headers)
        response.insert(header.name, header.value);
    response.keep_alive(keep_alive);
    // 1xx, 204 and 304 carry neither a body nor a Content-Length (RFC 9110 8.6).
    bool bodiless = reply.status < 200 || reply.status == 204 || reply.status == 304;
    if (!bodiless) {
        response.content_length(reply.body.size());
        if (!head) response.body() = std::move(reply.body);
    }
    stream.expires_after(kWriteTimeout);
    auto [ec, written] = co_await http::async_write(stream, response, kNoThrow);
    co_return !ec || ec == http::error::end_of_stream;
}

// Closes after a refusal: half-close, then read and discard what the client
// is still sending for a moment, so that the kernel does not answer its
// remaining bytes with a reset that could destroy our reply before it is read.
Task<void> linger_and_close(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTimeout);
    std::array<char, 4096> scratch;
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kNoThrow);
        if (ec) break;
    }
    stream.close();
}

}  // namespace

struct Server::Impl {
    Impl(asio::io_context& io_, const Router& router_, const Services& services_,
         HttpLimits limits_, spdlog::logger& log_)
        : io(io_),
          router(router_),
          services(services_),
          limits(limits_),
          log(log_),
          acceptor(asio::make_strand(io_)) {}

    Task<void> accept_loop();
    void start_session(tcp::socket socket);
    Task<void> serve(std::shared_ptr<Connection> connection);
    void session_ended(std::uint64_t id);

    asio::io_context& io;
    const Router& router;
    const Services& services;
    const HttpLimits limits;
    spdlog::logger& log;
    tcp::acceptor acceptor;  // used on its own strand
    // Created by shutdown(), used only on its executor (a strand).
    std::optional<asio::steady_timer> drain_timer;

    mutable std::mutex mutex;
    // Guarded by `mutex`:
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> sessions;
    std::uint64_t next_session_id = 0;
    bool stopping = false;
    asio::any_io_executor drain_executor;
};

Task<void> Server::Impl::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) {
            // Out of file descriptors, or the peer gave up while queued.
            log.warn("accept failed: {}", ec.message());
            asio::steady_timer pause(acceptor.get_executor(), kAcceptRetryDelay);
            co_await pause.async_wait(kNoThrow);
            continue;
        }
        start_session(std::move(socket));
    }
}

void Server::Impl::start_session(tcp::socket socket) {
    auto connection = std::make_shared<Connection>(std::move(socket));
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex);
        if (stopping) return;  // closes the socket
        id = next_session_id++;
        sessions.emplace(id, connection);
    }
    auto executor = connection->stream.get_executor();
    asio::co_spawn(executor, serve(std::move(connection)), [this, id](std::exception_ptr failure) {
        // serve() catches what handlers throw; this is for what it throws itself.
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                log.error("session ended by an exception: {}", e.what());
            } catch (...) {
                log.error("session ended by an unknown exception");
            }
        }
        session_ended(id);
    });
}

void Server::Impl::session_ended(std::uint64_t id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
    if (stopping && sessions.empty() && drain_executor) {
        asio::post(drain_executor, [this] {
            if (drain_timer) drain_timer->cancel();
        });
    }
}

Task<void> Server::Impl::serve(std::shared_ptr<Connection> connection) {
    auto& stream = connection->stream;
    beast::flat_buffer buffer;  // keeps bytes of pipelined requests between reads
    for (;;) {
        if (connection->stop_requested) break;

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
        parser.body_limit(limits.max_body_bytes);
        stream.expires_after(limits.request_timeout);  // one deadline: headers and body
        connection->reading = true;
        auto read_error = co_await read_request(stream, buffer, parser);
        connection->reading = false;

        if (read_error) {
            auto refusal = refusal_for(read_error, limits.max_body_bytes);
            if (!refusal) break;
            // The rest of the stream cannot be trusted to frame requests: close.
            log.debug("refused a request: {} ({})", refusal->message, read_error.message());
            auto reply = error_reply(*refusal);
            add_cors_headers(reply);
            if (co_await write_reply(stream, std::move(reply), 11, false, false))
                co_await linger_and_close(stream);
            co_return;
        }

        auto& message = parser.get();
        unsigned version = message.version();  // 10 or 11: the parser refuses others
        bool keep_alive = message.keep_alive();
        auto request = to_request(message, services, stream);

        Reply reply;
        bool failed = false;
        try {
            reply = co_await dispatch(router, request, log);
        } catch (const std::exception& e) {
            log.error("{} {}: handler threw: {}", to_string(request.method()), request.raw_path(),
                      e.what());
            failed = true;
        } catch (...) {
            log.error("{} {}: handler threw", to_string(request.method()), request.raw_path());
            failed = true;
        }
        if (failed) {
            reply = error_reply(HttpError{500, "M_UNKNOWN", "Internal server error."});
            add_cors_headers(reply);
            keep_alive = false;
        }
        log.debug("{} {} {}", to_string(request.method()), request.raw_path(), reply.status);

        keep_alive = keep_alive && !connection->stop_requested;
        bool written = co_await write_reply(stream, std::move(reply), version, keep_alive,
                                            request.method() == Method::head);
        if (!written || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
}

Server::Server(asio::io_context& io, const Router& router, const Services& services,
               HttpLimits limits, spdlog::logger& log)
    : impl_(std::make_unique<Impl>(io, router, services, limits, log)) {}

Server::~Server() = default;

Result<std::uint16_t> Server::listen(const std::string& address, std::uint16_t port) {
    auto failed = [&](const boost::system::error_code& ec) {
        return make_error(Errc::internal, fmt::format("cannot listen on {}: {}",
                                                      endpoint_text(address, port), ec.message()));
    };
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) return failed(ec);
    tcp::endpoint endpoint(ip, port);
    auto& acceptor = impl_->acceptor;
    if (acceptor.open(endpoint.protocol(), ec); ec) return failed(ec);
    // Lets a restarted chatd bind while old connections sit in TIME_WAIT.
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return failed(ec);
    if (acceptor.bind(endpoint, ec); ec) return failed(ec);
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return failed(ec);
    auto local = acceptor.local_endpoint(ec);
    if (ec) return failed(ec);
    return local.port();
}

void Server::start() {
    auto& log = impl_->log;
    asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(),
                   [&log](std::exception_ptr failure) {
                       if (failure) log.critical("the accept loop ended by an exception");
                   });
}

Task<bool> Server::shutdown(std::chrono::milliseconds grace) {
    auto& s = *impl_;
    auto executor = co_await asio::this_coro::executor;
    std::vector<std::shared_ptr<Connection>> live;
    bool drained = false;
    {
        std::lock_guard lock(s.mutex);
        s.stopping = true;
        s.drain_executor = executor;
        s.drain_timer.emplace(executor, grace);
        for (auto& [id, weak] : s.sessions)
            if (auto connection = weak.lock()) live.push_back(std::move(connection));
        drained = s.sessions.empty();
    }
    asio::post(s.acceptor.get_executor(), [&s] {
        boost::system::error_code ignored;
        s.acceptor.close(ignored);
    });
    for (auto& connection : live) {
        asio::post(connection->stream.get_executor(), [connection] {
            connection->stop_requested = true;
            // An idle or half-read connection ends now; one whose request is
            // being handled sees the flag after answering.
            if (connection->reading) connection->stream.cancel();
        });
    }
    live.clear();
    if (!drained) co_await s.drain_timer->async_wait(kNoThrow);
    co_return session_count() == 0;
}

std::size_t Server::session_count() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->sessions.size();
}

}  // namespace chat::daemon
