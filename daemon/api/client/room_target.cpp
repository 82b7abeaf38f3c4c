#include "api/client/room_target.hpp"

#include <chat/core/room_alias.hpp>

namespace chat::daemon {

Task<Result<RoomId>> resolve_room_target(const Request& /*request*/, std::string_view target) {
    if (target.starts_with('!')) {
        auto room_id = RoomId::parse(target);
        if (!room_id) co_return make_error(Errc::invalid_param, "Invalid room ID");
        co_return std::move(*room_id);
    }
    if (target.starts_with('#')) {
        auto alias = RoomAlias::parse(target);
        if (!alias) co_return make_error(Errc::invalid_param, "Invalid room alias");
        // TODO(#4): the alias directory (store area and /directory/room) is not built yet.
        co_return make_error(Errc::not_found, "Room alias not found");
    }
    co_return make_error(Errc::invalid_param, "Expected a room ID or a room alias");
}

}  // namespace chat::daemon
