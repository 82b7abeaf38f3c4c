#include "api/client/accounts.hpp"

#include <nlohmann/json.hpp>

#include <chat/accounts/account_service.hpp>
#include <chat/accounts/shared_secret.hpp>
#include <chat/crypto/random.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>

#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "auth/nonces.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/registration_tokens.hpp"
#include "auth/uia.hpp"
#include "config/config.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

nlohmann::json session_json(const accounts::Session& session, std::string_view server_name) {
    return {{"user_id", std::string(session.user_id.str())},
            {"access_token", session.access_token},
            {"device_id", session.device_id},
            {"home_server", std::string(server_name)}};
}

// The user a login names: a full user ID, or a localpart on this server.
Result<UserId> login_user(const nlohmann::json& body, std::string_view server_name) {
    std::string text;
    if (auto id = body.find("identifier"); id != body.end() && !id->is_null()) {
        if (!id->is_object()) return make_error(Errc::bad_json, "'identifier' must be an object");
        auto type = required_string(*id, "type");
        if (!type) return type.error();
        if (*type != "m.id.user")
            return make_error(Errc::unrecognized, "Unsupported identifier type: " + *type);
        auto user = required_string(*id, "user");
        if (!user) return user.error();
        text = std::move(*user);
    } else {
        auto user = required_string(body, "user");  // deprecated top-level form
        if (!user) return user.error();
        text = std::move(*user);
    }
    if (!text.starts_with('@')) text = "@" + text + ":" + std::string(server_name);
    auto parsed = UserId::parse(text);
    // The same answer as a wrong password: a login reveals nothing.
    if (!parsed) return make_error(Errc::forbidden, "Invalid username or password.");
    return std::move(*parsed);
}

}  // namespace

// POST /_matrix/client/v3/register
// Username checks come before user-interactive auth, as Synapse does, so a
// client learns M_USER_IN_USE without a round of auth. Blocks the CPU pool
// (argon2id) and a DB thread.
Task<Result<Reply>> post_register(Request& request) {
    const auto& services = request.services();
    if (auto limited = services.limit_register->check(request.remote_address()))
        co_return std::move(*limited);
    if (!services.config->registration_open())
        co_return make_error(Errc::forbidden, "Registration has been disabled");
    auto kind = request.query("kind").value_or("user");
    if (kind == "guest") co_return make_error(Errc::forbidden, "Guest access is disabled");
    if (kind != "user") co_return make_error(Errc::invalid_param, "Unknown kind: " + kind);

    auto body = request.json_object(true);
    if (!body) co_return body.error();
    accounts::Registration registration;
    auto username = optional_string(*body, "username");
    if (!username) co_return username.error();
    auto password = optional_string(*body, "password");
    if (!password) co_return password.error();
    auto device_id = optional_string(*body, "device_id");
    if (!device_id) co_return device_id.error();
    auto display = optional_string(*body, "initial_device_display_name");
    if (!display) co_return display.error();
    auto inhibit = optional_bool(*body, "inhibit_login");
    if (!inhibit) co_return inhibit.error();
    registration.localpart = std::move(*username);
    registration.password = std::move(*password);
    registration.device_id = std::move(*device_id);
    registration.initial_device_display_name = std::move(*display);
    registration.inhibit_login = inhibit->value_or(false);

    if (registration.localpart) {
        auto available = co_await services.db->run(
            [&] { return services.accounts->check_available(*registration.localpart); });
        if (!available) co_return available.error();
    }
    const auto stage = services.config->registration == Registration::token
                           ? UiaSessions::Stage::registration_token
                           : UiaSessions::Stage::dummy;
    auto uia = co_await services.uia->check(request, *body, stage, {});
    if (!uia) co_return uia.error();
    if (!uia->passed) co_return std::move(*uia->reply);

    auto registered = co_await services.cpu->run(
        [&] { return services.accounts->register_user(registration); });
    if (uia->registration_token) {
        // Counted only when an account was made; otherwise the use goes back.
        if (auto ended = co_await finish_registration_token(services, *uia->registration_token,
                                                            registered.has_value());
            !ended)
            co_return ended.error();
    }
    if (!registered) co_return registered.error();
    if (!registered->session)
        co_return Reply::json({{"user_id", std::string(registered->user_id.str())},
                               {"home_server", services.server_name}});
    co_return Reply::json(session_json(*registered->session, services.server_name));
}

