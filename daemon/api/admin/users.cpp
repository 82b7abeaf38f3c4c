#include "api/admin/users.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <chat/accounts/account_service.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/admin/admin_auth.hpp"
#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Synapse's default page, and our cap on one page.
constexpr std::int64_t kDefaultUsersPage = 100;
constexpr std::int64_t kMaxUsersPage = 1000;

// Synapse sends these flags as 0/1 (its tools, e.g. ruma's
// synapse-admin-api, read them as integers); `erased` is a boolean.
int flag(bool value) { return value ? 1 : 0; }

// One account as the list shows it. Times are ms since the epoch.
nlohmann::json user_json(const store::UserRow& row, bool erased) {
    return {
        {"name", std::string(row.user_id.str())},
        {"displayname", json_or_null(row.displayname)},
        {"avatar_url", json_or_null(row.avatar_url)},
        {"user_type", json_or_null(row.user_type)},
        {"is_guest", flag(row.guest)},
        {"admin", flag(row.admin)},
        {"deactivated", flag(row.deactivated)},
        {"erased", erased},
        {"shadow_banned", 0},
        {"locked", false},
        {"approved", true},
        {"creation_ts", row.created_ts},
    };
}

Error user_not_found() { return make_error(Errc::not_found, "User not found"); }

// The details of one account (GET and PUT /v2/users/{userId}): the list
// entry plus fields chatd has no use for yet, null or empty as Synapse shows
// them for an account without them.
Result<nlohmann::json> load_user_details(store::ReadTxn& txn, const UserId& user) {
    auto row = txn.users().get(user);
    if (!row) return row.error();
    if (!*row) return user_not_found();
    auto erased = txn.admin().erased(user);
    if (!erased) return erased.error();
    auto devices = txn.devices().list(user);
    if (!devices) return devices.error();
    std::optional<std::int64_t> last_seen;
    for (const auto& device : *devices) {
        if (device.last_seen_ts && (!last_seen || *device.last_seen_ts > *last_seen))
            last_seen = device.last_seen_ts;
    }
    auto body = user_json(**row, *erased);
    body["threepids"] = nlohmann::json::array();
    body["external_ids"] = nlohmann::json::array();
    body["appservice_id"] = nullptr;
    body["consent_server_notice_sent"] = nullptr;
    body["consent_version"] = nullptr;
    body["consent_ts"] = nullptr;
    body["last_seen_ts"] = last_seen ? nlohmann::json(*last_seen) : nlohmann::json();
    return body;
}

Task<Result<nlohmann::json>> user_details(const Services& services, const UserId& user) {
    co_return co_await services.db->read(
        "admin_user_details", [&](store::ReadTxn& txn) { return load_user_details(txn, user); });
}

Task<Result<bool>> user_exists(const Services& services, const UserId& user) {
    co_return co_await services.db->read("admin_user_exists",
                                         [&](store::ReadTxn& txn) -> Result<bool> {
                                             auto row = txn.users().get(user);
                                             if (!row) return row.error();
                                             return row->has_value();
                                         });
}

// Deactivates through AccountService (devices, tokens, rooms), then records
// an erase for the `erased` field.
Task<Result<void>> deactivate_user(const Services& services, const UserId& user, bool erase) {
    auto done = co_await services.db->run([&] { return services.accounts->deactivate(user, erase); });
    if (!done) co_return done.error();
    if (erase) {
        auto marked = co_await services.db->write(
            "admin_mark_erased",
            [&](store::WriteTxn& txn) { return txn.admin().set_erased(user, true); });
        if (!marked) co_return marked.error();
    }
    co_return ok();
}

Task<Result<void>> set_admin_flag(const Services& services, const UserId& user, bool admin) {
    co_return co_await services.db->write("admin_set_admin", [&](store::WriteTxn& txn) {
        return txn.users().set_admin(user, admin);
    });
}

