#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <chat/core/result.hpp>

namespace chat {

// A Matrix room ID (spec appendices, "Room IDs"; digest events-and-rooms.md
// §2.4). Two forms, by room version:
// - "!opaque:server" (v1-v11): the opaque part may be any valid UTF-8 except
//   ':' and NUL; the server only namespaces the ID and need not host the room;
// - "!" + 43 url-safe unpadded base64 characters (v12): the create event's ID
//   with '!' in place of '$'. It has no server part.
//
// Always well formed: the only way to build one from text is parse(). Opaque
// and compared byte for byte (case-sensitive). Cheap enough to pass by value.
class RoomId {
public:
    // The whole ID, '!' and server name included (spec: MUST NOT exceed).
    static constexpr std::size_t kMaxBytes = 255;

    // Parses an untrusted room ID in either form; which form a room version
    // uses is for the caller to check. Text with a ':' is split at the first
    // one and needs a valid server name after it. Text without one must be 43
    // url-safe base64 characters that EventId::parse accepts (with '$'), that
    // is, the encoding of a 32-byte hash. Errors: Errc::invalid_param.
    static Result<RoomId> parse(std::string_view text);

    std::string_view str() const noexcept { return value_; }
    // True for the v12 form, which has no server part.
    bool is_hash_form() const noexcept;
    // The server part of the v1-v11 form (may carry a port); none for v12.
    std::optional<std::string_view> server() const noexcept;

    friend bool operator==(const RoomId&, const RoomId&) = default;
    friend auto operator<=>(const RoomId&, const RoomId&) = default;

private:
    explicit RoomId(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

}  // namespace chat
