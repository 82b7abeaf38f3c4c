#include "api/client/devices.hpp"

#include <nlohmann/json.hpp>

#include <chat/accounts/account_service.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>

#include "api/client/body_fields.hpp"
#include "api/client/keys_federation.hpp"
#include "auth/authenticate.hpp"
#include "auth/uia.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

nlohmann::json device_json(const accounts::Device& device) {
    nlohmann::json out = {{"device_id", device.device_id}};
    out["display_name"] = device.display_name ? nlohmann::json(*device.display_name) : nullptr;
    out["last_seen_ip"] = device.last_seen_ip ? nlohmann::json(*device.last_seen_ip) : nullptr;
    out["last_seen_ts"] = device.last_seen_ts ? nlohmann::json(*device.last_seen_ts) : nullptr;
    return out;
}

}  // namespace

Task<Result<Reply>> get_devices(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto devices = co_await services.db->run(
        [&] { return services.accounts->list_devices(request.requester().user_id); });
    if (!devices) co_return devices.error();
    auto list = nlohmann::json::array();
    for (const auto& device : *devices) list.push_back(device_json(device));
    co_return Reply::json({{"devices", list}});
}

Task<Result<Reply>> get_device(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    std::string device_id(request.path_param("deviceId"));
    auto device = co_await services.db->run(
        [&] { return services.accounts->get_device(request.requester().user_id, device_id); });
    if (!device) co_return device.error();
    co_return Reply::json(device_json(*device));
}

Task<Result<Reply>> put_device(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto name = optional_string(*body, "display_name");
    if (!name) co_return name.error();
    const auto& services = request.services();
    std::string device_id(request.path_param("deviceId"));
    auto renamed = co_await services.db->run([&] {
        return services.accounts->rename_device(request.requester().user_id, device_id,
                                                std::move(*name));
    });
    if (!renamed) co_return renamed.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> delete_device(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto uia = co_await services.uia->check(request, *body, UiaSessions::Stage::password, user);
    if (!uia) co_return uia.error();
    if (!uia->passed) co_return std::move(*uia->reply);
    std::string device_id(request.path_param("deviceId"));
    auto deleted =
        co_await services.db->run([&] { return services.accounts->delete_device(user, device_id); });
    if (!deleted) co_return deleted.error();
    co_await announce_device_change(services, user, device_id, false);  // other servers' users
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> post_delete_devices(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto devices = optional_string_list(*body, "devices");
    if (!devices) co_return devices.error();
    if (!body->contains("devices")) co_return make_error(Errc::missing_param, "Missing 'devices'");
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto uia = co_await services.uia->check(request, *body, UiaSessions::Stage::password, user);
    if (!uia) co_return uia.error();
    if (!uia->passed) co_return std::move(*uia->reply);
    auto deleted =
        co_await services.db->run([&] { return services.accounts->delete_devices(user, *devices); });
    if (!deleted) co_return deleted.error();
    for (const auto& gone : *devices) co_await announce_device_change(services, user, gone, false);
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
