#include <chat/core/room_id.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/server_name.hpp>

#include "core/utf8.hpp"

namespace chat {
namespace {

Error invalid(std::string_view why) {
    return make_error(Errc::invalid_param, "Room ID is not valid: " + std::string(why));
}

}  // namespace

Result<RoomId> RoomId::parse(std::string_view text) {
    if (text.size() > kMaxBytes) return invalid("longer than 255 bytes");
    if (text.empty() || text.front() != '!') return invalid("must start with '!'");
    const auto rest = text.substr(1);

    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        if (!detail::is_opaque_localpart(rest.substr(0, colon)))
            return invalid("the opaque part must be valid UTF-8 without NUL");
        if (auto server = ServerName::parse(rest.substr(colon + 1)); !server)
            return invalid(server.error().message);
        return RoomId(std::string(text));
    }

    // v12: "the grammar is otherwise inherited verbatim" from the create
    // event's ID, so the event ID parser decides, in its url-safe form.
    auto as_event = EventId::parse("$" + std::string(rest));
    if (!as_event || !as_event->fits(EventId::Format::url_safe_base64))
        return invalid("expected '!opaque:server' or '!' and 43 url-safe base64 characters");
    return RoomId(std::string(text));
}

bool RoomId::is_hash_form() const noexcept { return value_.find(':') == std::string::npos; }

std::optional<std::string_view> RoomId::server() const noexcept {
    const auto colon = value_.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::string_view(value_).substr(colon + 1);
}

}  // namespace chat
