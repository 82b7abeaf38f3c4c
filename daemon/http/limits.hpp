#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>

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

// How long the body of an upload (BodyKind::to_file) may take, counted from
// the end of its headers: 50 MB at 2 MB/s needs more than request_timeout.
inline constexpr std::chrono::seconds kUploadTimeout{300};

// The configurable bounds the session enforces on every request; App fills
// them from Config (max_request_body_bytes, request_timeout_seconds).
struct HttpLimits {
    std::size_t max_body_bytes;
    // From the first byte of a request (or the end of the previous one on a
    // kept-alive connection) to its last body byte: covers headers and body.
    std::chrono::seconds request_timeout;
    // BodyKind::to_file routes (uploads): their own bound, and the directory
    // their temporary files go to (on the media directory's file system, so
    // that the finished file is renamed into place, not copied).
    std::uint64_t max_upload_bytes = 0;
    std::filesystem::path upload_dir;
};

}  // namespace chat::daemon
