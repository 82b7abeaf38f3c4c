#include "api/client/capabilities.hpp"

#include <nlohmann/json.hpp>

#include <chat/events/room_version.hpp>

#include "auth/authenticate.hpp"

namespace chat::daemon {

// What clients may do here: every room version we implement is stable, and
// profile and password changes are allowed; 3pid changes are not (no
// identity server support).
Task<Result<Reply>> get_capabilities(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    nlohmann::json available = nlohmann::json::object();
    for (const auto& version : RoomVersion::all()) available[std::string(version.id)] = "stable";
    co_return Reply::json({{"capabilities",
                            {{"m.room_versions",
                              {{"default", std::string(RoomVersion::default_version().id)},
                               {"available", available}}},
                             {"m.change_password", {{"enabled", true}}},
                             {"m.set_displayname", {{"enabled", true}}},
                             {"m.set_avatar_url", {{"enabled", true}}},
                             {"m.3pid_changes", {{"enabled", false}}},
                             {"m.get_login_token", {{"enabled", false}}}}}});
}

}  // namespace chat::daemon