// Synapse refuses this too: an admin who demotes themselves by mistake
// may leave the server without any admin.
Result<void> check_not_self_demotion(const Request& request, const UserId& user, bool admin) {
    if (!admin && request.requester().user_id == user)
        return make_error(Errc::forbidden, "You may not demote yourself.");
    return ok();
}

// An optional string field that may also be null (PUT /v2/users: null
// clears a displayname or avatar). Outer none: absent.
Result<std::optional<std::optional<std::string>>> nullable_string(const nlohmann::json& body,
                                                                  std::string_view field) {
    auto it = body.find(field);
    if (it == body.end()) return std::optional<std::optional<std::string>>();
    if (it->is_null()) return std::optional<std::optional<std::string>>(std::optional<std::string>());
    if (!it->is_string())
        return make_error(Errc::bad_json, "'" + std::string(field) + "' must be a string or null");
    return std::optional<std::optional<std::string>>(it->get<std::string>());
}

}  // namespace

Task<Result<Reply>> get_admin_users(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    store::UserListQuery query;
    auto from = query_count(request, "from", 0);
    if (!from) co_return from.error();
    auto limit = query_count(request, "limit", kDefaultUsersPage);
    if (!limit) co_return limit.error();
    auto guests = query_bool(request, "guests");
    if (!guests) co_return guests.error();
    auto deactivated = query_bool(request, "deactivated");
    if (!deactivated) co_return deactivated.error();
    auto admins = query_bool(request, "admins");
    if (!admins) co_return admins.error();
    auto dir = request.query("dir").value_or("f");
    if (dir != "f" && dir != "b")
        co_return make_error(Errc::invalid_param, "Query parameter 'dir' must be f or b");
    auto order_by = request.query("order_by").value_or("name");
    if (order_by != "name")
        co_return make_error(Errc::invalid_param, "Query parameter 'order_by' must be name");
    query.from = *from;
    query.limit = static_cast<std::size_t>(std::min(*limit, kMaxUsersPage));
    query.name = request.query("name");
    // Synapse ignores user_id when name is given.
    if (!query.name) query.user_id = request.query("user_id");
    query.guests = guests->value_or(true);
    query.deactivated = deactivated->value_or(false);
    query.admins = *admins;
    query.descending = dir == "b";

    const auto& services = request.services();
    auto page = co_await services.db->read(
        "admin_list_users", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto rows = txn.admin().list_users(query);
            if (!rows) return rows.error();
            auto total = txn.admin().count_users(query);
            if (!total) return total.error();
            auto users = nlohmann::json::array();
            for (const auto& row : *rows) {
                auto erased = txn.admin().erased(row.user_id);
                if (!erased) return erased.error();
                users.push_back(user_json(row, *erased));
            }
            nlohmann::json body = {{"users", users}, {"total", *total}};
            const auto next = query.from + static_cast<std::int64_t>(rows->size());
            if (!rows->empty() && next < *total) body["next_token"] = std::to_string(next);
            return body;
        });
    if (!page) co_return page.error();
    co_return Reply::json(*page);
}

Task<Result<Reply>> get_admin_user(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto details = co_await user_details(request.services(), *user);
    if (!details) co_return details.error();
    co_return Reply::json(*details);
}

