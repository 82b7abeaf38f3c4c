#include "api/client/federation_edus.hpp"

#include <algorithm>
#include <map>
#include <string>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/federation/sender/federation_sender.hpp>
#include <chat/receipts/delivery.hpp>
#include <chat/rooms/room_servers.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

namespace {

nlohmann::json delivery_edu(const RoomId& room_id, const UserId& user, nlohmann::json event_ids,
                            nlohmann::json data) {
    nlohmann::json content = {
        {std::string(room_id.str()),
         {{std::string(receipts::kDeliveryType),
           {{std::string(user.str()),
             {{"event_ids", std::move(event_ids)}, {"data", std::move(data)}}}}}}}};
    return {{"edu_type", "m.receipt"}, {"content", std::move(content)}};
}

// The room's remote servers with joined members, or none on any failure.
Task<std::vector<ServerName>> joined_remote_servers(const Services& services,
                                                    const RoomId& room_id) {
    auto own = ServerName::parse(services.server_name);
    if (!own) co_return std::vector<ServerName>();
    auto servers = co_await services.db->read("room_servers", [&](store::ReadTxn& txn) {
        return rooms::remote_servers(txn, room_id, *own);
    });
    if (!servers) co_return std::vector<ServerName>();
    co_return std::move(*servers);
}

bool contains(const std::vector<ServerName>& servers, std::string_view name) {
    return std::any_of(servers.begin(), servers.end(),
                       [&](const ServerName& s) { return s.str() == name; });
}

}  // namespace

Task<void> share_room_edu(const Services& services, const RoomId& room_id, nlohmann::json edu) {
    if (!services.federation_sender) co_return;
    auto servers = co_await joined_remote_servers(services, room_id);
    if (servers.empty()) co_return;
    services.federation_sender->send_edu(servers, std::move(edu));
}

Task<void> share_delivery_receipt(const Services& services, const RoomId& room_id,
                                  const UserId& user, const EventId& event_id, std::int64_t ts) {
    if (!services.federation_sender) co_return;
    auto sender = co_await services.db->read("delivery_event_sender", [&](store::ReadTxn& txn)
                                                                          -> Result<std::string> {
        auto event = txn.events().get(event_id);
        if (!event) return event.error();
        if (!*event) return std::string();
        return std::string((*event)->sender.server());
    });
    if (!sender || sender->empty() || *sender == services.server_name) co_return;
    auto servers = co_await joined_remote_servers(services, room_id);
    if (!contains(servers, *sender)) co_return;
    auto destination = ServerName::parse(*sender);
    if (!destination) co_return;
    auto edu = delivery_edu(room_id, user, nlohmann::json::array({std::string(event_id.str())}),
                            {{"ts", ts}});
    services.federation_sender->send_edu({*destination}, std::move(edu));
}

Task<void> share_inferred_delivery(const Services& services,
                                   std::vector<store::InferredDeliveryRow> moves) {
    if (!services.federation_sender) co_return;
    for (const auto& move : moves) {
        if (!move.sender_events.is_object()) continue;
        // Each remote server: the newest covered event of each of its senders.
        std::map<std::string, nlohmann::json> by_server;
        for (auto it = move.sender_events.begin(); it != move.sender_events.end(); ++it) {
            auto sender = UserId::parse(it.key());
            if (!sender || !it->is_string() || sender->server() == services.server_name) continue;
            auto& ids = by_server[std::string(sender->server())];
            if (ids.is_null()) ids = nlohmann::json::array();
            ids.push_back(*it);
        }
        if (by_server.empty()) continue;
        auto servers = co_await joined_remote_servers(services, move.room_id);
        for (auto& [name, ids] : by_server) {
            if (!contains(servers, name)) continue;
            auto destination = ServerName::parse(name);
            if (!destination) continue;
            nlohmann::json data = {
                {"ts", move.ts}, {"inferred", true}, {"up_to", move.event_id.str()}};
            auto edu = delivery_edu(move.room_id, move.user_id, std::move(ids), std::move(data));
            services.federation_sender->send_edu({*destination}, std::move(edu));
        }
    }
}

}  // namespace chat::daemon
