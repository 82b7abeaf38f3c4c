#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

namespace loadgen {

// "http://host:port" (a trailing '/' is fine). Plain HTTP only: point the
// load generator at the homeserver's own listener, or at a TLS-terminating
// proxy's plain side.
struct Url {
    std::string host;
    std::string port;

    static std::optional<Url> parse(std::string_view text);
};

// One HTTP exchange. status 0 means no response: `error` says why
// ("connect", "timeout", "io").
struct HttpResult {
    int status = 0;
    std::string body;
    std::string error;
};

// Keep-alive connections to one server, for one simulated client: requests in
// flight at the same time use different connections, and a finished request
// hands its connection to the next. Safe to call from several threads; each
// connection is used by one request at a time.
class HttpPool {
public:
    HttpPool(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint server,
             std::string host_header);
    HttpPool(const HttpPool&) = delete;  // owns sockets
    HttpPool& operator=(const HttpPool&) = delete;

    // Sends one request (`token`, when not empty, as a Bearer token; `body`,
    // when not empty, as JSON) and reads the whole response within `timeout`.
    // A request that fails on a reused connection before any answer (the
    // server closed it while idle) is retried once on a new connection.
    boost::asio::awaitable<HttpResult> request(boost::beast::http::verb method,
                                               std::string target, std::string body,
                                               std::string token,
                                               std::chrono::milliseconds timeout);

private:
    std::unique_ptr<boost::beast::tcp_stream> take_idle();
    void give_back(std::unique_ptr<boost::beast::tcp_stream> connection);

    boost::asio::any_io_executor executor_;
    boost::asio::ip::tcp::endpoint server_;
    std::string host_header_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<boost::beast::tcp_stream>> idle_;  // guarded by mutex_
};

// Percent-encodes one path segment or query value (room ids hold '!' and ':').
std::string url_encode(std::string_view text);

}  // namespace loadgen
