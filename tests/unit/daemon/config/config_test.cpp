#include "config/config.hpp"

#include <cctype>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

TEST(Config, EmptyTextGivesTheDefaults) {
    auto config = parse_config("");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(*config, Config{});
    EXPECT_EQ(config->server_name, "localhost");
    EXPECT_EQ(config->bind_address, "127.0.0.1");
    EXPECT_EQ(config->port, 8008);
    EXPECT_EQ(config->data_dir, "./data");
    EXPECT_EQ(config->database_path, "./data/chatd.db");
    EXPECT_EQ(config->signing_key_path, "./data/signing.key");
    EXPECT_TRUE(config->public_baseurl.empty());
    EXPECT_TRUE(config->ready_file.empty());
    EXPECT_EQ(config->http_threads, 2u);
    EXPECT_EQ(config->log_level, "info");
}

TEST(Config, ReadsEveryOption) {
    auto config = parse_config(R"(
server_name: example.org:8448
bind_address: "::1"
port: 0
public_baseurl: https://matrix.example.org/
data_dir: /srv/chatd
database:
  path: /var/lib/chatd/main.db
signing_key_path: /etc/chatd/signing.key
max_request_body_bytes: 4096
request_timeout_seconds: 5
http_threads: 4
log_level: debug
ready_file: /run/chatd/ready.json
)");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->server_name, "example.org:8448");
    EXPECT_EQ(config->bind_address, "::1");
    EXPECT_EQ(config->port, 0);
    EXPECT_EQ(config->public_baseurl, "https://matrix.example.org/");
    EXPECT_EQ(config->data_dir, "/srv/chatd");
    EXPECT_EQ(config->database_path, "/var/lib/chatd/main.db");
    EXPECT_EQ(config->signing_key_path, "/etc/chatd/signing.key");
    EXPECT_EQ(config->max_request_body_bytes, 4096u);
    EXPECT_EQ(config->request_timeout, std::chrono::seconds(5));
    EXPECT_EQ(config->http_threads, 4u);
    EXPECT_EQ(config->log_level, "debug");
    EXPECT_EQ(config->ready_file, "/run/chatd/ready.json");
}

TEST(Config, DerivedPathsFollowDataDir) {
    auto config = parse_config("data_dir: /srv/chatd\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->database_path, "/srv/chatd/chatd.db");
    EXPECT_EQ(config->signing_key_path, "/srv/chatd/signing.key");
}

TEST(Config, NullKeepsTheDefault) {
    auto config = parse_config("port: ~\nserver_name:\ndatabase:\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(*config, Config{});
}

TEST(Config, GeneratedConfigLoadsBackAsTheDefaults) {
    auto config = parse_config(generate_config());
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(*config, Config{});
}

TEST(Config, GeneratedConfigListsEveryOption) {
    auto text = generate_config();
    for (const char* key :
         {"server_name:", "bind_address:", "port:", "public_baseurl:", "data_dir:", "database:",
          "  #path:", "signing_key_path:", "max_request_body_bytes:", "request_timeout_seconds:",
          "http_threads:", "log_level:", "ready_file:", "media:", "  max_upload_bytes:",
          "  legacy_unauthenticated_download:", "  remote_retention_days:"}) {
        EXPECT_NE(text.find(key), std::string::npos) << key;
    }
}

TEST(Config, MediaKeysAreReadAndChecked) {
    auto config = parse_config("media:\n  max_upload_bytes: 1000\n"
                               "  legacy_unauthenticated_download: true\n"
                               "  max_image_pixels: 50\n  unused_expiry_seconds: 60\n"
                               "  remote_retention_days: 0\n");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->media.max_upload_bytes, 1000u);
    EXPECT_TRUE(config->media.legacy_unauthenticated_download);
    EXPECT_EQ(config->media.max_image_pixels, 50u);
    EXPECT_EQ(config->media.unused_expiry, std::chrono::seconds(60));
    EXPECT_EQ(config->media.remote_retention_days, 0u);
    EXPECT_FALSE(Config{}.media.legacy_unauthenticated_download);

    auto zero = parse_config("media:\n  max_upload_bytes: 0\n");
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("media.max_upload_bytes"), std::string::npos);
    EXPECT_FALSE(parse_config("media:\n  legacy_unauthenticated_download: maybe\n"));
    EXPECT_FALSE(parse_config("media:\n  thumbnails: yes\n"));
}

