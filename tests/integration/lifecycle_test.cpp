// Starting, stopping and misconfiguring the real chatd.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <httplib.h>

#include <gtest/gtest.h>

#include <chat/crypto/signing_key.hpp>

#include "support/daemon.hpp"
#include "support/raw_http.hpp"

namespace chat::test {
namespace {

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// chatd's contract for a refusal to start: exit 1 and exactly one line.
void expect_one_line_failure(const Finished& run, std::string_view names) {
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(names), std::string::npos) << run.err;
    EXPECT_EQ(run.err.rfind("chatd: ", 0), 0u) << run.err;
}

Finished run_with_config(const TempDir& dir, const std::string& yaml) {
    std::ofstream(dir.path() / "bad.yaml") << yaml;
    return run_chatd({"--config", (dir.path() / "bad.yaml").string()}, dir.path());
}

TEST(Lifecycle, SigtermShutsDownWithExitCode0) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path());
    // An idle kept-alive connection must not hold the shutdown up.
    RawConnection idle(daemon->port());
    ASSERT_TRUE(idle.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(idle.read_response());

    EXPECT_EQ(daemon->stop(), 0) << daemon->log_tail();
    EXPECT_TRUE(idle.wait_closed());
    EXPECT_FALSE(std::filesystem::exists(daemon->ready_file()));
    EXPECT_NE(daemon->log_tail().find("SIGTERM received"), std::string::npos) << daemon->log_tail();
}

TEST(Lifecycle, SigintShutsDownWithExitCode0) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path());
    ::kill(daemon->pid(), SIGINT);
    EXPECT_EQ(daemon->stop(), 0) << daemon->log_tail();
}

TEST(Lifecycle, CreatesTheDatabaseInWalMode) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path());
    auto db = daemon->data_dir() / "chatd.db";
    ASSERT_TRUE(std::filesystem::exists(db)) << daemon->log_tail();
    auto header = read_file(db);
    ASSERT_GE(header.size(), 20u);
    EXPECT_EQ(header[18], 2);  // WAL: file format read and write versions are 2
    EXPECT_EQ(header[19], 2);
}

TEST(Lifecycle, TheSigningKeyIsCreatedOnceAndKeptAcrossRestarts) {
    TempDir dir;
    auto key_file = dir.path() / "data" / "signing.key";

    auto first = Daemon::start(dir.path());
    ASSERT_TRUE(std::filesystem::exists(key_file)) << first->log_tail();
    auto text = read_file(key_file);
    auto key = crypto::SigningKey::load(key_file);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_NE(first->log_tail().find("generated signing key " + key->key_id()), std::string::npos)
        << first->log_tail();
    ASSERT_EQ(first->stop(), 0) << first->log_tail();

    auto second = Daemon::start(dir.path());
    EXPECT_EQ(read_file(key_file), text);
    auto again = crypto::SigningKey::load(key_file);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->key_id(), key->key_id());
    EXPECT_EQ(again->verify_key().public_key(), key->verify_key().public_key());
    // The second start reports the same key and generates none.
    auto log = second->log_tail(200);
    EXPECT_EQ(log.find("generated signing key"), log.rfind("generated signing key"));
    EXPECT_NE(log.rfind("signing key " + key->key_id() + ")"), std::string::npos) << log;
    EXPECT_EQ(second->stop(), 0);
}

TEST(Lifecycle, ABadValueExitsWith1AndOneLineNamingTheKey) {
    TempDir dir;
    auto run = run_with_config(dir, "server_name: a.test\nport: abc\n");
    expect_one_line_failure(run, "port: expected an integer");
}

TEST(Lifecycle, AnUnknownKeyExitsWith1AndOneLineNamingIt) {
    TempDir dir;
    auto run = run_with_config(dir, "frobnicate: yes\n");
    expect_one_line_failure(run, "frobnicate: unknown option");
}

TEST(Lifecycle, InvalidYamlExitsWith1) {
    TempDir dir;
    auto run = run_with_config(dir, "port: [8008\n");
    expect_one_line_failure(run, "invalid YAML");
}

TEST(Lifecycle, AMissingConfigFileExitsWith1) {
    TempDir dir;
    auto run = run_chatd({"--config", "no-such.yaml"}, dir.path());
    expect_one_line_failure(run, "no-such.yaml");
}

TEST(Lifecycle, ABusyPortExitsWith1AndOneLine) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path());
    TempDir other;
    auto run =
        run_with_config(other, "bind_address: 127.0.0.1\nport: " + std::to_string(daemon->port()) +
                                   "\ndata_dir: " + (other.path() / "data").string() + "\n");
    expect_one_line_failure(run, "cannot listen on 127.0.0.1:" + std::to_string(daemon->port()));
}

TEST(Lifecycle, AnUnusableDataDirExitsWith1AndOneLine) {
    TempDir dir;
    std::ofstream(dir.path() / "a-file") << "not a directory";
    auto run = run_with_config(
        dir, "port: 0\ndata_dir: " + (dir.path() / "a-file" / "data").string() + "\n");
    expect_one_line_failure(run, "cannot create directory");
}

TEST(Lifecycle, CommandLineActions) {
    TempDir dir;
    auto version = run_chatd({"--version"}, dir.path());
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out.rfind("chatd ", 0), 0u) << version.out;

    auto help = run_chatd({"--help"}, dir.path());
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--generate-config"), std::string::npos);

    auto generated = run_chatd({"--generate-config"}, dir.path());
    EXPECT_EQ(generated.exit_code, 0);
    EXPECT_NE(generated.out.find("server_name: localhost"), std::string::npos);

    expect_one_line_failure(run_chatd({"--bogus"}, dir.path()), "--bogus");
}

}  // namespace
}  // namespace chat::test