// Fields chatd does not keep (threepids, external_ids, locked) are ignored.
// Changing user_type after creation is not supported yet (ignored).
Task<Result<Reply>> put_admin_user(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto password = optional_string(*body, "password");
    if (!password) co_return password.error();
    auto logout_devices = optional_bool(*body, "logout_devices");
    if (!logout_devices) co_return logout_devices.error();
    auto displayname = nullable_string(*body, "displayname");
    if (!displayname) co_return displayname.error();
    auto avatar_url = nullable_string(*body, "avatar_url");
    if (!avatar_url) co_return avatar_url.error();
    auto user_type = nullable_string(*body, "user_type");
    if (!user_type) co_return user_type.error();
    auto admin = optional_bool(*body, "admin");
    if (!admin) co_return admin.error();
    auto deactivated = optional_bool(*body, "deactivated");
    if (!deactivated) co_return deactivated.error();
    if (*admin) {
        if (auto allowed = check_not_self_demotion(request, *user, **admin); !allowed)
            co_return allowed.error();
    }

    const auto& services = request.services();
    auto exists = co_await user_exists(services, *user);
    if (!exists) co_return exists.error();

    if (!*exists) {
        accounts::Registration registration{.localpart = std::string(user->localpart()),
                                            .password = *password,
                                            .inhibit_login = true,
                                            .admin = admin->value_or(false)};
        if (*displayname && **displayname) registration.displayname = **displayname;
        if (*user_type) registration.user_type = **user_type;
        auto registered = co_await services.cpu->run(
            [&] { return services.accounts->register_user(registration); });
        if (!registered) co_return registered.error();
        if (*avatar_url && **avatar_url) {
            auto set = co_await services.db->run(
                [&] { return services.accounts->set_avatar_url(*user, **avatar_url); });
            if (!set) co_return set.error();
        }
        if (deactivated->value_or(false)) {
            if (auto done = co_await deactivate_user(services, *user, false); !done)
                co_return done.error();
        }
        auto details = co_await user_details(services, *user);
        if (!details) co_return details.error();
        co_return Reply::json(*details, 201);
    }

    auto current = co_await services.db->read(
        "admin_user_row", [&](store::ReadTxn& txn) -> Result<store::UserRow> {
            auto row = txn.users().get(*user);
            if (!row) return row.error();
            if (!*row) return user_not_found();
            return **row;
        });
    if (!current) co_return current.error();

    if (*deactivated && **deactivated && !current->deactivated) {
        if (auto done = co_await deactivate_user(services, *user, false); !done)
            co_return done.error();
    } else if (*deactivated && !**deactivated && current->deactivated) {
        // Deactivation cleared the password; without a new one the account
        // could not log in again.
        if (!*password)
            co_return make_error(Errc::invalid_param,
                                 "Must provide a password to re-activate an account.");
        auto reactivated = co_await services.db->write(
            "admin_reactivate", [&](store::WriteTxn& txn) -> Result<void> {
                if (auto done = txn.users().set_deactivated(*user, false); !done)
                    return done.error();
                return txn.admin().set_erased(*user, false);
            });
        if (!reactivated) co_return reactivated.error();
    }
    if (*password && !(*deactivated && **deactivated)) {
        const bool logout = logout_devices->value_or(true);
        auto changed = co_await services.cpu->run([&] {
            return services.accounts->change_password(*user, **password, logout, std::nullopt);
        });
        if (!changed) co_return changed.error();
    }
    if (*displayname && **displayname != current->displayname) {
        auto set = co_await services.db->run(
            [&] { return services.accounts->set_displayname(*user, **displayname); });
        if (!set) co_return set.error();
    }
    if (*avatar_url && **avatar_url != current->avatar_url) {
        auto set = co_await services.db->run(
            [&] { return services.accounts->set_avatar_url(*user, **avatar_url); });
        if (!set) co_return set.error();
    }
    if (*admin && **admin != current->admin) {
        if (auto set = co_await set_admin_flag(services, *user, **admin); !set)
            co_return set.error();
    }
    auto details = co_await user_details(services, *user);
    if (!details) co_return details.error();
    co_return Reply::json(*details);
}

Task<Result<Reply>> post_admin_deactivate(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto erase = optional_bool(*body, "erase");
    if (!erase) co_return erase.error();
    const auto& services = request.services();
    auto exists = co_await user_exists(services, *user);
    if (!exists) co_return exists.error();
    if (!*exists) co_return user_not_found();
    if (auto done = co_await deactivate_user(services, *user, erase->value_or(false)); !done)
        co_return done.error();
    // Synapse's answer about identity servers; chatd binds no 3PIDs.
    co_return Reply::json({{"id_server_unbind_result", "success"}});
}

