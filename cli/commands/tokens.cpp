#include <iostream>
#include <memory>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

const std::vector<std::string> kTokenFields = {"token", "uses_allowed", "pending", "completed",
                                               "expiry_time"};

std::string token_path(const std::string& token) {
    return "/_synapse/admin/v1/registration_tokens/" + escape(token);
}

int show_token_answer(Context& ctx, const Answer& answer) {
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body, kTokenFields);
    return kOk;
}

int list_tokens(Context& ctx, bool valid, bool invalid) {
    std::string path = "/_synapse/admin/v1/registration_tokens";
    if (valid) path += "?valid=true";
    if (invalid) path += "?valid=false";
    auto answer = ctx.request("GET", path);
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"TOKEN", "USES_ALLOWED", "PENDING", "COMPLETED", "EXPIRES"}, {}};
    for (const auto& t : answer.body.value("registration_tokens", nlohmann::json::array()))
        table.rows.push_back({cell(t.value("token", nlohmann::json())),
                              t.value("uses_allowed", nlohmann::json()).is_null()
                                  ? std::string("unlimited")
                                  : cell(t["uses_allowed"]),
                              cell(t.value("pending", nlohmann::json())),
                              cell(t.value("completed", nlohmann::json())),
                              t.value("expiry_time", nlohmann::json()).is_null()
                                  ? std::string("never")
                                  : time_cell(t["expiry_time"])});
    table.print();
    return kOk;
}

struct CreateOptions {
    std::optional<std::string> token;
    std::optional<std::int64_t> length;
    std::optional<std::int64_t> uses;
    std::optional<std::int64_t> expiry_time;
};

int create_token(Context& ctx, const CreateOptions& o) {
    nlohmann::json body = nlohmann::json::object();
    if (o.token) body["token"] = *o.token;
    if (o.length) body["length"] = *o.length;
    if (o.uses) body["uses_allowed"] = *o.uses;
    if (o.expiry_time) body["expiry_time"] = *o.expiry_time;
    return show_token_answer(ctx,
                             ctx.request("POST", "/_synapse/admin/v1/registration_tokens/new", body));
}

struct UpdateOptions {
    std::string token;
    std::optional<std::int64_t> uses;
    bool unlimited = false;
    std::optional<std::int64_t> expiry_time;
    bool no_expiry = false;
};

int update_token(Context& ctx, const UpdateOptions& o) {
    nlohmann::json body = nlohmann::json::object();
    if (o.uses) body["uses_allowed"] = *o.uses;
    if (o.unlimited) body["uses_allowed"] = nullptr;
    if (o.expiry_time) body["expiry_time"] = *o.expiry_time;
    if (o.no_expiry) body["expiry_time"] = nullptr;
    if (body.empty()) {
        std::cerr << "chatctl: nothing to change (see chatctl token update --help)\n";
        return kUsage;
    }
    return show_token_answer(ctx, ctx.request("PUT", token_path(o.token), body));
}

int delete_token(Context& ctx, const std::string& token) {
    auto answer = ctx.request("DELETE", token_path(token), nlohmann::json::object());
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        std::cout << "deleted " << token << "\n";
    return kOk;
}

}  // namespace

void add_token_commands(CLI::App& app, CommandLine& line) {
    auto* tokens = app.add_subcommand("token", "Registration tokens");
    tokens->require_subcommand(1);

    struct ListFlags {
        bool valid = false;
        bool invalid = false;
    };
    auto list = std::make_shared<ListFlags>();
    auto* cmd = tokens->add_subcommand("list", "List registration tokens");
    auto* valid = cmd->add_flag("--valid", list->valid, "Only tokens usable now");
    cmd->add_flag("--invalid", list->invalid, "Only used-up or expired tokens")->excludes(valid);
    cmd->callback([&line, list] {
        line.action = [list](Context& ctx) { return list_tokens(ctx, list->valid, list->invalid); };
    });

    auto create = std::make_shared<CreateOptions>();
    cmd = tokens->add_subcommand("create", "Create a registration token");
    auto* given = cmd->add_option("--token", create->token, "The token (default: random)");
    cmd->add_option("--length", create->length, "Length of a random token (default 16)")
        ->check(CLI::Range(1, 64))
        ->excludes(given);
    cmd->add_option("--uses", create->uses, "How many registrations (default unlimited)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--expiry-time", create->expiry_time,
                    "When it expires, ms since the epoch (default never)");
    cmd->callback([&line, create] {
        line.action = [create](Context& ctx) { return create_token(ctx, *create); };
    });

    auto show = std::make_shared<std::string>();
    cmd = tokens->add_subcommand("show", "One registration token");
    cmd->add_option("token", *show, "The token")->required();
    cmd->callback([&line, show] {
        line.action = [show](Context& ctx) {
            return show_token_answer(ctx, ctx.request("GET", token_path(*show)));
        };
    });

    auto update = std::make_shared<UpdateOptions>();
    cmd = tokens->add_subcommand("update", "Change a token's uses or expiry");
    cmd->add_option("token", update->token, "The token")->required();
    auto* uses = cmd->add_option("--uses", update->uses, "How many registrations in all")
                     ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--unlimited", update->unlimited, "No limit on uses")->excludes(uses);
    auto* expiry = cmd->add_option("--expiry-time", update->expiry_time,
                                   "When it expires, ms since the epoch");
    cmd->add_flag("--no-expiry", update->no_expiry, "Never expires")->excludes(expiry);
    cmd->callback([&line, update] {
        line.action = [update](Context& ctx) { return update_token(ctx, *update); };
    });

    auto del = std::make_shared<std::string>();
    cmd = tokens->add_subcommand("delete", "Delete a registration token");
    cmd->add_option("token", *del, "The token")->required();
    cmd->callback([&line, del] {
        line.action = [del](Context& ctx) { return delete_token(ctx, *del); };
    });
}

}  // namespace chat::cli
