#pragma once

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>

namespace chat {

// A Matrix user ID such as "@alice:example.org" (spec appendices, "User
// Identifiers" and "Historical User IDs"; digest events-and-rooms.md §2.3).
//
// Always well formed: the only way to build one from text is parse() or
// parse_strict(). Compared byte for byte (case-sensitive, server part
// included). Cheap enough to pass by value.
class UserId {
public:
    // The whole ID, '@' and server name included (spec: MUST NOT exceed).
    static constexpr std::size_t kMaxBytes = 255;

    // Parses an untrusted user ID with the leniency the spec requires for IDs
    // found in events: "@" localpart ":" server_name, split at the first ':'.
    // The localpart may be any valid UTF-8 except NUL (no surrogates, no
    // overlong forms; control characters and the empty string pass); the
    // server name must pass ServerName::parse; at most kMaxBytes in all.
    // Errors: Errc::invalid_param ("User ID is not valid: missing ':'").
    static Result<UserId> parse(std::string_view text);

    // parse(), and the localpart must also fit the current grammar
    // (is_compliant()). For IDs that clients name outside an event, such as
    // an invitee or a login. Errors: Errc::invalid_param.
    static Result<UserId> parse_strict(std::string_view text);

    std::string_view str() const noexcept { return value_; }
    std::string_view localpart() const noexcept;
    std::string_view server() const noexcept;  // after the first ':', may carry a port

    // True if the localpart fits the current grammar: 1*[a-z0-9-.=_/+].
    bool is_compliant() const noexcept;

    // True if the localpart is non-empty printable ASCII (U+0021-U+007E), the
    // grammar of older spec versions. IDs failing this are the ones the spec
    // calls "non-compliant": accepted in events, but servers SHOULD NOT forward
    // them to clients outside an event (for example in device-list updates).
    bool has_historical_grammar() const noexcept;

    friend bool operator==(const UserId&, const UserId&) = default;
    friend auto operator<=>(const UserId&, const UserId&) = default;

private:
    explicit UserId(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

// Checks a localpart chosen for a new account on `server` (registration, admin
// API): non-empty, only a-z 0-9 '-' '.' '=' '_' '/' '+', and "@localpart:server"
// at most UserId::kMaxBytes. Maps nothing: a caller that lower-cases or escapes
// a requested name (spec appendices, "Mapping from other character sets") does
// so first. Untrusted input. Errors: Errc::invalid_username.
Result<void> validate_new_localpart(std::string_view localpart, const ServerName& server);

}  // namespace chat
