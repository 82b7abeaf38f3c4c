// chatctl, the real binary, against a real chatd: every command group, table
// and --json output, settings from flags, environment and config file, and
// the exit codes (0 ok, 1 refused, 2 usage, 3 unreachable).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/run_program.hpp"

namespace chat::test {
namespace {

class Chatctl : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kAdminYaml);
        server_ = "http://127.0.0.1:" + std::to_string(daemon_->port());
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    // chatctl --server <ours> args...
    ProgramRun ctl(std::vector<std::string> args,
                   const std::vector<std::pair<std::string, std::string>>& env = {}) const {
        args.insert(args.begin(), {"--server", server_});
        return run_program(CHATCTL_BINARY, args, work_.path(), env);
    }
    // chatctl --server <ours> --token <admin> args...
    ProgramRun admin(std::vector<std::string> args) {
        if (token_.empty()) token_ = registered_admin(daemon_->port(), "root").token();
        args.insert(args.begin(), {"--token", token_});
        return ctl(std::move(args));
    }
    static nlohmann::json json_of(const ProgramRun& run) {
        return nlohmann::json::parse(run.out, nullptr, false);
    }
    MatrixClient user(std::string_view name) const {
        return MatrixClient::registered(daemon_->port(), name);
    }

    TempDir dir_;
    TempDir work_;
    std::unique_ptr<Daemon> daemon_;
    std::string server_;
    std::string token_;
};

std::string show(const ProgramRun& run) {
    return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" + run.err;
}

TEST_F(Chatctl, RegisterCreatesTheFirstAdminWithTheSharedSecret) {
    auto made = ctl({"--json", "register", "root", "--password", "root-pw", "--admin",
                     "--shared-secret", std::string(kAdminSecret)});
    ASSERT_EQ(made.exit_code, 0) << show(made);
    auto body = json_of(made);
    ASSERT_TRUE(body.contains("access_token")) << show(made);
    EXPECT_EQ(body["user_id"], "@root:localhost");

    auto check = ctl({"--token", body["access_token"].get<std::string>(), "--json", "user", "show",
                      "@root:localhost"});
    ASSERT_EQ(check.exit_code, 0) << show(check);
    EXPECT_EQ(json_of(check)["admin"], 1);

    // The table form, and the secret from the environment.
    auto table = ctl({"register", "second", "--password", "pw2"},
                     {{"CHATCTL_SHARED_SECRET", std::string(kAdminSecret)}});
    ASSERT_EQ(table.exit_code, 0) << show(table);
    EXPECT_NE(table.out.find("user_id:"), std::string::npos) << show(table);
    EXPECT_NE(table.out.find("@second:localhost"), std::string::npos);

    auto wrong = ctl({"register", "third", "--password", "pw3", "--shared-secret", "not-the-secret-at-all"});
    EXPECT_EQ(wrong.exit_code, 1) << show(wrong);
    EXPECT_NE(wrong.err.find("403 M_FORBIDDEN"), std::string::npos) << show(wrong);
    auto no_secret = ctl({"register", "fourth", "--password", "pw4"});
    EXPECT_EQ(no_secret.exit_code, 2) << show(no_secret);
}

