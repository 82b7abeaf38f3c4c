#include "api/client/keys_federation.hpp"

#include <set>
#include <vector>

#include <chat/core/server_name.hpp>
#include <chat/e2ee/device_list_update.hpp>
#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/federation/sender/federation_sender.hpp>
#include <chat/rooms/room_servers.hpp>

#include "services/services.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

json unreachable(const Error& error) {
    return json{{"errcode", "M_UNKNOWN"},
                {"error", error.message.empty() ? "Server unreachable" : error.message}};
}

// Copies answer[section][user] for users of `server` only: a server speaks
// for its own users, never for anyone else's.
void take_section(const json& from, const std::string& section, std::string_view server, json& into) {
    auto part = from.find(section);
    if (part == from.end() || !part->is_object()) return;
    for (auto it = part->begin(); it != part->end(); ++it) {
        auto user = UserId::parse(it.key());
        if (!user || user->server() != server || !it->is_object()) continue;
        into[section][it.key()] = *it;
    }
}

Task<void> ask_each(const Services& services, const json& remote, std::string path,
                    std::string request_field, std::vector<std::string> sections, json& answer) {
    for (auto it = remote.begin(); it != remote.end(); ++it) {
        auto server = ServerName::parse(it.key());
        if (!server || !services.federation_client) {
            answer["failures"][it.key()] =
                json{{"errcode", "M_UNKNOWN"}, {"error", "Federation is not available"}};
            continue;
        }
        json body = {{request_field, *it}};
        auto reply = co_await services.federation_client->post(*server, path, std::move(body));
        if (!reply) {
            answer["failures"][it.key()] = unreachable(reply.error());
            continue;
        }
        for (const auto& section : sections) take_section(*reply, section, it.key(), answer);
    }
}

}  // namespace

void split_by_server(const json& wanted, std::string_view local_server, json& local, json& remote) {
    local = json::object();
    remote = json::object();
    for (auto it = wanted.begin(); it != wanted.end(); ++it) {
        auto user = UserId::parse(it.key());
        if (user && user->server() != local_server)
            remote[std::string(user->server())][it.key()] = *it;
        else
            local[it.key()] = *it;
    }
}

Task<void> query_remote_keys(const Services& services, const json& remote, json& answer) {
    std::string path = "/_matrix/federation/v1/user/keys/query";
    std::vector<std::string> sections = {"device_keys", "master_keys", "self_signing_keys"};
    co_await ask_each(services, remote, std::move(path), "device_keys", std::move(sections),
                      answer);
}

Task<void> claim_remote_keys(const Services& services, const json& remote, json& answer) {
    std::string path = "/_matrix/federation/v1/user/keys/claim";
    std::vector<std::string> sections = {"one_time_keys"};
    co_await ask_each(services, remote, std::move(path), "one_time_keys", std::move(sections),
                      answer);
}

Result<bool> deliver_local_to_device(store::WriteTxn& txn, const UserId& sender,
                                     std::string_view type, const UserId& user,
                                     const json& devices) {
    bool any = false;
    for (auto it = devices.begin(); it != devices.end(); ++it) {
        if (!it->is_object()) continue;
        std::vector<std::string> targets;
        if (it.key() == "*") {
            auto all = txn.devices().list(user);
            if (!all) return all.error();
            for (auto& d : *all) targets.push_back(std::move(d.device_id));
        } else {
            auto known = txn.devices().get(user, it.key());
            if (!known) return known.error();
            if (*known) targets.push_back(it.key());
        }
        for (auto& target : targets) {
            auto position = txn.next_position(store::Stream::to_device);
            if (!position) return position.error();
            store::ToDeviceRow row{*position, user, std::move(target), sender, std::string(type),
                                   *it};
            if (auto added = txn.to_device().add(row); !added) return added.error();
            any = true;
        }
    }
    return any;
}

void send_remote_to_device(const Services& services, const UserId& sender, std::string_view type,
                           const std::string& message_id, const json& messages) {
    if (!services.federation_sender) return;
    json by_server = json::object();
    for (auto it = messages.begin(); it != messages.end(); ++it) {
        auto user = UserId::parse(it.key());
        if (!user || user->server() == services.server_name) continue;
        by_server[std::string(user->server())][it.key()] = *it;
    }
    for (auto it = by_server.begin(); it != by_server.end(); ++it) {
        auto server = ServerName::parse(it.key());
        if (!server) continue;
        json edu = {{"edu_type", "m.direct_to_device"},
                    {"content",
                     {{"sender", std::string(sender.str())},
                      {"type", std::string(type)},
                      {"message_id", message_id},
                      {"messages", *it}}}};
        services.federation_sender->send_edu({*server}, std::move(edu));
    }
}

Task<void> announce_device_change(const Services& services, const UserId& user,
                                  std::string device_id, bool signing_keys_changed) {
    if (!services.federation_sender) co_return;
    auto own = ServerName::parse(services.server_name);
    if (!own) co_return;
    struct Found {
        std::vector<ServerName> servers;
        std::vector<json> edus;
    };
    // A write: each m.device_list_update records its stream_id, which the
    // user's next one names in prev_id.
    auto found = co_await services.db->write("device_change_edus", [&](store::WriteTxn& txn) -> Result<Found> {
        Found out;
        std::set<ServerName> servers;
        auto rooms = txn.members().rooms_for_user(user, "join");
        if (!rooms) return rooms.error();
        for (const auto& room : *rooms) {
            auto in_room = rooms::remote_servers(txn, room.room_id, *own);
            if (!in_room) return in_room.error();
            servers.insert(in_room->begin(), in_room->end());
        }
        if (servers.empty()) return out;
        out.servers.assign(servers.begin(), servers.end());
        if (!device_id.empty()) {
            auto content = e2ee::device_list_update_content(txn, user, device_id);
            if (!content) return content.error();
            out.edus.push_back(
                json{{"edu_type", "m.device_list_update"}, {"content", std::move(*content)}});
        }
        if (signing_keys_changed) {
            json content = {{"user_id", std::string(user.str())}};
            for (auto [usage, field] : {std::pair{"master", "master_key"},
                                        std::pair{"self_signing", "self_signing_key"}}) {
                auto key = txn.e2ee_keys().cross_signing_key(user, usage);
                if (!key) return key.error();
                if (*key) content[field] = **key;
            }
            out.edus.push_back(json{{"edu_type", "m.signing_key_update"}, {"content", content}});
        }
        return out;
    });
    if (!found) co_return;
    for (auto& edu : found->edus) services.federation_sender->send_edu(found->servers, std::move(edu));
}

}  // namespace chat::daemon