TEST(Config, FederationKeysAreReadAndChecked) {
    auto config = parse_config(
        "federation:\n  key_validity_hours: 48\n"
        "  old_signing_keys: {\"ed25519:old\": {key: \"XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI\","
        " expired_ts: 1234}}\n"
        "  trusted_key_servers:\n  - server_name: notary.org\n"
        "    verify_keys: {\"ed25519:n\": \"XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI\"}\n"
        "  - server_name: other.org\n"
        "  allow_insecure_http: true\n  verify_tls: false\n"
        "  well_known_server: \"m.example.org:443\"\n  well_known_port: 8080\n"
        "  request_timeout_seconds: 5\n");
    ASSERT_TRUE(config) << config.error().message;
    const auto& federation = config->federation;
    EXPECT_EQ(federation.key_validity, std::chrono::hours(48));
    ASSERT_EQ(federation.old_signing_keys.size(), 1u);
    EXPECT_EQ(federation.old_signing_keys[0].key_id, "ed25519:old");
    EXPECT_EQ(federation.old_signing_keys[0].expired_ts, 1234);
    ASSERT_EQ(federation.trusted_key_servers.size(), 2u);
    EXPECT_EQ(federation.trusted_key_servers[0].server_name, "notary.org");
    ASSERT_EQ(federation.trusted_key_servers[0].verify_keys.size(), 1u);
    EXPECT_EQ(federation.trusted_key_servers[0].verify_keys[0].first, "ed25519:n");
    EXPECT_TRUE(federation.trusted_key_servers[1].verify_keys.empty());
    EXPECT_TRUE(federation.allow_insecure_http);
    EXPECT_FALSE(federation.verify_tls);
    EXPECT_EQ(federation.well_known_server, "m.example.org:443");
    EXPECT_EQ(federation.well_known_port, 8080);
    EXPECT_EQ(federation.request_timeout, std::chrono::seconds(5));
    EXPECT_FALSE(Config{}.federation.allow_insecure_http);
    EXPECT_TRUE(Config{}.federation.verify_tls);

    EXPECT_FALSE(parse_config("federation:\n  key_validity_hours: 0\n"));
    EXPECT_FALSE(parse_config("federation:\n  old_signing_keys: {\"ed25519:x\": {key: \"nope\", expired_ts: 1}}\n"));
    EXPECT_FALSE(parse_config("federation:\n  trusted_key_servers: [{server_name: \"bad name\"}]\n"));
    EXPECT_FALSE(parse_config("federation:\n  well_known_server: \"not a name!\"\n"));
    EXPECT_FALSE(parse_config("federation:\n  srv: true\n"));
}

TEST(Config, GeneratedConfigWithEveryOptionUncommentedStillLoads) {
    // Uncommenting the examples must give a valid file too.
    auto text = generate_config();
    for (std::string marker : {"#public_baseurl:", "#path:", "#signing_key_path:", "#ready_file:"})
        text.replace(text.find(marker), 1, "");
    auto config = parse_config(text);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->database_path, "./data/chatd.db");
    EXPECT_EQ(config->public_baseurl, "https://matrix.example.org/");
}

struct BadValue {
    const char* yaml;
    const char* key;  // the message starts with it
};

class ConfigBadValue : public testing::TestWithParam<BadValue> {};

