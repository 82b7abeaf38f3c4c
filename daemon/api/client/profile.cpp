#include "api/client/profile.hpp"

#include <nlohmann/json.hpp>

#include <chat/accounts/account_service.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>

#include "api/client/body_fields.hpp"
#include "api/client/remote_lookups.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Profiles are public to anyone who can reach the server (Synapse's default
// without `require_auth_for_profile_requests`), so reading needs no token.
Task<Result<accounts::Profile>> read_profile(Request& request) {
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    const auto& services = request.services();
    // Another server's user: ask that server (api/client/remote_lookups.cpp).
    if (user->server() != services.server_name)
        co_return co_await get_remote_profile(request, std::move(*user));
    co_return co_await services.db->run([&] { return services.accounts->get_profile(*user); });
}

nlohmann::json field_json(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The requester may only change their own profile.
Task<Result<UserId>> own_user(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "You cannot change another user's profile");
    co_return std::move(*user);
}

}  // namespace

Task<Result<Reply>> get_profile(Request& request) {
    auto profile = co_await read_profile(request);
    if (!profile) co_return profile.error();
    nlohmann::json out = nlohmann::json::object();
    if (profile->displayname) out["displayname"] = *profile->displayname;
    if (profile->avatar_url) out["avatar_url"] = *profile->avatar_url;
    co_return Reply::json(out);
}

Task<Result<Reply>> get_profile_displayname(Request& request) {
    auto profile = co_await read_profile(request);
    if (!profile) co_return profile.error();
    co_return Reply::json({{"displayname", field_json(profile->displayname)}});
}

Task<Result<Reply>> get_profile_avatar_url(Request& request) {
    auto profile = co_await read_profile(request);
    if (!profile) co_return profile.error();
    co_return Reply::json({{"avatar_url", field_json(profile->avatar_url)}});
}

// Blocks a DB thread: one new member event per joined room.
Task<Result<Reply>> put_profile_displayname(Request& request) {
    auto user = co_await own_user(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto name = optional_string(*body, "displayname");
    if (!name) co_return name.error();
    const auto& services = request.services();
    auto updated = co_await services.db->run(
        [&] { return services.accounts->set_displayname(*user, std::move(*name)); });
    if (!updated) co_return updated.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> put_profile_avatar_url(Request& request) {
    auto user = co_await own_user(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto url = optional_string(*body, "avatar_url");
    if (!url) co_return url.error();
    const auto& services = request.services();
    auto updated = co_await services.db->run(
        [&] { return services.accounts->set_avatar_url(*user, std::move(*url)); });
    if (!updated) co_return updated.error();
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
