#pragma once

#include <chrono>
#include <cstddef>

namespace chat::daemon {

// Request line plus all header fields of one request. Tokens and cookies are
// far smaller; a client over it gets 431 and the connection is closed.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// How long writing one response may take before the connection is dropped.
inline constexpr std::chrono::seconds kWriteTimeout{30};

// After an error that ends a connection mid-request (413, 400), how long we
// keep reading and discarding what the client still sends, so that closing
// does not reset the connection before the client has read our answer.
inline constexpr std::chrono::seconds kLingerTimeout{2};

// The configurable bounds the session enforces on every request; App fills
// them from Config (max_request_body_bytes, request_timeout_seconds).
struct HttpLimits {
    std::size_t max_body_bytes;
    // From the first byte of a request (or the end of the previous one on a
    // kept-alive connection) to its last body byte: covers headers and body.
    std::chrono::seconds request_timeout;
};

}  // namespace chat::daemon
