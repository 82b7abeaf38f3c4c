#include "api/client/remote_lookups.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/client/federation_client.hpp>

#include "services/services.hpp"

namespace chat::daemon {

namespace {

std::optional<std::string> string_of(const nlohmann::json& body, const char* field) {
    auto found = body.find(field);
    if (found == body.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
}

// A directory page as the spec defines it, and nothing else the remote sent.
Result<Reply> public_rooms_reply(const Result<nlohmann::json>& answer, const ServerName& server) {
    if (!answer) return answer.error();
    auto chunk = answer->find("chunk");
    if (chunk == answer->end() || !chunk->is_array())
        return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                          std::string(server.str()) + ": malformed publicRooms answer");
    nlohmann::json out = {{"chunk", *chunk}};
    for (const char* field : {"next_batch", "prev_batch"})
        if (auto token = string_of(*answer, field)) out[field] = *token;
    if (auto total = answer->find("total_room_count_estimate");
        total != answer->end() && total->is_number_integer())
        out["total_room_count_estimate"] = *total;
    return Reply::json(out);
}

}  // namespace

Task<Result<Reply>> get_remote_public_rooms(Request& request, ServerName server) {
    std::string path = "/_matrix/federation/v1/publicRooms";
    char separator = '?';
    for (const char* name : {"limit", "since", "include_all_networks", "third_party_instance_id"}) {
        auto value = request.query(name);
        if (!value) continue;
        path += separator + std::string(name) + "=" + federation::percent_encode(*value);
        separator = '&';
    }
    auto answer = co_await request.services().federation_client->get(server, std::move(path));
    co_return public_rooms_reply(answer, server);
}

Task<Result<Reply>> post_remote_public_rooms(Request& request, ServerName server) {
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto answer = co_await request.services().federation_client->post(
        server, "/_matrix/federation/v1/publicRooms", std::move(*body));
    co_return public_rooms_reply(answer, server);
}

Task<Result<accounts::Profile>> get_remote_profile(const Request& request, UserId user) {
    auto server = ServerName::parse(user.server());
    if (!server) co_return make_error(Errc::invalid_param, "Invalid user ID");
    auto path = "/_matrix/federation/v1/query/profile?user_id=" +
                federation::percent_encode(user.str());
    auto answer = co_await request.services().federation_client->get(*server, std::move(path));
    if (!answer) co_return answer.error();
    co_return accounts::Profile{.displayname = string_of(*answer, "displayname"),
                                .avatar_url = string_of(*answer, "avatar_url")};
}

Task<Result<Reply>> get_remote_directory_room(Request& request, RoomAlias alias) {
    auto server = ServerName::parse(alias.server());
    if (!server) co_return make_error(Errc::invalid_param, "Room alias invalid");
    auto path = "/_matrix/federation/v1/query/directory?room_alias=" +
                federation::percent_encode(alias.str());
    auto answer = co_await request.services().federation_client->get(*server, std::move(path));
    if (!answer) co_return answer.error();
    // Only what the spec defines goes back to our client, checked.
    auto room_id = string_of(*answer, "room_id");
    auto servers = answer->find("servers");
    if (!room_id || servers == answer->end() || !servers->is_array())
        co_return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                             std::string(server->str()) + ": malformed directory answer");
    nlohmann::json list = nlohmann::json::array();
    for (const auto& name : *servers)
        if (name.is_string() && ServerName::parse(name.get<std::string>())) list.push_back(name);
    co_return Reply::json({{"room_id", *room_id}, {"servers", std::move(list)}});
}

}  // namespace chat::daemon
