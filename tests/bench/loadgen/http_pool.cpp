#include "loadgen/http_pool.hpp"

#include <tuple>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A sync of a busy account can be large; a response beyond this is an error.
constexpr std::uint64_t kMaxResponseBytes = 64ull << 20;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string error_kind(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return "timeout";
    return "io";
}

// The server closed an idle keep-alive connection before our request reached it.
bool stale_connection(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

}  // namespace

std::optional<Url> Url::parse(std::string_view text) {
    constexpr std::string_view kScheme = "http://";
    if (!text.starts_with(kScheme)) return std::nullopt;
    text.remove_prefix(kScheme.size());
    while (text.ends_with('/'))
        text.remove_suffix(1);
    if (text.find('/') != std::string_view::npos) return std::nullopt;
    auto colon = text.rfind(':');
    Url url;
    if (colon == std::string_view::npos) {
        url.host = std::string(text);
        url.port = "80";
    } else {
        url.host = std::string(text.substr(0, colon));
        url.port = std::string(text.substr(colon + 1));
    }
    if (url.host.empty() || url.port.empty()) return std::nullopt;
    return url;
}

HttpPool::HttpPool(asio::any_io_executor executor, asio::ip::tcp::endpoint server,
                   std::string host_header)
    : executor_(std::move(executor)), server_(server), host_header_(std::move(host_header)) {}

std::unique_ptr<beast::tcp_stream> HttpPool::take_idle() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return nullptr;
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
}

void HttpPool::give_back(std::unique_ptr<beast::tcp_stream> connection) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
}

asio::awaitable<HttpResult> HttpPool::request(http::verb method, std::string target,
                                              std::string body, std::string token,
                                              std::chrono::milliseconds timeout) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_header_);
    req.set(http::field::user_agent, "chatd-loadgen");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();

    for (int attempt = 0;; ++attempt) {
        auto connection = take_idle();
        const bool reused = connection != nullptr;
        if (!connection) {
            connection = std::make_unique<beast::tcp_stream>(executor_);
            connection->expires_after(timeout);
            // Plain locals, not structured bindings: GCC 12 miscompiles those across co_await.
            auto connected = co_await connection->async_connect(server_, kUseTuple);
            const auto ec = std::get<0>(connected);
            if (ec) {
                HttpResult failed{.error = ec == beast::error::timeout ? "timeout" : "connect"};
                co_return failed;
            }
            connection->socket().set_option(asio::ip::tcp::no_delay(true));
        }
        connection->expires_after(timeout);
        auto written = co_await http::async_write(*connection, req, kUseTuple);
        const auto write_ec = std::get<0>(written);
        if (write_ec) {
            if (reused && attempt == 0 && stale_connection(write_ec)) continue;
            HttpResult failed{.error = error_kind(write_ec)};
            co_return failed;
        }
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxResponseBytes);
        auto read = co_await http::async_read(*connection, buffer, parser, kUseTuple);
        const auto read_ec = std::get<0>(read);
        if (read_ec) {
            if (reused && attempt == 0 && stale_connection(read_ec) && !parser.got_some())
                continue;
            HttpResult failed{.error = error_kind(read_ec)};
            co_return failed;
        }
        auto response = parser.release();
        HttpResult result{.status = static_cast<int>(response.result_int()),
                          .body = std::move(response.body())};
        if (response.keep_alive()) {
            connection->expires_never();
            give_back(std::move(connection));
        }
        co_return result;
    }
}

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace loadgen
