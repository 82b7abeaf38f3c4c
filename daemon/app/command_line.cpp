#include "app/command_line.hpp"

#include <string_view>

namespace chat::daemon {

Result<CommandLine> parse_command_line(int argc, const char* const* argv) {
    CommandLine line;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            line.action = CommandLine::Action::help;
        } else if (arg == "--version") {
            line.action = CommandLine::Action::version;
        } else if (arg == "--generate-config") {
            line.action = CommandLine::Action::generate_config;
        } else if (arg == "--config" || arg == "-c") {
            if (i + 1 >= argc)
                return make_error(Errc::invalid_param, std::string(arg) + " needs a file name");
            line.config_file = argv[++i];
        } else if (arg.starts_with("--config=")) {
            line.config_file = arg.substr(std::string_view("--config=").size());
        } else {
            return make_error(Errc::invalid_param,
                              "unknown argument '" + std::string(arg) + "' (see --help)");
        }
    }
    if (line.config_file && line.config_file->empty())
        return make_error(Errc::invalid_param, "--config needs a file name");
    return line;
}

std::string usage() {
    return "Usage: chatd [--config FILE]\n"
           "       chatd --generate-config > chatd.yaml\n"
           "\n"
           "A Matrix homeserver. Without --config it serves http://127.0.0.1:8008 with its\n"
           "data under ./data.\n"
           "\n"
           "  -c, --config FILE    read the YAML configuration in FILE\n"
           "  --generate-config    print every option with its default, then exit\n"
           "  -h, --help           print this help, then exit\n"
           "  --version            print the version, then exit\n"
           "\n"
           "Exit status: 0 after a clean shutdown (SIGINT, SIGTERM), 1 on a bad\n"
           "configuration or when the server cannot start.\n";
}

}  // namespace chat::daemon