// GET /_matrix/client/v3/register/available?username=
Task<Result<Reply>> get_register_available(Request& request) {
    const auto& services = request.services();
    if (auto limited = services.limit_register->check(request.remote_address()))
        co_return std::move(*limited);
    auto username = request.query("username");
    if (!username) co_return make_error(Errc::missing_param, "Missing 'username'");
    auto available =
        co_await services.db->run([&] { return services.accounts->check_available(*username); });
    if (!available) co_return available.error();
    co_return Reply::json({{"available", true}});
}

// GET /_synapse/admin/v1/register
Task<Result<Reply>> get_shared_secret_nonce(Request& request) {
    if (request.services().config->registration_shared_secret.empty())
        co_return make_error(Errc::unrecognized, "Shared secret registration is not enabled");
    co_return Reply::json({{"nonce", request.services().nonces->issue()}});
}

// POST /_synapse/admin/v1/register: creates an account, an admin if asked,
// when the MAC proves knowledge of registration.shared_secret. Works even
// when open registration is off: this is how the first admin is made.
Task<Result<Reply>> post_shared_secret_register(Request& request) {
    const auto& services = request.services();
    const auto& secret = services.config->registration_shared_secret;
    if (secret.empty())
        co_return make_error(Errc::unrecognized, "Shared secret registration is not enabled");
    if (auto limited = services.limit_register->check(request.remote_address()))
        co_return std::move(*limited);
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto nonce = required_string(*body, "nonce");
    if (!nonce) co_return nonce.error();
    auto username = required_string(*body, "username");
    if (!username) co_return username.error();
    auto password = required_string(*body, "password");
    if (!password) co_return password.error();
    auto mac = required_string(*body, "mac");
    if (!mac) co_return mac.error();
    auto admin = optional_bool(*body, "admin");
    if (!admin) co_return admin.error();
    auto user_type = optional_string(*body, "user_type");
    if (!user_type) co_return user_type.error();
    auto displayname = optional_string(*body, "displayname");
    if (!displayname) co_return displayname.error();

    if (!services.nonces->consume(*nonce))
        co_return make_error(Errc::invalid_param, "Unrecognised nonce");
    std::optional<std::string_view> type_view;
    if (*user_type) type_view = **user_type;
    if (!accounts::check_shared_secret_mac(secret, *nonce, *username, *password,
                                           admin->value_or(false), *mac, type_view))
        co_return make_error(Errc::forbidden, "HMAC incorrect");

    accounts::Registration registration{.localpart = *username,
                                        .password = *password,
                                        .displayname = std::move(*displayname),
                                        .user_type = std::move(*user_type),
                                        .admin = admin->value_or(false)};
    auto registered = co_await services.cpu->run(
        [&] { return services.accounts->register_user(registration); });
    if (!registered) co_return registered.error();
    if (!registered->session)
        co_return Reply::json({{"user_id", std::string(registered->user_id.str())}});
    co_return Reply::json(session_json(*registered->session, services.server_name));
}

// GET /_matrix/client/v3/login
Task<Result<Reply>> get_login(Request& /*request*/) {
    co_return Reply::json(
        {{"flows", nlohmann::json::array({{{"type", "m.login.password"}}})}});
}

