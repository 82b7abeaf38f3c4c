#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <chat/core/result.hpp>

namespace chat {

// A Matrix event ID (spec appendices, "Event IDs", and the room version pages;
// digest events-and-rooms.md §2.5). Three forms, by room version:
// - "$opaque:server" (v1, v2): the opaque part may be any valid UTF-8 except
//   ':' and NUL, the server part must be a valid server name;
// - "$" + 43 characters of standard unpadded base64 of the reference hash (v3;
//   may contain '+' and '/');
// - "$" + 43 characters of url-safe unpadded base64 (v4 and later; '-', '_').
//
// Always well formed: the only way to build one from text is parse(). Compared
// byte for byte (case-sensitive). Cheap enough to pass by value.
class EventId {
public:
    enum class Format {
        domain,           // "$opaque:server", room versions 1 and 2
        base64,           // "$" + 43 standard base64 characters, room version 3
        url_safe_base64,  // "$" + 43 url-safe base64 characters, room versions 4+
    };

    // The whole ID, '$' and server name included (spec: MUST NOT exceed).
    static constexpr std::size_t kMaxBytes = 255;
    // Unpadded base64 of a 32-byte SHA-256 reference hash.
    static constexpr std::size_t kHashChars = 43;

    // Parses an untrusted event ID in any of the three forms; which forms a
    // room version allows is for the caller to check with fits(). Text with a
    // ':' is the domain form. Text without one must be exactly 43 characters
    // from one alphabet (standard or url-safe, not both) whose last character
    // has zero trailing bits, so that it decodes to exactly 32 bytes with one
    // spelling. At most kMaxBytes in all. Errors: Errc::invalid_param.
    static Result<EventId> parse(std::string_view text);

    std::string_view str() const noexcept { return value_; }

    // True for the hash forms (room versions 3 and later).
    bool is_hash_form() const noexcept;
    // Whether this ID is valid in `format`. A hash made only of letters and
    // digits fits both base64 and url_safe_base64.
    bool fits(Format format) const noexcept;
    // The server part of the domain form (may carry a port); none for hashes.
    std::optional<std::string_view> server() const noexcept;

    friend bool operator==(const EventId&, const EventId&) = default;
    friend auto operator<=>(const EventId&, const EventId&) = default;

private:
    explicit EventId(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

}  // namespace chat
