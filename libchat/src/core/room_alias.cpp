#include <chat/core/room_alias.hpp>

#include <chat/core/server_name.hpp>

#include "core/utf8.hpp"

namespace chat {
namespace {

Error invalid(std::string_view why) {
    return make_error(Errc::invalid_param, "Room alias is not valid: " + std::string(why));
}

}  // namespace

Result<RoomAlias> RoomAlias::parse(std::string_view text) {
    if (text.size() > kMaxBytes) return invalid("longer than 255 bytes");
    if (text.empty() || text.front() != '#') return invalid("must start with '#'");
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return invalid("missing ':'");
    if (!detail::is_opaque_localpart(text.substr(1, colon - 1)))
        return invalid("the localpart must be valid UTF-8 without NUL");
    if (auto server = ServerName::parse(text.substr(colon + 1)); !server)
        return invalid(server.error().message);
    return RoomAlias(std::string(text));
}

std::string_view RoomAlias::localpart() const noexcept {
    return std::string_view(value_).substr(1, value_.find(':') - 1);
}

std::string_view RoomAlias::server() const noexcept {
    return std::string_view(value_).substr(value_.find(':') + 1);
}

}  // namespace chat