TEST_P(ConfigBadValue, IsRefusedInOneLineNamingTheKey) {
    auto config = parse_config(GetParam().yaml);
    ASSERT_FALSE(config) << GetParam().yaml;
    const auto& message = config.error().message;
    EXPECT_EQ(config.error().code, Errc::invalid_param);
    EXPECT_EQ(message.rfind(std::string(GetParam().key) + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("(line "), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    EachOption, ConfigBadValue,
    testing::Values(
        BadValue{"port: abc", "port"}, BadValue{"port: 70000", "port"},
        BadValue{"port: -1", "port"}, BadValue{"port: 80.5", "port"},
        BadValue{"port: 0x50", "port"}, BadValue{"port: [1, 2]", "port"},
        BadValue{"server_name: 'bad name'", "server_name"},
        BadValue{"server_name: 'example.org:'", "server_name"},
        BadValue{"server_name: '[::1'", "server_name"},
        BadValue{"server_name: '1.2.3.999'", "server_name"},
        BadValue{"server_name: 'example.org:99999'", "server_name"},
        BadValue{"bind_address: localhost", "bind_address"},
        BadValue{"bind_address: {a: 1}", "bind_address"},
        BadValue{"public_baseurl: ftp://example.org/", "public_baseurl"},
        BadValue{"public_baseurl: 'http://'", "public_baseurl"},
        BadValue{"data_dir: ''", "data_dir"}, BadValue{"data_dir: [a]", "data_dir"},
        BadValue{"database: 3", "database"}, BadValue{"database:\n  path: [a, b]", "database.path"},
        BadValue{"database:\n  size: 3", "database.size"},
        BadValue{"signing_key_path: {}", "signing_key_path"},
        BadValue{"max_request_body_bytes: 0", "max_request_body_bytes"},
        BadValue{"max_request_body_bytes: 1e6", "max_request_body_bytes"},
        BadValue{"request_timeout_seconds: 0", "request_timeout_seconds"},
        BadValue{"http_threads: 0", "http_threads"}, BadValue{"http_threads: 1000", "http_threads"},
        BadValue{"log_level: loud", "log_level"}, BadValue{"ready_file: [x]", "ready_file"},
        BadValue{"frobnicate: 1", "frobnicate"}, BadValue{"port: 1\nport: 2", "port"}),
    [](const testing::TestParamInfo<BadValue>& param_info) {
        std::string name = std::to_string(param_info.index) + "_" + param_info.param.key;
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return name;
    });

TEST(Config, UnknownOptionSaysSo) {
    auto config = parse_config("server_name: a.test\nlisten_port: 8008\n");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message, "listen_port: unknown option (line 2)");
}

TEST(Config, WrongTypeSaysWhatWasExpected) {
    auto config = parse_config("port: eighty\n");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message,
              "port: expected an integer from 0 to 65535, got \"eighty\" (line 1)");
}

TEST(Config, InvalidYamlGivesTheLine) {
    auto config = parse_config("server_name: a.test\nport: [1, 2\n");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message.rfind("invalid YAML: ", 0), 0u) << config.error().message;
    EXPECT_NE(config.error().message.find("line "), std::string::npos);
    EXPECT_EQ(config.error().message.find('\n'), std::string::npos);
}

TEST(Config, TopLevelMustBeAMapping) {
    auto config = parse_config("- a\n- b\n");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message.rfind("config: expected a mapping", 0), 0u)
        << config.error().message;
}

TEST(Config, LoadConfigNamesAMissingFile) {
    auto config = load_config("/nonexistent/chatd.yaml");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, Errc::not_found);
    EXPECT_NE(config.error().message.find("/nonexistent/chatd.yaml"), std::string::npos);
}

TEST(Config, LoadConfigNamesTheFileAndTheKey) {
    auto path = std::filesystem::path(testing::TempDir()) / "config_test_bad.yaml";
    std::ofstream(path) << "port: 123456\n";
    auto config = load_config(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message,
              "config file " + path.string() +
                  ": port: expected an integer from 0 to 65535, got \"123456\" (line 1)");
}