TEST_F(Chatctl, UserCommands) {
    user("bob");
    auto created = admin({"user", "create", "@carol:localhost", "--password", "carol-pw",
                          "--displayname", "Carol"});
    ASSERT_EQ(created.exit_code, 0) << show(created);
    EXPECT_NE(created.out.find("displayname:"), std::string::npos) << show(created);
    auto again = admin({"user", "create", "@carol:localhost", "--password", "x"});
    EXPECT_EQ(again.exit_code, 1) << show(again);

    auto list = admin({"user", "list"});
    ASSERT_EQ(list.exit_code, 0) << show(list);
    EXPECT_NE(list.out.find("USER"), std::string::npos) << show(list);
    EXPECT_NE(list.out.find("@bob:localhost"), std::string::npos) << show(list);
    EXPECT_NE(list.out.find("Carol"), std::string::npos) << show(list);
    EXPECT_NE(list.out.find("total: 3"), std::string::npos) << show(list);
    auto page = admin({"--json", "user", "list", "--limit", "1"});
    ASSERT_EQ(page.exit_code, 0) << show(page);
    EXPECT_EQ(json_of(page)["users"].size(), 1u);
    EXPECT_EQ(json_of(page)["next_token"], "1");
    auto admins = admin({"--json", "user", "list", "--admins"});
    EXPECT_EQ(json_of(admins)["total"], 1);

    auto modified = admin({"--json", "user", "modify", "@carol:localhost", "--displayname", "Carol C."});
    ASSERT_EQ(modified.exit_code, 0) << show(modified);
    EXPECT_EQ(json_of(modified)["displayname"], "Carol C.");
    auto unknown = admin({"user", "modify", "@nobody:localhost", "--displayname", "X"});
    EXPECT_EQ(unknown.exit_code, 1) << show(unknown);
    EXPECT_NE(unknown.err.find("M_NOT_FOUND"), std::string::npos) << show(unknown);

    ASSERT_EQ(admin({"user", "admin", "grant", "@bob:localhost"}).exit_code, 0);
    auto is_admin = admin({"--json", "user", "admin", "show", "@bob:localhost"});
    EXPECT_EQ(json_of(is_admin)["admin"], true) << show(is_admin);
    ASSERT_EQ(admin({"user", "admin", "revoke", "@bob:localhost"}).exit_code, 0);
    EXPECT_EQ(json_of(admin({"--json", "user", "admin", "show", "@bob:localhost"}))["admin"], false);

    auto devices = admin({"user", "devices", "@bob:localhost"});
    ASSERT_EQ(devices.exit_code, 0) << show(devices);
    EXPECT_NE(devices.out.find("DEVICE"), std::string::npos) << show(devices);
    auto whois = admin({"--json", "user", "whois", "@bob:localhost"});
    ASSERT_EQ(whois.exit_code, 0) << show(whois);
    EXPECT_EQ(json_of(whois)["devices"].size(), 1u);
    auto whois_table = admin({"user", "whois", "@bob:localhost"});
    ASSERT_EQ(whois_table.exit_code, 0) << show(whois_table);
    EXPECT_NE(whois_table.out.find("user: @bob:localhost"), std::string::npos) << show(whois_table);

    auto reset = admin({"user", "reset-password", "@carol:localhost", "--password", "carol-new"});
    ASSERT_EQ(reset.exit_code, 0) << show(reset);
    auto login = MatrixClient(daemon_->port())
                     .post("/_matrix/client/v3/login",
                           {{"type", "m.login.password"}, {"user", "carol"}, {"password", "carol-new"}});
    EXPECT_EQ(login.status, 200) << login.text;

    auto gone = admin({"user", "deactivate", "@carol:localhost", "--erase"});
    ASSERT_EQ(gone.exit_code, 0) << show(gone);
    auto after = json_of(admin({"--json", "user", "show", "@carol:localhost"}));
    EXPECT_EQ(after["deactivated"], 1);
    EXPECT_EQ(after["erased"], true);
    EXPECT_TRUE(after["displayname"].is_null()) << after.dump();
}

TEST_F(Chatctl, RoomCommandsAndDeleteWithProgress) {
    auto alice = user("alice");
    auto room = alice.create_room({{"name", "Kitchen"}, {"preset", "public_chat"}});
    user("bob").join(room);

    auto list = admin({"room", "list"});
    ASSERT_EQ(list.exit_code, 0) << show(list);
    EXPECT_NE(list.out.find("Kitchen"), std::string::npos) << show(list);
    EXPECT_NE(list.out.find(room), std::string::npos);
    auto searched = admin({"--json", "room", "list", "--search", "kitch", "--order-by", "joined_members"});
    ASSERT_EQ(searched.exit_code, 0) << show(searched);
    EXPECT_EQ(json_of(searched)["total_rooms"], 1);
    auto details = admin({"room", "show", room});
    ASSERT_EQ(details.exit_code, 0) << show(details);
    EXPECT_NE(details.out.find("joined_members:"), std::string::npos) << show(details);
    auto members = admin({"--json", "room", "members", room});
    EXPECT_EQ(json_of(members)["total"], 2) << show(members);
    auto state = admin({"room", "state", room});
    ASSERT_EQ(state.exit_code, 0) << show(state);
    EXPECT_NE(state.out.find("m.room.create"), std::string::npos) << show(state);

    auto deleted = admin({"room", "delete", room, "--purge", "--block"});
    ASSERT_EQ(deleted.exit_code, 0) << show(deleted) << daemon_->log_tail();
    EXPECT_NE(deleted.out.find("status:        complete"), std::string::npos) << show(deleted);
    EXPECT_NE(deleted.out.find("@bob:localhost"), std::string::npos) << show(deleted);
    // Progress goes to stderr, one line per status when it is not a terminal.
    EXPECT_NE(deleted.err.find("deleting " + room + ": complete"), std::string::npos) << show(deleted);

    auto after = admin({"room", "show", room});
    EXPECT_EQ(after.exit_code, 1) << show(after);
    EXPECT_NE(after.err.find("404 M_NOT_FOUND"), std::string::npos) << show(after);
    auto again = admin({"room", "delete", "!gone:localhost"});
    EXPECT_EQ(again.exit_code, 1) << show(again);
}

