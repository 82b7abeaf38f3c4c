#include <iostream>
#include <memory>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

const std::vector<std::string> kUserFields = {
    "name", "displayname", "avatar_url", "admin", "deactivated", "erased", "is_guest",
    "user_type", "creation_ts", "last_seen_ts"};

std::string user_path(const std::string& user, std::string_view version = "v2") {
    return "/_synapse/admin/" + std::string(version) + "/users/" + escape(user);
}

// Prints the answer: JSON, or the user's fields.
int show_user_answer(Context& ctx, const Answer& answer) {
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body, kUserFields);
    return kOk;
}

struct ListOptions {
    std::optional<std::string> name;
    std::optional<std::string> user_id;
    bool no_guests = false;
    bool deactivated = false;
    bool admins = false;
    bool non_admins = false;
    std::int64_t from = 0;
    std::int64_t limit = 100;
};

int list_users(Context& ctx, const ListOptions& o) {
    std::string path = "/_synapse/admin/v2/users?from=" + std::to_string(o.from) +
                       "&limit=" + std::to_string(o.limit);
    if (o.name) path += "&name=" + escape(*o.name);
    if (o.user_id) path += "&user_id=" + escape(*o.user_id);
    if (o.no_guests) path += "&guests=false";
    if (o.deactivated) path += "&deactivated=true";
    if (o.admins) path += "&admins=true";
    if (o.non_admins) path += "&admins=false";
    auto answer = ctx.request("GET", path);
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"USER", "DISPLAYNAME", "ADMIN", "DEACTIVATED", "GUEST", "CREATED"}, {}};
    for (const auto& u : answer.body.value("users", nlohmann::json::array()))
        table.rows.push_back({cell(u.value("name", nlohmann::json())),
                              cell(u.value("displayname", nlohmann::json())),
                              cell(u.value("admin", nlohmann::json()), true),
                              cell(u.value("deactivated", nlohmann::json()), true),
                              cell(u.value("is_guest", nlohmann::json()), true),
                              time_cell(u.value("creation_ts", nlohmann::json()))});
    table.print();
    std::cout << "total: " << cell(answer.body.value("total", nlohmann::json()));
    if (auto next = answer.body.find("next_token"); next != answer.body.end())
        std::cout << " (more: --from " << cell(*next) << ")";
    std::cout << "\n";
    return kOk;
}

struct CreateOptions {
    std::string user;
    std::optional<std::string> password;
    std::optional<std::string> displayname;
    bool admin = false;
};

int create_user(Context& ctx, const CreateOptions& o) {
    // PUT creates or modifies; `create` must not silently change an account.
    auto existing = ctx.request("GET", user_path(o.user));
    if (existing.status == 200) {
        std::cerr << "chatctl: " << o.user << " already exists (use `chatctl user modify`)\n";
        return kRefused;
    }
    if (existing.status != 404) return ctx.check(existing);
    nlohmann::json body = {{"admin", o.admin}};
    if (o.password) body["password"] = *o.password;
    if (o.displayname) body["displayname"] = *o.displayname;
    return show_user_answer(ctx, ctx.request("PUT", user_path(o.user), body));
}

struct ModifyOptions {
    std::string user;
    std::optional<std::string> password;
    std::optional<std::string> displayname;
    std::optional<std::string> avatar_url;
    std::optional<bool> admin;
    std::optional<bool> deactivated;
    bool keep_devices = false;
};

int modify_user(Context& ctx, const ModifyOptions& o) {
    nlohmann::json body = nlohmann::json::object();
    if (o.password) {
        body["password"] = *o.password;
        body["logout_devices"] = !o.keep_devices;
    }
    if (o.displayname) body["displayname"] = *o.displayname;
    if (o.avatar_url) body["avatar_url"] = *o.avatar_url;
    if (o.admin) body["admin"] = *o.admin;
    if (o.deactivated) body["deactivated"] = *o.deactivated;
    if (body.empty()) {
        std::cerr << "chatctl: nothing to change (see chatctl user modify --help)\n";
        return kUsage;
    }
    // Modifying an unknown user would create it: refuse, as `create` is for that.
    auto existing = ctx.request("GET", user_path(o.user));
    if (int code = ctx.check(existing); code != kOk) return code;
    return show_user_answer(ctx, ctx.request("PUT", user_path(o.user), body));
}

