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
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include <chat/crypto/random.hpp>

#include "config/config.hpp"
#include "http/dispatch.hpp"
#include "http/error_response.hpp"
#include "http/reply.hpp"
#include "http/request.hpp"
#include "routing/router.hpp"

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

// `body` is the in-memory body; file bodies are attached by the caller.
template <typename Message>
Request to_request(const Message& message, std::string body, const Services& services,
                   const beast::tcp_stream& stream) {
    std::vector<Header> headers;
    for (const auto& field : message)
        headers.push_back({std::string(field.name_string()), std::string(field.value())});
    Request request(parse_method(message.method_string()), std::string(message.target()),
                    std::move(headers), std::move(body), services);
    beast::error_code ec;
    auto peer = stream.socket().remote_endpoint(ec);
    if (!ec) request.set_remote_address(peer.address().to_string());
    return request;
}

// Sends "100 Continue" to a client that asked for it before sending its body.
// Called only once the headers are known to be within limits.
template <typename Parser>
Task<beast::error_code> continue_if_expected(beast::tcp_stream& stream, const Parser& parser) {
    if (parser.is_done() || !header_name_equal(parser.get()[http::field::expect], "100-continue"))
        co_return beast::error_code{};
    http::response<http::empty_body> go_ahead{http::status::continue_, 11};
    auto [ec, n] = co_await http::async_write(stream, go_ahead, kNoThrow);
    co_return ec;
}

// Reads the rest of a request whose headers `parser` holds.
template <typename Parser>
Task<beast::error_code> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                  Parser& parser) {
    if (auto ec = co_await continue_if_expected(stream, parser); ec) co_return ec;
    if (parser.is_done()) co_return beast::error_code{};
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    co_return ec;
}

// The path part of a request target, for routing before the body is read.
std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

// Removes a temporary upload file when the request is over, whatever
// happened: a truncated upload or a refused one leaves nothing behind. A
// handler that keeps the content has renamed it already.
class TempFileGuard {
public:
    explicit TempFileGuard(std::filesystem::path path) : path_(std::move(path)) {}
    ~TempFileGuard() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFileGuard(const TempFileGuard&) = delete;  // one owner removes the file
    TempFileGuard& operator=(const TempFileGuard&) = delete;

private:
    std::filesystem::path path_;
};

// How much of a file reply is read and written at a time.
constexpr std::size_t kFileChunkBytes = 64 * 1024;

// Writes a reply whose body is a slice of a file, chunk by chunk, so that a
// large download never sits in memory. The reads block, but briefly: one
// 64 KiB read from a local file (usually the page cache) per write.
// False when the connection failed or the file could not be read (the
// connection is then closed, since its framing is broken).
Task<bool> write_file_reply(beast::tcp_stream& stream, beast::file& file,
                            http::response<http::buffer_body>& response,
                            std::uint64_t length) {
    http::response_serializer<http::buffer_body> serializer{response};
    response.body().data = nullptr;
    response.body().more = true;
    stream.expires_after(kWriteTimeout);
    auto [header_error, header_bytes] =
        co_await http::async_write_header(stream, serializer, kNoThrow);
    if (header_error) co_return false;
    std::vector<char> chunk(kFileChunkBytes);
    std::uint64_t remaining = length;
    while (!serializer.is_done()) {
        if (remaining > 0) {
            beast::error_code read_error;
            auto n = file.read(chunk.data(),
                               static_cast<std::size_t>(std::min<std::uint64_t>(
                                   remaining, chunk.size())),
                               read_error);
            if (read_error || n == 0) co_return false;  // the file shrank under us
            remaining -= n;
            response.body().data = chunk.data();
            response.body().size = n;
            response.body().more = remaining > 0;
        } else {
            response.body().data = nullptr;
            response.body().more = false;
        }
        stream.expires_after(kWriteTimeout);
        auto [ec, written] = co_await http::async_write(stream, serializer, kNoThrow);
        if (ec == http::error::need_buffer) continue;
        if (ec) co_return false;
    }
    co_return true;
}

