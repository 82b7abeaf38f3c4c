#include <iostream>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

int server_version(Context& ctx) {
    auto answer = ctx.request("GET", "/_synapse/admin/v1/server_version", std::nullopt, false);
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body, {"server", "server_version"});
    return kOk;
}

int server_stats(Context& ctx) {
    auto answer = ctx.request("GET", "/_chatd/admin/v1/statistics");
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body, {"users", "active_users", "rooms", "events", "local_media"});
    return kOk;
}

}  // namespace

void add_server_commands(CLI::App& app, CommandLine& line) {
    auto* server = app.add_subcommand("server", "Server information");
    server->require_subcommand(1);
    server->add_subcommand("version", "The server's name and version")->callback([&line] {
        line.needs_token = false;
        line.action = server_version;
    });
    server->add_subcommand("stats", "Counts of users, rooms, events and local media")
        ->callback([&line] { line.action = server_stats; });
}

}  // namespace chat::cli