TEST(Config, PublicBaseurlIsDerivedFromTheBoundAddress) {
    EXPECT_EQ(public_baseurl_for("127.0.0.1", 8008), "http://127.0.0.1:8008/");
    EXPECT_EQ(public_baseurl_for("::1", 8448), "http://[::1]:8448/");
    EXPECT_EQ(public_baseurl_for("0.0.0.0", 80), "http://127.0.0.1:80/");
    EXPECT_EQ(public_baseurl_for("::", 80), "http://[::1]:80/");
}

TEST(ConfigWorkers, AreReadAndChecked) {
    auto parsed = parse_config("workers:\n  enabled: true\n  name: w2\n"
                               "redis:\n  host: redis.local\n  port: 6380\n"
                               "  channel_prefix: hs1\n");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->workers.enabled);
    EXPECT_EQ(parsed->workers.name, "w2");
    EXPECT_EQ(parsed->workers.redis_host, "redis.local");
    EXPECT_EQ(parsed->workers.redis_port, 6380);
    EXPECT_EQ(parsed->workers.channel_prefix, "hs1");
    EXPECT_FALSE(Config{}.workers.enabled);
    EXPECT_NE(generate_config().find("channel_prefix:"), std::string::npos);

    auto spaced = parse_config("workers:\n  name: \"w 2\"\n");
    ASSERT_FALSE(spaced);
    EXPECT_NE(spaced.error().message.find("workers.name"), std::string::npos);
    auto port = parse_config("redis:\n  port: 0\n");
    ASSERT_FALSE(port);
    EXPECT_NE(port.error().message.find("redis.port"), std::string::npos);
    EXPECT_FALSE(parse_config("workers:\n  enabled: yes please\n"));
    EXPECT_FALSE(parse_config("redis:\n  password: x\n"));
}

}  // namespace
}  // namespace chat::daemon

namespace chat::daemon {
namespace {

TEST(ConfigRegistration, AutomaticIsOpenOnlyOnLoopback) {
    Config config;
    EXPECT_TRUE(config.registration_open());
    config.bind_address = "0.0.0.0";
    EXPECT_FALSE(config.registration_open());
    config.bind_address = "::1";
    EXPECT_TRUE(config.registration_open());
    auto parsed = parse_config("bind_address: 0.0.0.0\nregistration:\n  enabled: true\n");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->registration_open());
    parsed = parse_config("registration:\n  enabled: false\n");
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->registration_open());
}

TEST(ConfigRegistration, TokenOpensRegistrationBehindTokens) {
    auto parsed = parse_config("bind_address: 0.0.0.0\nregistration:\n  enabled: token\n");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->registration, Registration::token);
    EXPECT_TRUE(parsed->registration_open());
}

TEST(ConfigRegistration, BadValuesNameTheKey) {
    auto bad = parse_config("registration:\n  enabled: sometimes\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("registration.enabled"), std::string::npos)
        << bad.error().message;
    bad = parse_config("registration:\n  shared_secret: short\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("registration.shared_secret"), std::string::npos);
    bad = parse_config("rate_limits:\n  login:\n    per_second: fast\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("rate_limits.login.per_second"), std::string::npos)
        << bad.error().message;
    bad = parse_config("rate_limits:\n  typing:\n    burst: 1\n");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("rate_limits.typing"), std::string::npos);
}

TEST(ConfigRateLimits, AreRead) {
    auto parsed = parse_config(
        "db_threads: 4\nrate_limits:\n  message:\n    per_second: 2.5\n    burst: 7\n");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->db_threads, 4u);
    EXPECT_DOUBLE_EQ(parsed->rate_limit_message.per_second, 2.5);
    EXPECT_EQ(parsed->rate_limit_message.burst, 7u);
    EXPECT_EQ(parsed->rate_limit_login, Config{}.rate_limit_login);
}

}  // namespace
}  // namespace chat::daemon
