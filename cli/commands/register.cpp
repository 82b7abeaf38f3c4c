#include <iostream>
#include <memory>

#include <chat/accounts/shared_secret.hpp>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

struct RegisterOptions {
    std::string username;
    std::string password;
    std::optional<std::string> shared_secret;
    std::optional<std::string> displayname;
    std::optional<std::string> user_type;
    bool admin = false;
};

// Shared-secret registration (GET then POST /_synapse/admin/v1/register):
// the nonce is single use, the MAC proves we know registration.shared_secret.
int register_user(Context& ctx, const RegisterOptions& o) {
    auto secret = o.shared_secret ? o.shared_secret : ctx.settings().shared_secret;
    if (!secret) {
        std::cerr << "chatctl: no shared secret: use --shared-secret, CHATCTL_SHARED_SECRET or "
                     "`shared_secret:` in the config file (chatd's registration.shared_secret)\n";
        return kUsage;
    }
    auto nonce = ctx.request("GET", "/_synapse/admin/v1/register", std::nullopt, false);
    if (int code = ctx.check(nonce); code != kOk) return code;
    if (!nonce.body.contains("nonce") || !nonce.body["nonce"].is_string()) {
        std::cerr << "chatctl: the server sent no nonce\n";
        return kRefused;
    }
    const auto n = nonce.body["nonce"].get<std::string>();
    std::optional<std::string_view> type;
    if (o.user_type) type = *o.user_type;
    nlohmann::json body = {
        {"nonce", n},
        {"username", o.username},
        {"password", o.password},
        {"admin", o.admin},
        {"mac", accounts::shared_secret_mac(*secret, n, o.username, o.password, o.admin, type)},
    };
    if (o.displayname) body["displayname"] = *o.displayname;
    if (o.user_type) body["user_type"] = *o.user_type;
    auto made = ctx.request("POST", "/_synapse/admin/v1/register", body, false);
    if (int code = ctx.check(made); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(made.body);
    } else {
        print_fields(made.body, {"user_id", "device_id", "access_token"});
    }
    return kOk;
}

}  // namespace

void add_register_command(CLI::App& app, CommandLine& line) {
    auto o = std::make_shared<RegisterOptions>();
    auto* cmd = app.add_subcommand(
        "register", "Create an account with shared-secret registration (the first admin)");
    cmd->add_option("username", o->username, "Localpart of the new account")->required();
    cmd->add_option("--password", o->password, "Its password")->required();
    cmd->add_flag("--admin", o->admin, "Make it a server admin");
    cmd->add_option("--shared-secret", o->shared_secret,
                    "chatd's registration.shared_secret (env CHATCTL_SHARED_SECRET)");
    cmd->add_option("--displayname", o->displayname, "Its display name");
    cmd->add_option("--user-type", o->user_type, "bot, support, ... (default: a regular user)");
    cmd->callback([&line, o] {
        line.needs_token = false;
        line.action = [o](Context& ctx) { return register_user(ctx, *o); };
    });
}

}  // namespace chat::cli