TEST_F(Chatctl, TokenCommands) {
    auto created = admin({"--json", "token", "create", "--token", "open-sesame", "--uses", "2"});
    ASSERT_EQ(created.exit_code, 0) << show(created);
    EXPECT_EQ(json_of(created)["uses_allowed"], 2);
    auto random = admin({"--json", "token", "create", "--length", "8"});
    ASSERT_EQ(random.exit_code, 0) << show(random);
    EXPECT_EQ(json_of(random)["token"].get<std::string>().size(), 8u);

    auto list = admin({"token", "list"});
    ASSERT_EQ(list.exit_code, 0) << show(list);
    EXPECT_NE(list.out.find("open-sesame"), std::string::npos) << show(list);
    EXPECT_NE(list.out.find("unlimited"), std::string::npos) << show(list);
    auto valid = admin({"--json", "token", "list", "--valid"});
    EXPECT_EQ(json_of(valid)["registration_tokens"].size(), 2u);

    auto shown = admin({"token", "show", "open-sesame"});
    ASSERT_EQ(shown.exit_code, 0) << show(shown);
    EXPECT_NE(shown.out.find("uses_allowed:"), std::string::npos) << show(shown);
    auto updated = admin({"--json", "token", "update", "open-sesame", "--unlimited"});
    ASSERT_EQ(updated.exit_code, 0) << show(updated);
    EXPECT_TRUE(json_of(updated)["uses_allowed"].is_null());
    ASSERT_EQ(admin({"token", "delete", "open-sesame"}).exit_code, 0);
    auto missing = admin({"token", "show", "open-sesame"});
    EXPECT_EQ(missing.exit_code, 1) << show(missing);
    EXPECT_NE(missing.err.find("M_NOT_FOUND"), std::string::npos);
}

TEST_F(Chatctl, ServerCommands) {
    auto version = ctl({"server", "version"});  // needs no token
    ASSERT_EQ(version.exit_code, 0) << show(version);
    EXPECT_NE(version.out.find("server_version:"), std::string::npos) << show(version);
    auto stats = admin({"--json", "server", "stats"});
    ASSERT_EQ(stats.exit_code, 0) << show(stats);
    EXPECT_EQ(json_of(stats)["users"], 1);
}

TEST_F(Chatctl, NonAdminTokensAreRefusedWithExitCode1) {
    auto bob = user("bob");
    for (std::vector<std::string> args :
         {std::vector<std::string>{"user", "list"}, {"room", "list"}, {"token", "list"},
          {"server", "stats"}, {"user", "admin", "grant", "@bob:localhost"}}) {
        args.insert(args.begin(), {"--token", bob.token()});
        auto run = ctl(args);
        EXPECT_EQ(run.exit_code, 1) << show(run);
        EXPECT_NE(run.err.find("403 M_FORBIDDEN"), std::string::npos) << show(run);
        EXPECT_NE(run.err.find("You are not a server admin"), std::string::npos) << show(run);
    }
}