int deactivate_user(Context& ctx, const std::string& user, bool erase) {
    auto answer = ctx.request("POST", "/_synapse/admin/v1/deactivate/" + escape(user),
                              nlohmann::json{{"erase", erase}});
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        std::cout << "deactivated " << user << (erase ? " (profile erased)" : "") << "\n";
    return kOk;
}

int reset_password(Context& ctx, const std::string& user, const std::string& password,
                   bool keep_devices) {
    auto answer = ctx.request("POST", "/_synapse/admin/v1/reset_password/" + escape(user),
                              nlohmann::json{{"new_password", password},
                                             {"logout_devices", !keep_devices}});
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        std::cout << "password of " << user << " changed"
                  << (keep_devices ? "" : "; its devices were logged out") << "\n";
    return kOk;
}

int set_admin(Context& ctx, const std::string& user, bool admin) {
    auto answer = ctx.request("PUT", user_path(user, "v1") + "/admin", nlohmann::json{{"admin", admin}});
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        std::cout << user << (admin ? " is now a server admin" : " is no longer a server admin")
                  << "\n";
    return kOk;
}

int show_admin(Context& ctx, const std::string& user) {
    auto answer = ctx.request("GET", user_path(user, "v1") + "/admin");
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body, {"admin"});
    return kOk;
}

int list_devices(Context& ctx, const std::string& user) {
    auto answer = ctx.request("GET", user_path(user) + "/devices");
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"DEVICE", "NAME", "LAST_SEEN_IP", "LAST_SEEN", "USER_AGENT"}, {}};
    for (const auto& d : answer.body.value("devices", nlohmann::json::array()))
        table.rows.push_back({cell(d.value("device_id", nlohmann::json())),
                              cell(d.value("display_name", nlohmann::json())),
                              cell(d.value("last_seen_ip", nlohmann::json())),
                              time_cell(d.value("last_seen_ts", nlohmann::json())),
                              cell(d.value("last_seen_user_agent", nlohmann::json()))});
    table.print();
    return kOk;
}

int whois(Context& ctx, const std::string& user) {
    auto answer = ctx.request("GET", "/_synapse/admin/v1/whois/" + escape(user));
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"DEVICE", "IP", "LAST_SEEN", "USER_AGENT"}, {}};
    // Named: items() of a temporary would outlive the temporary.
    const auto devices = answer.body.value("devices", nlohmann::json::object());
    for (const auto& [device, info] : devices.items()) {
        bool any = false;
        for (const auto& session : info.value("sessions", nlohmann::json::array())) {
            for (const auto& c : session.value("connections", nlohmann::json::array())) {
                any = true;
                table.rows.push_back({device, cell(c.value("ip", nlohmann::json())),
                                      time_cell(c.value("last_seen", nlohmann::json())),
                                      cell(c.value("user_agent", nlohmann::json()))});
            }
        }
        if (!any) table.rows.push_back({device, "-", "-", "-"});
    }
    std::cout << "user: " << cell(answer.body.value("user_id", nlohmann::json())) << "\n";
    table.print();
    return kOk;
}

// Adds a subcommand taking one USER argument, running `fn(ctx, user)`.
template <typename F>
CLI::App* user_command(CLI::App& parent, CommandLine& line, const char* name, const char* help,
                       F fn) {
    auto user = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand(name, help);
    cmd->add_option("user", *user, "Full user ID, e.g. @alice:example.org")->required();
    cmd->callback([&line, user, fn] {
        line.action = [user, fn](Context& ctx) { return fn(ctx, *user); };
    });
    return cmd;
}

}  // namespace

