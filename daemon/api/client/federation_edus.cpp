#include "api/client/federation_edus.hpp"

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/federation/sender/federation_sender.hpp>
#include <chat/rooms/room_servers.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

Task<void> share_room_edu(const Services& services, const RoomId& room_id, nlohmann::json edu) {
    if (!services.federation_sender) co_return;
    auto own = ServerName::parse(services.server_name);
    if (!own) co_return;
    auto servers = co_await services.db->read("room_servers", [&](store::ReadTxn& txn) {
        return rooms::remote_servers(txn, room_id, *own);
    });
    if (!servers || servers->empty()) co_return;
    services.federation_sender->send_edu(*servers, std::move(edu));
}

}  // namespace chat::daemon
