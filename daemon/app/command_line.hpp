#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <chat/core/result.hpp>

namespace chat::daemon {

// What chatd was asked to do on its command line.
struct CommandLine {
    enum class Action { run, generate_config, help, version };
    Action action = Action::run;
    std::optional<std::filesystem::path> config_file;  // --config FILE; none: defaults
};

// Parses argv (argv[0] excluded). Errors (Errc::invalid_param) are one line:
// an unknown option, or --config without a file.
Result<CommandLine> parse_command_line(int argc, const char* const* argv);

// The --help text.
std::string usage();

}  // namespace chat::daemon
