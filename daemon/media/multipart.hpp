#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat::daemon {

// The multipart/mixed body of the federation media endpoints (digest
// federation.md §17): exactly two parts, a JSON metadata part ("{}") and the
// content (or a Location redirect to it).

// Bounds of the parser: the body itself is bounded by the caller (the
// fetch's size limit); these bound what surrounds the content.
inline constexpr std::size_t kMultipartMaxBoundary = 70;          // RFC 2046
inline constexpr std::size_t kMultipartMaxHeaderBytes = 8 * 1024;  // per part
inline constexpr std::size_t kMultipartMaxHeaders = 16;            // per part
inline constexpr std::size_t kMultipartMaxMetadataBytes = 64 * 1024;
inline constexpr std::size_t kMultipartMaxPreamble = 1024;

// The writer's two halves around the content bytes: body = head + bytes + tail.
struct MultipartFrame {
    std::string content_type;  // of the whole reply: multipart/mixed; boundary=...
    std::string head;          // JSON part and the content part's headers
    std::string tail;          // the close delimiter
};

// A fresh random boundary (32 alphanumerics: cannot occur in the content
// except by chance of 2^-190). `disposition` may be empty (then no header).
MultipartFrame media_multipart_frame(std::string_view content_type, std::string_view disposition);

// What a remote's answer held.
struct MediaMultipart {
    std::string metadata;  // the JSON part's text (not parsed here)
    std::optional<std::string> content_type;         // of the content part
    std::optional<std::string> content_disposition;  // of the content part
    std::optional<std::string> location;             // a redirect instead of bytes
    std::string_view content;  // the bytes, a view into the parsed body
};

// Parses `body` given the reply's Content-Type header. Strict: the type must
// be multipart/mixed with a valid boundary; CRLF line ends; part headers are
// bounded (above) and well formed; exactly two parts, the first of type
// application/json; the close delimiter must be present. Errors:
// Errc::remote_unavailable (the remote's answer is unusable), with the reason
// in detail.
Result<MediaMultipart> parse_media_multipart(std::string_view content_type,
                                             std::string_view body);

}  // namespace chat::daemon
