// chatd: arguments, Config, App, run. Exit status 0 after a clean shutdown,
// 1 on a bad command line or configuration, or when the server cannot start.
#include <cstdio>
#include <exception>

#include "app/app.hpp"
#include "app/command_line.hpp"
#include "config/config.hpp"

namespace {

int fail(const chat::Error& error) {
    std::fprintf(stderr, "chatd: %s\n", error.message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace chat::daemon;
    try {
        auto line = parse_command_line(argc, argv);
        if (!line) return fail(line.error());
        switch (line->action) {
        case CommandLine::Action::help: std::fputs(usage().c_str(), stdout); return 0;
        case CommandLine::Action::version: std::puts("chatd " CHATD_VERSION); return 0;
        case CommandLine::Action::generate_config:
            std::fputs(generate_config().c_str(), stdout);
            return 0;
        case CommandLine::Action::run: break;
        }
        auto config = line->config_file ? load_config(*line->config_file) : Config{};
        if (!config) return fail(config.error());

        App app(std::move(*config));
        if (auto started = app.start(); !started) return fail(started.error());
        if (auto ran = app.run(); !ran) return fail(ran.error());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "chatd: %s\n", e.what());
        return 1;
    }
}
