#include "api/federation/query.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <chat/accounts/account_service.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/core/user_id.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/client/directory.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Task<Result<Reply>> get_query_profile(Request& request, const ServerName&) {
    const auto& services = request.services();
    auto text = request.query("user_id");
    if (!text) co_return make_error(Errc::missing_param, "Missing user_id");
    auto user = UserId::parse(*text);
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user_id");
    if (user->server() != services.server_name)
        co_return make_error(Errc::invalid_param, "User is not on this server");
    auto field = request.query("field");
    if (field && *field != "displayname" && *field != "avatar_url")
        co_return make_error(Errc::invalid_param, "Unknown profile field");
    auto profile =
        co_await services.db->run([&] { return services.accounts->get_profile(*user); });
    if (!profile) co_return profile.error();
    nlohmann::json out = nlohmann::json::object();
    if (profile->displayname && (!field || *field == "displayname"))
        out["displayname"] = *profile->displayname;
    if (profile->avatar_url && (!field || *field == "avatar_url"))
        out["avatar_url"] = *profile->avatar_url;
    if (field && out.empty()) co_return make_error(Errc::not_found, "Profile field not set");
    co_return Reply::json(out);
}

Task<Result<Reply>> get_query_directory(Request& request, const ServerName&) {
    const auto& services = request.services();
    auto text = request.query("room_alias");
    if (!text) co_return make_error(Errc::missing_param, "Missing room_alias");
    auto alias = RoomAlias::parse(*text);
    if (!alias) co_return make_error(Errc::invalid_param, "Invalid room_alias");
    if (alias->server() != services.server_name)
        co_return make_error(Errc::not_found, "Room alias not found");
    auto found = co_await services.db->read(
        "federation_query_directory", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto row = txn.aliases().get(*alias);
            if (!row) return row.error();
            if (!*row) return make_error(Errc::not_found, "Room alias not found");
            // Servers with joined members, ours first: each can help a join.
            auto joined = txn.members().members_of((*row)->room_id, "join");
            if (!joined) return joined.error();
            auto servers = nlohmann::json::array({services.server_name});
            for (const auto& member : *joined) {
                auto server = std::string(member.user_id.server());
                if (std::find(servers.begin(), servers.end(), server) == servers.end())
                    servers.push_back(std::move(server));
            }
            return nlohmann::json{{"room_id", std::string((*row)->room_id.str())},
                                  {"servers", std::move(servers)}};
        });
    if (!found) co_return found.error();
    co_return Reply::json(*found);
}

Task<Result<Reply>> get_federation_public_rooms(Request& request, const ServerName&) {
    co_return co_await public_rooms_from_query(request);
}

Task<Result<Reply>> post_federation_public_rooms(Request& request, const ServerName&) {
    co_return co_await public_rooms_from_body(request);
}

}  // namespace chat::daemon
