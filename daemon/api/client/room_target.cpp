#include "api/client/room_target.hpp"

#include <chat/core/room_alias.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

Task<Result<RoomId>> resolve_room_target(const Request& request, std::string_view target) {
    if (target.starts_with('!')) {
        auto room_id = RoomId::parse(target);
        if (!room_id) co_return make_error(Errc::invalid_param, "Invalid room ID");
        co_return std::move(*room_id);
    }
    if (target.starts_with('#')) {
        auto alias = RoomAlias::parse(target);
        if (!alias) co_return make_error(Errc::invalid_param, "Invalid room alias");
        // Only our own aliases are in the directory.
        // TODO(#9): resolve other servers' aliases over federation.
        const auto& services = request.services();
        auto row = co_await services.db->read("resolve_room_alias", [&](store::ReadTxn& txn) {
            return txn.aliases().get(*alias);
        });
        if (!row) co_return row.error();
        if (!*row) co_return make_error(Errc::not_found, "Room alias not found");
        co_return std::move((*row)->room_id);
    }
    co_return make_error(Errc::invalid_param, "Expected a room ID or a room alias");
}

}  // namespace chat::daemon
