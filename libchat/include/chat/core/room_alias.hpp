#pragma once

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <chat/core/result.hpp>

namespace chat {

// A Matrix room alias such as "#lobby:example.org" (spec appendices, "Room
// Aliases"; digest events-and-rooms.md §2.6). The server part names the server
// that owns the alias and answers directory queries for it.
//
// Always well formed: the only way to build one from text is parse(). Compared
// byte for byte (case-sensitive). Cheap enough to pass by value.
class RoomAlias {
public:
    // The whole alias, '#' and server name included (spec: MUST NOT exceed).
    static constexpr std::size_t kMaxBytes = 255;

    // Parses an untrusted alias: "#" localpart ":" server_name, split at the
    // first ':'. The localpart may be any valid UTF-8 except NUL (it may be
    // empty); the server name must pass ServerName::parse; at most kMaxBytes
    // in all. Errors: Errc::invalid_param.
    static Result<RoomAlias> parse(std::string_view text);

    std::string_view str() const noexcept { return value_; }
    std::string_view localpart() const noexcept;
    std::string_view server() const noexcept;  // after the first ':', may carry a port

    friend bool operator==(const RoomAlias&, const RoomAlias&) = default;
    friend auto operator<=>(const RoomAlias&, const RoomAlias&) = default;

private:
    explicit RoomAlias(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

}  // namespace chat
