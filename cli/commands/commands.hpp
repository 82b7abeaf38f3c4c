#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace chat::cli {

// The command line as parsed: the global options, and the action of the one
// command chosen (set by that command's CLI11 callback).
struct CommandLine {
    GlobalOptions options;
    std::function<int(Context&)> action;
    bool needs_token = true;  // false for register and server version
};

// One function per command group (commands/<group>.cpp), each adding its
// subcommands to `app`.
void add_register_command(CLI::App& app, CommandLine& line);
void add_user_commands(CLI::App& app, CommandLine& line);
void add_room_commands(CLI::App& app, CommandLine& line);
void add_token_commands(CLI::App& app, CommandLine& line);
void add_media_commands(CLI::App& app, CommandLine& line);
void add_server_commands(CLI::App& app, CommandLine& line);

}  // namespace chat::cli