// POST /_matrix/client/v3/login
// Blocks the CPU pool: argon2id.
Task<Result<Reply>> post_login(Request& request) {
    const auto& services = request.services();
    if (auto limited = services.limit_login->check(request.remote_address()))
        co_return std::move(*limited);
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto type = required_string(*body, "type");
    if (!type) co_return type.error();
    if (*type != "m.login.password")
        co_return make_error(Errc::unrecognized, "Unsupported login type: " + *type);
    auto user = login_user(*body, services.server_name);
    if (!user) co_return user.error();
    auto password = required_string(*body, "password");
    if (!password) co_return password.error();
    auto device_id = optional_string(*body, "device_id");
    if (!device_id) co_return device_id.error();
    auto display = optional_string(*body, "initial_device_display_name");
    if (!display) co_return display.error();

    auto session = co_await services.cpu->run([&] {
        return services.accounts->login_password(*user, *password, std::move(*device_id),
                                                 std::move(*display));
    });
    if (!session) co_return session.error();
    co_return Reply::json(session_json(*session, services.server_name));
}

// POST /_matrix/client/v3/logout
Task<Result<Reply>> post_logout(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto done = co_await services.db->run(
        [&] { return services.accounts->logout(request.requester().access_token); });
    if (!done) co_return done.error();
    co_return Reply::json(nlohmann::json::object());
}

// POST /_matrix/client/v3/logout/all
Task<Result<Reply>> post_logout_all(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto done = co_await services.db->run(
        [&] { return services.accounts->logout_all(request.requester().user_id); });
    if (!done) co_return done.error();
    co_return Reply::json(nlohmann::json::object());
}

// GET /_matrix/client/v3/account/whoami
Task<Result<Reply>> get_whoami(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& requester = request.requester();
    co_return Reply::json({{"user_id", std::string(requester.user_id.str())},
                           {"device_id", requester.device_id},
                           {"is_guest", false}});
}

// POST /_matrix/client/v3/account/password (user-interactive auth: password)
Task<Result<Reply>> post_account_password(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto new_password = required_string(*body, "new_password");
    if (!new_password) co_return new_password.error();
    auto logout_devices = optional_bool(*body, "logout_devices");
    if (!logout_devices) co_return logout_devices.error();

    const auto& requester = request.requester();
    auto uia = co_await services.uia->check(request, *body, UiaSessions::Stage::password,
                                            requester.user_id);
    if (!uia) co_return uia.error();
    if (!uia->passed) co_return std::move(*uia->reply);

    auto changed = co_await services.cpu->run([&] {
        return services.accounts->change_password(requester.user_id, *new_password,
                                                  logout_devices->value_or(true),
                                                  requester.device_id);
    });
    if (!changed) co_return changed.error();
    co_return Reply::json(nlohmann::json::object());
}

// POST /_matrix/client/v3/account/deactivate (user-interactive auth: password)
Task<Result<Reply>> post_account_deactivate(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto erase = optional_bool(*body, "erase");
    if (!erase) co_return erase.error();

    const auto& requester = request.requester();
    auto uia = co_await services.uia->check(request, *body, UiaSessions::Stage::password,
                                            requester.user_id);
    if (!uia) co_return uia.error();
    if (!uia->passed) co_return std::move(*uia->reply);

    auto done = co_await services.db->run(
        [&] { return services.accounts->deactivate(requester.user_id, erase->value_or(false)); });
    if (!done) co_return done.error();
    co_return Reply::json({{"id_server_unbind_result", "no-support"}});
}

Task<Result<Reply>> get_account_3pid(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    co_return Reply::json({{"threepids", nlohmann::json::array()}});
}

// This server keeps no e-mail addresses or phone numbers and has no identity
// server: every change is refused with the errcode the spec has for it.
Task<Result<Reply>> post_account_3pid_refused(Request& /*request*/) {
    co_return Reply::json({{"errcode", "M_THREEPID_DENIED"},
                           {"error", "Third-party identifiers are not supported on this server"}},
                          403);
}

}  // namespace chat::daemon
