#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chat::test {

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

// A plain TCP connection to 127.0.0.1, for what an HTTP library will not
// send: garbage, pipelined requests, half requests, two requests on one
// connection that we can be sure is the same.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port);  // throws std::runtime_error
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;  // one owner closes the socket
    RawConnection& operator=(const RawConnection&) = delete;

    // Sends all of `bytes`; false if the server has closed the connection.
    bool send(std::string_view bytes);

    // Reads one response: headers, then a Content-Length body unless
    // `head_request`. nullopt when the connection closes or the deadline
    // passes first.
    std::optional<RawResponse> read_response(
        bool head_request = false, std::chrono::milliseconds deadline = std::chrono::seconds(5));

    // True when the server closes the connection (EOF or reset) before the
    // deadline; what it sends before closing is dropped.
    bool wait_closed(std::chrono::milliseconds deadline = std::chrono::seconds(5));

private:
    // Appends what arrives to buffer_; false on EOF, error or deadline.
    bool receive(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string buffer_;
};

}  // namespace chat::test