Task<Result<Reply>> post_admin_reset_password(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto password = required_string(*body, "new_password");
    if (!password) co_return password.error();
    auto logout_devices = optional_bool(*body, "logout_devices");
    if (!logout_devices) co_return logout_devices.error();
    const auto& services = request.services();
    const bool logout = logout_devices->value_or(true);
    auto changed = co_await services.cpu->run([&] {
        return services.accounts->change_password(*user, *password, logout, std::nullopt);
    });
    if (!changed) co_return changed.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> get_admin_user_admin(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto admin = co_await request.services().db->read(
        "admin_is_admin", [&](store::ReadTxn& txn) -> Result<bool> {
            auto row = txn.users().get(*user);
            if (!row) return row.error();
            if (!*row) return user_not_found();
            return (*row)->admin;
        });
    if (!admin) co_return admin.error();
    co_return Reply::json({{"admin", *admin}});
}

Task<Result<Reply>> put_admin_user_admin(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto admin = optional_bool(*body, "admin");
    if (!admin) co_return admin.error();
    if (!*admin) co_return make_error(Errc::missing_param, "Missing 'admin'");
    if (auto allowed = check_not_self_demotion(request, *user, **admin); !allowed)
        co_return allowed.error();
    if (auto set = co_await set_admin_flag(request.services(), *user, **admin); !set)
        co_return set.error();
    co_return Reply::json(nlohmann::json::object());
}

Task<Result<Reply>> get_admin_user_devices(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto user = local_user_param(request);
    if (!user) co_return user.error();
    auto devices = co_await request.services().db->read(
        "admin_user_devices", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto row = txn.users().get(*user);
            if (!row) return row.error();
            if (!*row) return user_not_found();
            auto list = txn.devices().list(*user);
            if (!list) return list.error();
            auto out = nlohmann::json::array();
            for (const auto& d : *list) {
                out.push_back({
                    {"user_id", std::string(d.user_id.str())},
                    {"device_id", d.device_id},
                    {"display_name", json_or_null(d.display_name)},
                    {"last_seen_ip", json_or_null(d.last_seen_ip)},
                    {"last_seen_ts", d.last_seen_ts ? nlohmann::json(*d.last_seen_ts)
                                                    : nlohmann::json()},
                    {"last_seen_user_agent", json_or_null(d.last_seen_user_agent)},
                });
            }
            return nlohmann::json{{"devices", out}, {"total", list->size()}};
        });
    if (!devices) co_return devices.error();
    co_return Reply::json(*devices);
}

// The spec's whois shape (Synapse serves the same under this path): each
// device has one session whose connections are what we recorded about it,
// none when nothing was.
Task<Result<Reply>> get_admin_whois(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = user_param(request);
    if (!user) co_return user.error();
    if (!request.requester().admin && request.requester().user_id != *user)
        co_return make_error(Errc::forbidden, "You are not a server admin");
    if (user->server() != request.services().server_name)
        co_return make_error(Errc::invalid_param, "Can only whois local users");
    auto whois = co_await request.services().db->read(
        "admin_whois", [&](store::ReadTxn& txn) -> Result<nlohmann::json> {
            auto row = txn.users().get(*user);
            if (!row) return row.error();
            if (!*row) return user_not_found();
            auto list = txn.devices().list(*user);
            if (!list) return list.error();
            auto devices = nlohmann::json::object();
            for (const auto& d : *list) {
                auto connections = nlohmann::json::array();
                if (d.last_seen_ts || d.last_seen_ip)
                    connections.push_back({
                        {"ip", json_or_null(d.last_seen_ip)},
                        {"last_seen", d.last_seen_ts ? nlohmann::json(*d.last_seen_ts)
                                                     : nlohmann::json()},
                        {"user_agent", json_or_null(d.last_seen_user_agent)},
                    });
                devices[d.device_id] = {
                    {"sessions", nlohmann::json::array({{{"connections", connections}}})}};
            }
            return nlohmann::json{{"user_id", std::string(user->str())}, {"devices", devices}};
        });
    if (!whois) co_return whois.error();
    co_return Reply::json(*whois);
}

}  // namespace chat::daemon
