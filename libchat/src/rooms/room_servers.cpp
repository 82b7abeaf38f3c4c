#include <chat/rooms/room_servers.hpp>

#include <set>

namespace chat::rooms {

Result<std::vector<ServerName>> remote_destinations(store::ReadTxn& txn, const Pdu& pdu,
                                                   const ServerName& ours) {
    std::set<ServerName> servers;
    auto joined = txn.members().members_of(pdu.room_id(), "join");
    if (!joined) return joined.error();
    auto add = [&](const UserId& user) {
        auto server = ServerName::parse(user.server());
        if (server && *server != ours) servers.insert(std::move(*server));
    };
    for (const auto& row : *joined) add(row.user_id);
    if (pdu.type() == "m.room.member" && pdu.state_key())
        if (auto target = UserId::parse(*pdu.state_key())) add(*target);
    return std::vector<ServerName>(servers.begin(), servers.end());
}

Result<std::vector<ServerName>> remote_servers(store::ReadTxn& txn, const RoomId& room_id,
                                               const ServerName& ours) {
    std::set<ServerName> servers;
    auto joined = txn.members().members_of(room_id, "join");
    if (!joined) return joined.error();
    for (const auto& row : *joined) {
        auto server = ServerName::parse(row.user_id.server());
        if (server && *server != ours) servers.insert(std::move(*server));
    }
    return std::vector<ServerName>(servers.begin(), servers.end());
}

}  // namespace chat::rooms
