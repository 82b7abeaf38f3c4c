#include <chat/core/event_id.hpp>

#include <chat/core/server_name.hpp>

#include "core/utf8.hpp"

namespace chat {
namespace {

Error invalid(std::string_view why) {
    return make_error(Errc::invalid_param, "Event ID is not valid: " + std::string(why));
}

bool is_alnum(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// 43 base64 characters carry 258 bits for a 256-bit hash. Only characters
// whose value is a multiple of 4 leave the 2 spare bits zero, so only they can
// end the encoding of a real hash; accepting others would give one hash
// several IDs that compare unequal.
bool is_canonical_last_char(char c) noexcept {
    return std::string_view("AEIMQUYcgkosw048").find(c) != std::string_view::npos;
}

}  // namespace

Result<EventId> EventId::parse(std::string_view text) {
    if (text.size() > kMaxBytes) return invalid("longer than 255 bytes");
    if (text.empty() || text.front() != '$') return invalid("must start with '$'");
    const auto rest = text.substr(1);

    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        if (!detail::is_opaque_localpart(rest.substr(0, colon)))
            return invalid("the opaque part must be valid UTF-8 without NUL");
        if (auto server = ServerName::parse(rest.substr(colon + 1)); !server)
            return invalid(server.error().message);
        return EventId(std::string(text));
    }

    if (rest.size() != kHashChars)
        return invalid("expected '$opaque:server' or '$' and 43 base64 characters");
    bool standard = false;  // saw '+' or '/'
    bool url_safe = false;  // saw '-' or '_'
    for (char c : rest) {
        if (c == '+' || c == '/')
            standard = true;
        else if (c == '-' || c == '_')
            url_safe = true;
        else if (!is_alnum(c))
            return invalid("the hash may only contain base64 characters");
    }
    if (standard && url_safe) return invalid("the hash mixes two base64 alphabets");
    if (!is_canonical_last_char(rest.back())) return invalid("the hash is not 32 bytes");
    return EventId(std::string(text));
}

bool EventId::is_hash_form() const noexcept { return value_.find(':') == std::string::npos; }

bool EventId::fits(Format format) const noexcept {
    if (format == Format::domain) return !is_hash_form();
    // One pass over the id: find_first_of with a set scans once per
    // character of the set (every event's id, prev and auth events are
    // checked, about 1% of building an event).
    bool colon = false;
    bool standard = false;  // '+' or '/'
    bool url_safe = false;  // '-' or '_'
    for (const char c : value_) {
        switch (c) {
        case ':': colon = true; break;
        case '+':
        case '/': standard = true; break;
        case '-':
        case '_': url_safe = true; break;
        default: break;
        }
    }
    if (colon) return false;
    return format == Format::base64 ? !url_safe : !standard;
}

std::optional<std::string_view> EventId::server() const noexcept {
    const auto colon = value_.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::string_view(value_).substr(colon + 1);
}

}  // namespace chat