TEST_F(Chatctl, BadArgumentsAreUsageErrorsWithExitCode2) {
    const std::vector<std::vector<std::string>> bad = {
        {},
        {"user"},
        {"frobnicate"},
        {"user", "show"},
        {"user", "list", "--limit", "0"},
        {"user", "list", "--admins", "--non-admins"},
        {"user", "modify", "@x:localhost"},
        {"token", "create", "--token", "a", "--length", "3"},
        {"media", "quarantine", "not-an-mxc-uri"},
        {"room", "delete", "!r:localhost", "--timeout", "-1"},
    };
    for (auto args : bad) {
        args.insert(args.begin(), {"--token", "whatever"});
        auto run = ctl(args);
        EXPECT_EQ(run.exit_code, 2) << show(run);
        EXPECT_FALSE(run.err.empty()) << show(run);
    }
    auto no_token = ctl({"user", "list"});
    EXPECT_EQ(no_token.exit_code, 2) << show(no_token);
    EXPECT_NE(no_token.err.find("no access token"), std::string::npos) << show(no_token);
    auto bad_url = run_program(CHATCTL_BINARY, {"--server", "ftp://x", "--token", "t", "user", "list"},
                               work_.path());
    EXPECT_EQ(bad_url.exit_code, 2) << show(bad_url);
    auto help = ctl({"--help"});
    EXPECT_EQ(help.exit_code, 0) << show(help);
    EXPECT_NE(help.out.find("register"), std::string::npos);
}

TEST_F(Chatctl, UnreachableServerIsExitCode3) {
    // Port 1 on loopback: nothing listens there.
    auto run = run_program(CHATCTL_BINARY,
                           {"--server", "http://127.0.0.1:1", "--token", "t", "user", "list"},
                           work_.path());
    EXPECT_EQ(run.exit_code, 3) << show(run);
    EXPECT_NE(run.err.find("cannot connect to http://127.0.0.1:1"), std::string::npos) << show(run);
}

TEST_F(Chatctl, SettingsComeFromFlagsEnvironmentAndConfigFile) {
    auto token = registered_admin(daemon_->port(), "root").token();
    const std::vector<std::string> list = {"--json", "user", "list"};

    // The environment alone.
    auto from_env = run_program(CHATCTL_BINARY, list, work_.path(),
                                {{"CHATCTL_SERVER", server_}, {"CHATCTL_TOKEN", token}});
    ASSERT_EQ(from_env.exit_code, 0) << show(from_env);
    EXPECT_EQ(json_of(from_env)["total"], 1);

    // A config file named with --config, and the default one under XDG_CONFIG_HOME.
    const auto file = work_.path() / "chatctl.yaml";
    std::ofstream(file) << "server: " << server_ << "\ntoken: " << token << "\n";
    auto args = list;
    args.insert(args.begin(), {"--config", file.string()});
    auto from_file = run_program(CHATCTL_BINARY, args, work_.path());
    ASSERT_EQ(from_file.exit_code, 0) << show(from_file);
    std::filesystem::create_directories(work_.path() / "xdg/chatctl");
    std::filesystem::copy_file(file, work_.path() / "xdg/chatctl/config.yaml");
    auto from_default = run_program(CHATCTL_BINARY, list, work_.path(),
                                    {{"XDG_CONFIG_HOME", (work_.path() / "xdg").string()}});
    ASSERT_EQ(from_default.exit_code, 0) << show(from_default);

    // Flags beat the environment, which beats the file.
    auto flag_wins = run_program(CHATCTL_BINARY,
                                 {"--config", file.string(), "--token", "bad-token", "user", "list"},
                                 work_.path(), {{"CHATCTL_TOKEN", token}});
    EXPECT_EQ(flag_wins.exit_code, 1) << show(flag_wins);
    EXPECT_NE(flag_wins.err.find("M_UNKNOWN_TOKEN"), std::string::npos) << show(flag_wins);
    auto env_wins = run_program(CHATCTL_BINARY, {"--config", file.string(), "user", "list"},
                                work_.path(), {{"CHATCTL_TOKEN", "bad-token"}});
    EXPECT_EQ(env_wins.exit_code, 1) << show(env_wins);

    // A broken or missing config file is a usage error.
    const auto broken = work_.path() / "broken.yaml";
    std::ofstream(broken) << "colour: blue\n";
    auto bad = run_program(CHATCTL_BINARY, {"--config", broken.string(), "server", "version"},
                           work_.path());
    EXPECT_EQ(bad.exit_code, 2) << show(bad);
    EXPECT_NE(bad.err.find("unknown key 'colour'"), std::string::npos) << show(bad);
    auto missing = run_program(CHATCTL_BINARY,
                               {"--config", (work_.path() / "none.yaml").string(), "server", "version"},
                               work_.path());
    EXPECT_EQ(missing.exit_code, 2) << show(missing);
}

}  // namespace
}  // namespace chat::test
