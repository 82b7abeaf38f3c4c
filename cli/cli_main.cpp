#include "cli_main.hpp"

#include <exception>
#include <iostream>

#include "commands/commands.hpp"

namespace chat::cli {

int run(int argc, char** argv) {
    CLI::App app{"chatctl: administer a chatd server over its admin API"};
    app.name("chatctl");
    CommandLine line;
    app.add_option("--server", line.options.server,
                   "Server URL (default http://127.0.0.1:8008; env CHATCTL_SERVER)");
    app.add_option("--token", line.options.token, "An admin's access token (env CHATCTL_TOKEN)");
    app.add_option("--config", line.options.config,
                   "YAML config file (default ~/.config/chatctl/config.yaml)");
    app.add_flag("--json", line.options.json, "Print the server's JSON instead of tables");
    app.require_subcommand(1);
    add_register_command(app, line);
    add_user_commands(app, line);
    add_room_commands(app, line);
    add_token_commands(app, line);
    add_media_commands(app, line);
    add_server_commands(app, line);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0.
        const int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }
    if (!line.action) {
        std::cerr << "chatctl: no command given (see chatctl --help)\n";
        return kUsage;
    }
    Settings settings;
    if (auto problem = resolve_settings(line.options, settings)) {
        std::cerr << "chatctl: " << *problem << "\n";
        return kUsage;
    }
    Context context(std::move(settings), line.options.json);
    if (line.needs_token) {
        if (int code = context.require_token(); code != kOk) return code;
    }
    try {
        return line.action(context);
    } catch (const std::exception& e) {
        std::cerr << "chatctl: " << e.what() << "\n";
        return kRefused;
    }
}

}  // namespace chat::cli
