#include "app/command_line.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

Result<CommandLine> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "chatd");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(CommandLine, NoArgumentsRunWithTheDefaults) {
    auto line = parse({});
    ASSERT_TRUE(line);
    EXPECT_EQ(line->action, CommandLine::Action::run);
    EXPECT_FALSE(line->config_file);
}

TEST(CommandLine, ReadsTheConfigFileInBothForms) {
    EXPECT_EQ(*parse({"--config", "a.yaml"})->config_file, "a.yaml");
    EXPECT_EQ(*parse({"--config=b.yaml"})->config_file, "b.yaml");
    EXPECT_EQ(*parse({"-c", "c.yaml"})->config_file, "c.yaml");
}

TEST(CommandLine, ReadsTheOtherActions) {
    EXPECT_EQ(parse({"--generate-config"})->action, CommandLine::Action::generate_config);
    EXPECT_EQ(parse({"--help"})->action, CommandLine::Action::help);
    EXPECT_EQ(parse({"--version"})->action, CommandLine::Action::version);
}

TEST(CommandLine, RefusesMistakes) {
    EXPECT_FALSE(parse({"--config"}));
    EXPECT_FALSE(parse({"--config="}));
    auto unknown = parse({"--port", "80"});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "unknown argument '--port' (see --help)");
}

}  // namespace
}  // namespace chat::daemon