void add_user_commands(CLI::App& app, CommandLine& line) {
    auto* users = app.add_subcommand("user", "Accounts of this server");
    users->require_subcommand(1);

    auto list = std::make_shared<ListOptions>();
    auto* cmd = users->add_subcommand("list", "List accounts");
    cmd->add_option("--name", list->name, "Only IDs or display names containing this");
    cmd->add_option("--user-id", list->user_id, "Only user IDs containing this");
    cmd->add_flag("--no-guests", list->no_guests, "Leave guest accounts out");
    cmd->add_flag("--deactivated", list->deactivated, "Include deactivated accounts");
    auto* admins = cmd->add_flag("--admins", list->admins, "Only server admins");
    cmd->add_flag("--non-admins", list->non_admins, "Only accounts that are not admins")
        ->excludes(admins);
    cmd->add_option("--from", list->from, "Skip this many (the previous page's next token)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit", list->limit, "At most this many (default 100)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&line, list] {
        line.action = [list](Context& ctx) { return list_users(ctx, *list); };
    });

    user_command(*users, line, "show", "Details of one account", [](Context& ctx, const std::string& u) {
        return show_user_answer(ctx, ctx.request("GET", user_path(u)));
    });

    auto create = std::make_shared<CreateOptions>();
    cmd = users->add_subcommand("create", "Create an account");
    cmd->add_option("user", create->user, "Full user ID of the new account")->required();
    cmd->add_option("--password", create->password, "Its password (none: no password login)");
    cmd->add_option("--displayname", create->displayname, "Its display name");
    cmd->add_flag("--admin", create->admin, "Make it a server admin");
    cmd->callback([&line, create] {
        line.action = [create](Context& ctx) { return create_user(ctx, *create); };
    });

    auto modify = std::make_shared<ModifyOptions>();
    cmd = users->add_subcommand("modify", "Change an account");
    cmd->add_option("user", modify->user, "Full user ID")->required();
    cmd->add_option("--password", modify->password, "A new password (logs devices out)");
    cmd->add_flag("--keep-devices", modify->keep_devices,
                  "With --password: do not log its devices out");
    cmd->add_option("--displayname", modify->displayname, "A new display name");
    cmd->add_option("--avatar-url", modify->avatar_url, "A new avatar (mxc:// URI)");
    cmd->add_option("--admin", modify->admin, "true or false");
    cmd->add_option("--deactivated", modify->deactivated,
                    "true or false (reactivating needs --password)");
    cmd->callback([&line, modify] {
        line.action = [modify](Context& ctx) { return modify_user(ctx, *modify); };
    });

    auto erase = std::make_shared<bool>(false);
    cmd = user_command(*users, line, "deactivate", "Deactivate an account (for good)",
                       [erase](Context& ctx, const std::string& u) {
                           return deactivate_user(ctx, u, *erase);
                       });
    cmd->add_flag("--erase", *erase, "Also erase its profile (display name, avatar)");

    struct Reset {
        std::string password;
        bool keep_devices = false;
    };
    auto reset = std::make_shared<Reset>();
    cmd = user_command(*users, line, "reset-password", "Set a new password",
                       [reset](Context& ctx, const std::string& u) {
                           return reset_password(ctx, u, reset->password, reset->keep_devices);
                       });
    cmd->add_option("--password", reset->password, "The new password")->required();
    cmd->add_flag("--keep-devices", reset->keep_devices, "Do not log its devices out");

    auto* admin = users->add_subcommand("admin", "Server admin rights");
    admin->require_subcommand(1);
    user_command(*admin, line, "grant", "Make a user a server admin",
                 [](Context& ctx, const std::string& u) { return set_admin(ctx, u, true); });
    user_command(*admin, line, "revoke", "Take server admin rights away",
                 [](Context& ctx, const std::string& u) { return set_admin(ctx, u, false); });
    user_command(*admin, line, "show", "Whether a user is a server admin", show_admin);

    user_command(*users, line, "devices", "A user's devices", list_devices);
    user_command(*users, line, "whois", "A user's sessions (IP, last seen, user agent)", whois);
}

}  // namespace chat::cli