// Writes `reply`; false when the connection failed. For HEAD the body is
// left out but Content-Length still says how long it would be.
Task<bool> write_reply(beast::tcp_stream& stream, Reply reply, unsigned version, bool keep_alive,
                       bool head) {
    bool bodiless_status = reply.status < 200 || reply.status == 204 || reply.status == 304;
    if (reply.file && !bodiless_status) {
        beast::file file;
        beast::error_code open_error;
        file.open(reply.file->path.c_str(), beast::file_mode::read, open_error);
        if (!open_error) file.seek(reply.file->offset, open_error);
        if (open_error) {
            // Deleted between the handler's look and now.
            reply = error_reply(HttpError{404, "M_NOT_FOUND", "Not found"});
            add_cors_headers(reply);
        } else if (!head) {
            http::response<http::buffer_body> response{static_cast<http::status>(reply.status),
                                                       version};
            response.set(http::field::server, "chatd/" CHATD_VERSION);
            for (auto& header : reply.headers)
                response.insert(header.name, header.value);
            response.keep_alive(keep_alive);
            response.content_length(reply.file->length);
            co_return co_await write_file_reply(stream, file, response, reply.file->length);
        } else {
            reply.body.clear();
        }
    }
    http::response<http::string_body> response{static_cast<http::status>(reply.status), version};
    response.set(http::field::server, "chatd/" CHATD_VERSION);
    for (auto& header : reply.headers)
        response.insert(header.name, header.value);
    response.keep_alive(keep_alive);
    // 1xx, 204 and 304 carry neither a body nor a Content-Length (RFC 9110 8.6).
    bool bodiless = reply.status < 200 || reply.status == 204 || reply.status == 304;
    if (!bodiless) {
        response.content_length(reply.file ? reply.file->length : reply.body.size());
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
        // Raised to the larger limit until the route is known; each body
        // kind's own limit is checked once the headers are in.
        parser.body_limit(std::max<std::uint64_t>(limits.max_body_bytes, limits.max_upload_bytes));
        stream.expires_after(limits.request_timeout);  // one deadline: headers and body
        connection->reading = true;
        auto [header_error, header_bytes] =
            co_await http::async_read_header(stream, buffer, parser, kNoThrow);

        bool to_file = false;
        if (!header_error) {
            const auto& header = parser.get();
            to_file = router
                          .match(parse_method(header.method_string()),
                                 target_path(header.target()))
                          .body == BodyKind::to_file;
        }
        const std::uint64_t body_limit = to_file ? limits.max_upload_bytes : limits.max_body_bytes;
        beast::error_code read_error = header_error;
        if (!read_error && parser.content_length() && *parser.content_length() > body_limit)
            read_error = http::error::body_limit;

        std::optional<TempFileGuard> upload_guard;
        std::string upload_path;
        std::uint64_t upload_size = 0;
        std::optional<http::request_parser<http::file_body>> file_parser;
        if (!read_error && to_file && !parser.is_done()) {
            upload_path = (limits.upload_dir / ("upload-" + crypto::random_alphanumeric(24)))
                              .string();
            upload_guard.emplace(upload_path);
            file_parser.emplace(std::move(parser));
            file_parser->body_limit(body_limit);
            stream.expires_after(std::max<std::chrono::seconds>(limits.request_timeout,
                                                                kUploadTimeout));
            file_parser->get().body().open(upload_path.c_str(), beast::file_mode::write_new,
                                           read_error);
            if (read_error) {
                log.error("cannot create upload file {}: {}", upload_path, read_error.message());
                connection->reading = false;
                auto reply = error_reply(HttpError{500, "M_UNKNOWN", "Internal server error."});
                add_cors_headers(reply);
                if (co_await write_reply(stream, std::move(reply), 11, false, false))
                    co_await linger_and_close(stream);
                co_return;
            }
            // Beast reads into the buffer's free capacity, which after the
            // headers is a few KiB: grow it so that a large body arrives in
            // 64 KiB reads and writes, not thousands of small ones.
            buffer.reserve(kFileChunkBytes);
            read_error = co_await read_body(stream, buffer, *file_parser);
            if (!read_error) {
                auto& body = file_parser->get().body();
                upload_size = body.file().size(read_error);
                body.close();  // flushed before the handler reads it
            }
        } else if (!read_error) {
            parser.body_limit(body_limit);
            read_error = co_await read_body(stream, buffer, parser);
        }
        connection->reading = false;

        if (read_error) {
            // Nothing of a refused or cut-short upload outlives this point
            // (the linger below can take seconds).
            file_parser.reset();
            upload_guard.reset();
            auto refusal = refusal_for(read_error, body_limit);
            if (!refusal) break;
            // The rest of the stream cannot be trusted to frame requests: close.
            log.debug("refused a request: {} ({})", refusal->message, read_error.message());
            auto reply = error_reply(*refusal);
            add_cors_headers(reply);
            if (co_await write_reply(stream, std::move(reply), 11, false, false))
                co_await linger_and_close(stream);
            co_return;
        }

        const auto& message = file_parser ? file_parser->get().base() : parser.get().base();
        unsigned version = message.version();  // 10 or 11: the parser refuses others
        bool keep_alive =
            file_parser ? file_parser->get().keep_alive() : parser.get().keep_alive();
        auto body = file_parser ? std::string() : std::move(parser.get().body());
        auto request = to_request(message, std::move(body), services, stream);
        if (to_file) request.set_body_file(upload_path, upload_size);

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
