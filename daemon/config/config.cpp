#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <span>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>

namespace chat::daemon {

namespace {

// The config being built, and which derived options the file set itself.
struct Draft {
    Config config;
    bool database_path_set = false;
    bool signing_key_path_set = false;
};

Error config_error(std::string_view key, const YAML::Node& node, std::string_view problem) {
    auto line = node.Mark().line;
    if (line < 0) return make_error(Errc::invalid_param, fmt::format("{}: {}", key, problem));
    return make_error(Errc::invalid_param, fmt::format("{}: {} (line {})", key, problem, line + 1));
}

// What the file said, quoted and shortened for an error message.
std::string quoted(const YAML::Node& node) {
    if (!node.IsScalar()) return node.IsSequence() ? "a list" : "a mapping";
    constexpr std::size_t kShown = 40;
    const auto& text = node.Scalar();
    return text.size() <= kShown ? fmt::format("\"{}\"", text)
                                 : fmt::format("\"{}...\"", text.substr(0, kShown));
}

Result<std::string> read_string(std::string_view key, const YAML::Node& node) {
    if (!node.IsScalar()) return config_error(key, node, "expected a string, got " + quoted(node));
    if (node.Scalar().empty()) return config_error(key, node, "must not be empty");
    return node.Scalar();
}

Result<std::int64_t> read_integer(std::string_view key, const YAML::Node& node, std::int64_t min,
                                  std::int64_t max) {
    auto problem = fmt::format("expected an integer from {} to {}, got {}", min, max, quoted(node));
    if (!node.IsScalar()) return config_error(key, node, problem);
    // from_chars rather than yaml-cpp's conversions: no hex, no "+", no "1e3".
    const auto& text = node.Scalar();
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        return config_error(key, node, problem);
    return value;
}

Result<double> read_rate(std::string_view key, const YAML::Node& node) {
    auto problem = fmt::format("expected a number from 0 to 1000000, got {}", quoted(node));
    if (!node.IsScalar()) return config_error(key, node, problem);
    const auto& text = node.Scalar();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !(value >= 0) || value > 1e6)
        return config_error(key, node, problem);
    return value;
}

Result<bool> read_bool(std::string_view key, const YAML::Node& node) {
    if (node.IsScalar()) {
        const auto& text = node.Scalar();
        if (text == "true") return true;
        if (text == "false") return false;
    }
    return config_error(key, node, "expected true or false, got " + quoted(node));
}

bool is_ip_address(const std::string& text) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

using Setter = Result<void> (*)(std::string_view key, const YAML::Node& value, Draft& draft);

struct Option {
    std::string_view key;
    Setter set;
};

constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};

Result<void> apply_options(std::string_view prefix, const YAML::Node& map,
                           std::span<const Option> options, Draft& draft);

constexpr std::array kDatabaseOptions = {
    Option{"path",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto path = read_string(key, value);
               if (!path) return path.error();
               draft.config.database_path = *path;
               draft.database_path_set = true;
               return ok();
           }},
};

constexpr std::array kMediaOptions = {
    Option{"max_upload_bytes",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               // Uploads stream to disk, so this can exceed max_request_body_bytes.
               auto bytes = read_integer(key, value, 1, std::int64_t{1} << 40);
               if (!bytes) return bytes.error();
               draft.config.media.max_upload_bytes = static_cast<std::uint64_t>(*bytes);
               return ok();
           }},
    Option{"legacy_unauthenticated_download",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto enabled = read_bool(key, value);
               if (!enabled)
                   return config_error(key, value, "expected true or false, got " + quoted(value));
               draft.config.media.legacy_unauthenticated_download = *enabled;
               return ok();
           }},
    Option{"max_image_pixels",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto pixels = read_integer(key, value, 1, std::int64_t{1} << 40);
               if (!pixels) return pixels.error();
               draft.config.media.max_image_pixels = static_cast<std::uint64_t>(*pixels);
               return ok();
           }},
    Option{"unused_expiry_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 30 * 24 * 3600);
               if (!seconds) return seconds.error();
               draft.config.media.unused_expiry = std::chrono::seconds(*seconds);
               return ok();
           }},
    Option{"remote_retention_days",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto days = read_integer(key, value, 0, 36500);
               if (!days) return days.error();
               draft.config.media.remote_retention_days = static_cast<unsigned>(*days);
               return ok();
           }},
    Option{"remote_retention_check_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 7 * 24 * 3600);
               if (!seconds) return seconds.error();
               draft.config.media.remote_retention_check = std::chrono::seconds(*seconds);
               return ok();
           }},
    Option{"remote_retention_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 0, std::int64_t{36500} * 24 * 3600);
               if (!seconds) return seconds.error();
               draft.config.media.remote_retention_override = std::chrono::seconds(*seconds);
               return ok();
           }},
};

// federation.*: the transport between servers (issue 9).
Result<std::pair<std::string, std::string>> read_verify_key(std::string_view key,
                                                            const std::string& key_id,
                                                            const YAML::Node& value) {
    auto text = read_string(key, value);
    if (!text) return text.error();
    if (!crypto::VerifyKey::from_base64(key_id, *text))
        return config_error(key, value,
                            "expected an ed25519:<id> key id with an unpadded base64 public key");
    return std::pair(key_id, std::move(*text));
}

constexpr std::array kFederationOptions = {
    Option{"key_validity_hours",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               // The spec: a key response should not expire within the hour.
               auto hours = read_integer(key, value, 1, 24 * 365);
               if (!hours) return hours.error();
               draft.config.federation.key_validity = std::chrono::hours(*hours);
               return ok();
           }},
    Option{"old_signing_keys",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               // Synapse's shape: {key_id: {key: <base64>, expired_ts: <ms>}}.
               if (!value.IsMap())
                   return config_error(key, value, "expected a mapping, got " + quoted(value));
               for (const auto& entry : value) {
                   const YAML::Node& id = entry.first;
                   const YAML::Node& body = entry.second;
                   if (!id.IsScalar() || !body.IsMap() || !body["key"] || !body["expired_ts"])
                       return config_error(key, body,
                                           "expected key_id: {key: ..., expired_ts: ...}");
                   auto public_key = read_verify_key(key, id.Scalar(), body["key"]);
                   if (!public_key) return public_key.error();
                   auto expired = read_integer(key, body["expired_ts"], 0,
                                               std::int64_t{1} << 53);
                   if (!expired) return expired.error();
                   draft.config.federation.old_signing_keys.push_back(
                       {id.Scalar(), std::move(public_key->second), *expired});
               }
               return ok();
           }},
    Option{"trusted_key_servers",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               // Synapse's shape: [{server_name: ..., verify_keys: {id: key}}].
               if (!value.IsSequence())
                   return config_error(key, value, "expected a list, got " + quoted(value));
               for (const auto& item : value) {
                   if (!item.IsMap() || !item["server_name"])
                       return config_error(key, item, "each entry needs a server_name");
                   auto name = read_string(key, item["server_name"]);
                   if (!name) return name.error();
                   if (!ServerName::parse(*name))
                       return config_error(key, item["server_name"], "not a server name");
                   FederationConfig::TrustedKeyServer server{*name, {}};
                   if (auto keys = item["verify_keys"]; keys && !keys.IsNull()) {
                       if (!keys.IsMap())
                           return config_error(key, keys, "verify_keys must be a mapping");
                       for (const auto& pinned : keys) {
                           auto parsed = read_verify_key(key, pinned.first.Scalar(), pinned.second);
                           if (!parsed) return parsed.error();
                           server.verify_keys.push_back(std::move(*parsed));
                       }
                   }
                   draft.config.federation.trusted_key_servers.push_back(std::move(server));
               }
               return ok();
           }},
    Option{"allow_insecure_http",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto enabled = read_bool(key, value);
               if (!enabled) return enabled.error();
               draft.config.federation.allow_insecure_http = *enabled;
               return ok();
           }},
    Option{"verify_tls",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto enabled = read_bool(key, value);
               if (!enabled) return enabled.error();
               draft.config.federation.verify_tls = *enabled;
               return ok();
           }},
    Option{"well_known_server",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto name = read_string(key, value);
               if (!name) return name.error();
               if (!ServerName::parse(*name))
                   return config_error(key, value, "expected host[:port], got " + quoted(value));
               draft.config.federation.well_known_server = std::move(*name);
               return ok();
           }},
    Option{"well_known_port",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto port = read_integer(key, value, 0, 65535);
               if (!port) return port.error();
               draft.config.federation.well_known_port = static_cast<std::uint16_t>(*port);
               return ok();
           }},
    Option{"request_timeout_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 3600);
               if (!seconds) return seconds.error();
               draft.config.federation.request_timeout = std::chrono::seconds(*seconds);
               return ok();
           }},
    // The outbound sender's backoff for a destination that does not answer.
    Option{"retry_base_ms",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto ms = read_integer(key, value, 1, 3'600'000);
               if (!ms) return ms.error();
               draft.config.federation.retry_base = std::chrono::milliseconds(*ms);
               return ok();
           }},
    Option{"retry_max_ms",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto ms = read_integer(key, value, 1, 86'400'000);
               if (!ms) return ms.error();
               draft.config.federation.retry_max = std::chrono::milliseconds(*ms);
               return ok();
           }},
};

// rate_limits.<action>: {per_second, burst}
template <RateLimit Config::*Member>
constexpr std::array kRateLimitOptions = {
    Option{"per_second",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto rate = read_rate(key, value);
               if (!rate) return rate.error();
               (draft.config.*Member).per_second = *rate;
               return ok();
           }},
    Option{"burst",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto burst = read_integer(key, value, 1, 1000000);
               if (!burst) return burst.error();
               (draft.config.*Member).burst = static_cast<unsigned>(*burst);
               return ok();
           }},
};

Result<void> apply_section(std::string_view key, const YAML::Node& value,
                           std::span<const Option> options, Draft& draft) {
    if (!value.IsMap()) return config_error(key, value, "expected a mapping, got " + quoted(value));
    return apply_options(key, value, options, draft);
}

constexpr std::array kRateLimitSections = {
    Option{"register",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRateLimitOptions<&Config::rate_limit_register>,
                                    draft);
           }},
    Option{"login",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRateLimitOptions<&Config::rate_limit_login>,
                                    draft);
           }},
    Option{"message",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRateLimitOptions<&Config::rate_limit_message>,
                                    draft);
           }},
};

constexpr std::array kRegistrationOptions = {
    Option{"enabled",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               if (value.IsScalar() && value.Scalar() == "auto") {
                   draft.config.registration = Registration::automatic;
                   return ok();
               }
               if (value.IsScalar() && value.Scalar() == "token") {
                   draft.config.registration = Registration::token;
                   return ok();
               }
               auto enabled = read_bool(key, value);
               if (!enabled)
                   return config_error(key, value,
                                       "expected auto, token, true or false, got " + quoted(value));
               draft.config.registration =
                   *enabled ? Registration::enabled : Registration::disabled;
               return ok();
           }},
    Option{"shared_secret",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto secret = read_string(key, value);
               if (!secret) return secret.error();
               if (secret->size() < 16)
                   return config_error(key, value, "must be at least 16 characters");
               draft.config.registration_shared_secret = std::move(*secret);
               return ok();
           }},
};

constexpr std::array kPresenceOptions = {
    Option{"enabled",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto enabled = read_bool(key, value);
               if (!enabled) return enabled.error();
               draft.config.presence_enabled = *enabled;
               return ok();
           }},
    Option{"idle_after_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 7 * 24 * 3600);
               if (!seconds) return seconds.error();
               draft.config.presence_idle_after = std::chrono::seconds(*seconds);
               return ok();
           }},
    Option{"offline_after_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 7 * 24 * 3600);
               if (!seconds) return seconds.error();
               draft.config.presence_offline_after = std::chrono::seconds(*seconds);
               return ok();
           }},
};

template <auto Section, bool WorkersConfig::*Member>
Result<void> set_bool_in(std::string_view key, const YAML::Node& value, Draft& draft) {
    auto enabled = read_bool(key, value);
    if (!enabled) return enabled.error();
    (draft.config.*Section).*Member = *enabled;
    return ok();
}

template <bool Config::*Member>
Result<void> set_bool(std::string_view key, const YAML::Node& value, Draft& draft) {
    auto enabled = read_bool(key, value);
    if (!enabled) return enabled.error();
    draft.config.*Member = *enabled;
    return ok();
}

constexpr std::array kDeliveryOptions = {
    Option{"explicit", set_bool<&Config::delivery_explicit>},
    Option{"inferred", set_bool<&Config::delivery_inferred>},
    Option{"public_rooms", set_bool<&Config::delivery_public_rooms>},
};

constexpr std::array kReceiptsOptions = {
    Option{"delivery",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kDeliveryOptions, draft);
           }},
};

template <std::chrono::milliseconds PushConfig::*Member>
Result<void> set_push_ms(std::string_view key, const YAML::Node& value, Draft& draft) {
    auto ms = read_integer(key, value, 1, 24 * 3600 * 1000);
    if (!ms) return ms.error();
    draft.config.push.*Member = std::chrono::milliseconds(*ms);
    return ok();
}

constexpr std::array kPushOptions = {
    Option{"enabled",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto enabled = read_bool(key, value);
               if (!enabled) return enabled.error();
               draft.config.push.enabled = *enabled;
               return ok();
           }},
    Option{"retry_base_ms", set_push_ms<&PushConfig::retry_base>},
    Option{"retry_max_ms", set_push_ms<&PushConfig::retry_max>},
    Option{"gateway_timeout_ms", set_push_ms<&PushConfig::gateway_timeout>},
    Option{"allow_private_gateways",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto allowed = read_bool(key, value);
               if (!allowed) return allowed.error();
               draft.config.push.allow_private_gateways = *allowed;
               return ok();
           }},
};

// workers.* and redis.* (several processes as one homeserver).
constexpr std::array kWorkersOptions = {
    Option{"enabled", set_bool_in<&Config::workers, &WorkersConfig::enabled>},
    Option{"senders", set_bool_in<&Config::workers, &WorkersConfig::senders>},
    Option{"name",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto name = read_string(key, value);
               if (!name) return name.error();
               // It travels in every bus message: short and printable.
               if (name->size() > 64 || std::any_of(name->begin(), name->end(), [](char c) {
                       return c <= ' ' || c == '"' || c == '\\' || c == 0x7f;
                   }))
                   return config_error(key, value, "expected at most 64 printable characters "
                                                   "without spaces, got " + quoted(value));
               draft.config.workers.name = std::move(*name);
               return ok();
           }},
};

constexpr std::array kRedisOptions = {
    Option{"host",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto host = read_string(key, value);
               if (!host) return host.error();
               draft.config.workers.redis_host = std::move(*host);
               return ok();
           }},
    Option{"port",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto port = read_integer(key, value, 1, 65535);
               if (!port) return port.error();
               draft.config.workers.redis_port = static_cast<std::uint16_t>(*port);
               return ok();
           }},
    Option{"channel_prefix",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto prefix = read_string(key, value);
               if (!prefix) return prefix.error();
               draft.config.workers.channel_prefix = std::move(*prefix);
               return ok();
           }},
};

constexpr std::array kOptions = {
    Option{"server_name",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto name = read_string(key, value);
               if (!name) return name.error();
               if (auto parsed = ServerName::parse(*name); !parsed)
                   return config_error(key, value,
                                       "expected a host name or IP address with an optional "
                                       ":port, got " +
                                           quoted(value));
               draft.config.server_name = std::move(*name);
               return ok();
           }},
    Option{"bind_address",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto address = read_string(key, value);
               if (!address) return address.error();
               if (!is_ip_address(*address))
                   return config_error(key, value,
                                       "expected an IPv4 or IPv6 address, got " + quoted(value));
               draft.config.bind_address = std::move(*address);
               return ok();
           }},
    Option{"port",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto port = read_integer(key, value, 0, 65535);
               if (!port) return port.error();
               draft.config.port = static_cast<std::uint16_t>(*port);
               return ok();
           }},
    Option{"public_baseurl",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto url = read_string(key, value);
               if (!url) return url.error();
               bool has_scheme = url->starts_with("http://") || url->starts_with("https://");
               auto host_start = url->find("://") + 3;
               if (!has_scheme || host_start >= url->size() || (*url)[host_start] == '/' ||
                   url->find_first_of(" \t\r\n") != std::string::npos)
                   return config_error(key, value,
                                       "expected an http:// or https:// URL, got " + quoted(value));
               draft.config.public_baseurl = std::move(*url);
               return ok();
           }},
    Option{"data_dir",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto dir = read_string(key, value);
               if (!dir) return dir.error();
               draft.config.data_dir = *dir;
               return ok();
           }},
    Option{"database",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               if (!value.IsMap())
                   return config_error(key, value, "expected a mapping, got " + quoted(value));
               return apply_options(key, value, kDatabaseOptions, draft);
           }},
    Option{"signing_key_path",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto path = read_string(key, value);
               if (!path) return path.error();
               draft.config.signing_key_path = *path;
               draft.signing_key_path_set = true;
               return ok();
           }},
    Option{"max_request_body_bytes",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               // Bodies are held in memory whole, hence the 1 GiB ceiling.
               auto bytes = read_integer(key, value, 1, std::int64_t{1} << 30);
               if (!bytes) return bytes.error();
               draft.config.max_request_body_bytes = static_cast<std::size_t>(*bytes);
               return ok();
           }},
    Option{"request_timeout_seconds",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto seconds = read_integer(key, value, 1, 3600);
               if (!seconds) return seconds.error();
               draft.config.request_timeout = std::chrono::seconds(*seconds);
               return ok();
           }},
    Option{"http_threads",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto threads = read_integer(key, value, 1, 256);
               if (!threads) return threads.error();
               draft.config.http_threads = static_cast<unsigned>(*threads);
               return ok();
           }},
    Option{"log_level",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto level = read_string(key, value);
               if (!level) return level.error();
               if (std::find(kLogLevels.begin(), kLogLevels.end(), *level) == kLogLevels.end())
                   return config_error(key, value,
                                       "expected one of trace, debug, info, warn, error, "
                                       "critical, off, got " +
                                           quoted(value));
               draft.config.log_level = std::move(*level);
               return ok();
           }},
    Option{"db_threads",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto threads = read_integer(key, value, 1, 256);
               if (!threads) return threads.error();
               draft.config.db_threads = static_cast<unsigned>(*threads);
               return ok();
           }},
    Option{"registration",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRegistrationOptions, draft);
           }},
    Option{"rate_limits",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRateLimitSections, draft);
           }},
    Option{"presence",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kPresenceOptions, draft);
           }},
    Option{"receipts",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kReceiptsOptions, draft);
           }},
    Option{"push",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kPushOptions, draft);
           }},
    Option{"media",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kMediaOptions, draft);
           }},
    Option{"workers",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kWorkersOptions, draft);
           }},
    Option{"redis",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kRedisOptions, draft);
           }},
    Option{"federation",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               return apply_section(key, value, kFederationOptions, draft);
           }},
    Option{"ready_file",
           [](std::string_view key, const YAML::Node& value, Draft& draft) -> Result<void> {
               auto path = read_string(key, value);
               if (!path) return path.error();
               draft.config.ready_file = *path;
               return ok();
           }},
};

// Applies each key of `map` through `options`. `prefix` names the enclosing
// key in messages ("database.path"); empty at the top level.
Result<void> apply_options(std::string_view prefix, const YAML::Node& map,
                           std::span<const Option> options, Draft& draft) {
    std::set<std::string, std::less<>> seen;
    // `entry` binds the pair that *iterator returns by value. Not `it->first`:
    // yaml-cpp's operator-> hands out a pointer into a temporary.
    for (const auto& entry : map) {
        const YAML::Node& key_node = entry.first;
        const YAML::Node& value = entry.second;
        if (!key_node.IsScalar())
            return config_error(prefix.empty() ? "config" : prefix, key_node,
                                "option names must be plain strings");
        const auto& name = key_node.Scalar();
        auto key = prefix.empty() ? name : fmt::format("{}.{}", prefix, name);
        if (!seen.insert(name).second) return config_error(key, key_node, "set twice");

        auto option = std::find_if(options.begin(), options.end(),
                                   [&](const Option& o) { return o.key == name; });
        if (option == options.end()) return config_error(key, key_node, "unknown option");
        if (value.IsNull()) continue;  // `key:` or `key: ~` keeps the default
        auto applied = option->set(key, value, draft);
        if (!applied) return applied.error();
    }
    return ok();
}

}  // namespace

Result<Config> parse_config(std::string_view yaml_text) {
    // yaml-cpp reports errors by throwing; none of that leaves this function.
    try {
        YAML::Node root = YAML::Load(std::string(yaml_text));
        Draft draft;
        if (!root.IsNull()) {
            if (!root.IsMap())
                return config_error(
                    "config", root,
                    "expected a mapping of option names to values, got " + quoted(root));
            auto applied = apply_options("", root, kOptions, draft);
            if (!applied) return applied.error();
        }
        if (!draft.database_path_set)
            draft.config.database_path = draft.config.data_dir / "chatd.db";
        if (!draft.signing_key_path_set)
            draft.config.signing_key_path = draft.config.data_dir / "signing.key";
        return std::move(draft.config);
    } catch (const YAML::Exception& e) {
        // Parser errors (bad indentation, unclosed quotes): no key to name yet.
        if (e.mark.is_null()) return make_error(Errc::invalid_param, "invalid YAML: " + e.msg);
        return make_error(Errc::invalid_param,
                          fmt::format("invalid YAML: {} (line {}, column {})", e.msg,
                                      e.mark.line + 1, e.mark.column + 1));
    }
}

Result<Config> load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return make_error(Errc::not_found, fmt::format("cannot read config file {}: {}",
                                                       file.string(), std::strerror(errno)));
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
        return make_error(Errc::not_found,
                          fmt::format("cannot read config file {}", file.string()));
    auto config = parse_config(text);
    if (!config)
        return make_error(config.error().code,
                          fmt::format("config file {}: {}", file.string(), config.error().message));
    return config;
}

std::string generate_config() {
    const Config defaults;
    return fmt::format(
        R"(# chatd configuration. Every option is listed with its default value; all
# are optional. Options whose default derives from another are commented out,
# so that they follow it. Relative paths are relative to the working directory.

# The name of this homeserver: the part after ':' in "@alice:example.org".
# A DNS name or IP address with an optional :port. It cannot change once
# users and rooms exist.
server_name: {server_name}

# Where chatd listens for HTTP: an IPv4 or IPv6 address, and a TCP port.
# Port 0 lets the kernel pick a free one (see ready_file).
bind_address: {bind_address}
port: {port}

# The URL clients use to reach this server, published in
# /.well-known/matrix/client. Set it when chatd runs behind a reverse proxy.
# Default: http://<bind_address>:<port>/ with the port actually bound.
#public_baseurl: https://matrix.example.org/

# Directory for the database and the signing key. Created when missing.
data_dir: {data_dir}

database:
  # The SQLite database file, in WAL mode. Default: <data_dir>/chatd.db
  #path: {database_path}

# This server's ed25519 signing key, generated on the first start and kept
# from then on: other servers remember it. Default: <data_dir>/signing.key
#signing_key_path: {signing_key_path}

# The largest request body accepted, in bytes. Larger requests are answered
# 413 M_TOO_LARGE.
max_request_body_bytes: {max_request_body_bytes}

# How long a client may take to send one request, headers and body, in
# seconds. An idle kept-alive connection is closed after the same time.
request_timeout_seconds: {request_timeout}

# Threads running the network event loop.
http_threads: {http_threads}

# trace, debug, info, warn, error, critical or off. Logs go to stderr.
log_level: {log_level}

# Threads that run database work. More than the number of cores on purpose:
# writes waiting together are committed together (one fsync for many).
db_threads: {db_threads}

registration:
  # Whether anyone may create an account with /register: auto opens it only
  # when bind_address is a loopback address (try the server at once, safely);
  # true or false decide explicitly. A public server wants false plus
  # shared_secret, or true behind other protections. token: only people
  # given a registration token (`chatctl token create`) may register.
  enabled: auto
  # Enables shared-secret registration (POST /_synapse/admin/v1/register,
  # `chatctl register`), the way to create the first admin. At least 16
  # characters. Off when unset.
  #shared_secret: change-me-to-a-long-random-string

# Token buckets against abuse: per_second tokens refill each second up to
# burst. Over the limit, requests get 429 M_LIMIT_EXCEEDED with retry_after_ms.
# per_second: 0 turns a limit off. register and login count per client
# address, message per user.
rate_limits:
  register:
    per_second: {rl_register_rate}
    burst: {rl_register_burst}
  login:
    per_second: {rl_login_rate}
    burst: {rl_login_burst}
  message:
    per_second: {rl_message_rate}
    burst: {rl_message_burst}

# Presence ("online", "unavailable", "offline" and last seen), sent only to
# users who share a room. enabled: false drops it from /sync and ignores
# PUT /presence.
presence:
  enabled: {presence_enabled}
  # Online with no activity (messages, receipts, typing) for this long:
  # unavailable.
  idle_after_seconds: {presence_idle}
  # No request and no /sync in progress for this long: offline.
  offline_after_seconds: {presence_offline}

receipts:
  # MSC4089 delivery receipts (type org.matrix.msc4089.delivery), routed to
  # the sender of the event only. explicit: clients' own receipts; inferred:
  # the server marks a room delivered up to an event once any device of the
  # recipient synced past it. public_rooms: whether either applies in rooms
  # anyone can join (off: it would tell strangers who is online).
  delivery:
    explicit: {delivery_explicit}
    inferred: {delivery_inferred}
    public_rooms: {delivery_public_rooms}
# The content repository (file sharing). Files live under <data_dir>/media.
media:
  # The largest upload, in bytes; larger ones get 413 M_TOO_LARGE. Uploads
  # are written to disk as they arrive, so this may exceed
  # max_request_body_bytes.
  max_upload_bytes: {media_max_upload}
  # Whether the legacy unauthenticated /_matrix/media/v3/download and
  # /thumbnail still serve content. Off, they answer 404 M_NOT_FOUND as
  # Synapse does since the authenticated-media freeze; clients use
  # /_matrix/client/v1/media instead.
  legacy_unauthenticated_download: {media_legacy}
  # Images whose header claims more pixels than this are not thumbnailed
  # (413 M_TOO_LARGE): a decompression bomb is refused before decoding.
  max_image_pixels: {media_max_pixels}
  # How long an id from POST /_matrix/media/v1/create stays usable, seconds.
  unused_expiry_seconds: {media_unused_expiry}
  # Days to keep cached remote media (fetched over federation) that nobody
  # downloaded through us meanwhile; 0 keeps it forever. Checked hourly.
  remote_retention_days: {media_remote_retention}

# Push notifications: chatd POSTs /_matrix/push/v1/notify to the push gateway
# of each pusher (POST /pushers/set). A failed POST is retried after
# retry_base_ms, doubling up to retry_max_ms; a restart resumes where the
# gateway last answered 2xx.
push:
  enabled: {push_enabled}
  retry_base_ms: {push_retry_base}
  retry_max_ms: {push_retry_max}
  gateway_timeout_ms: {push_timeout}
  # Whether pushers may name gateways on loopback, private or link-local
  # addresses (tests, a gateway on the LAN). Off guards against requests to
  # internal services.
  allow_private_gateways: {push_private}
# Several chatd processes serving one homeserver (docs/architecture.md,
# "Workers"): every worker uses the same database and signing key and its
# own port; they tell each other of changes through Redis Pub/Sub.
workers:
  enabled: {workers_enabled}
  # This worker's name, unique among the workers.
  name: {workers_name}
  # Whether this worker sends to other servers and push gateways: true on
  # exactly one worker (each would otherwise send everything once).
  senders: {workers_senders}
redis:
  host: {redis_host}
  port: {redis_port}
  # Workers publish on the channel <channel_prefix>:bus.
  channel_prefix: {redis_prefix}
# Federation with other homeservers (docs/configuration.md, "federation").
federation:
  # How long our published signing key response is valid, hours (at least 1).
  key_validity_hours: {fed_key_validity}
  # Keys used before a key rotation, still published for old events:
  # "ed25519:old": {{key: <unpadded base64 public key>, expired_ts: <ms>}}
  old_signing_keys: {{}}
  # Notaries asked for a server's keys when it does not answer itself:
  # - server_name: matrix.org
  #   verify_keys: {{"ed25519:auto": "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw"}}
  trusted_key_servers: []
  # Plain HTTP between servers instead of HTTPS: ONLY for test servers on
  # loopback. Never on a real network.
  allow_insecure_http: {fed_insecure}
  # Check other servers' TLS certificates against the system's CAs.
  verify_tls: {fed_verify_tls}
  # When set (host[:port]), GET /.well-known/matrix/server delegates
  # federation for server_name there.
  #well_known_server: matrix.example.org:443
  # The port .well-known is fetched from on other servers; 0 means 443 (80
  # with allow_insecure_http). Tests only.
  well_known_port: {fed_well_known_port}
  # How long one request to another server may take to send or answer, seconds.
  request_timeout_seconds: {fed_timeout}
  # A server that does not answer is retried after retry_base_ms, doubling
  # up to retry_max_ms; what it missed is kept and sent when it is back.
  retry_base_ms: {fed_retry_base}
  retry_max_ms: {fed_retry_max}

# When set, chatd writes {{"port": N}} to this file once it is listening,
# and removes it when it stops. Tests and supervisors use it with port: 0.
#ready_file: ./data/ready.json
)",
        fmt::arg("server_name", defaults.server_name),
        fmt::arg("bind_address", defaults.bind_address), fmt::arg("port", defaults.port),
        fmt::arg("data_dir", defaults.data_dir.string()),
        fmt::arg("database_path", defaults.database_path.string()),
        fmt::arg("signing_key_path", defaults.signing_key_path.string()),
        fmt::arg("max_request_body_bytes", defaults.max_request_body_bytes),
        fmt::arg("request_timeout", defaults.request_timeout.count()),
        fmt::arg("http_threads", defaults.http_threads), fmt::arg("log_level", defaults.log_level),
        fmt::arg("db_threads", defaults.db_threads),
        fmt::arg("rl_register_rate", defaults.rate_limit_register.per_second),
        fmt::arg("rl_register_burst", defaults.rate_limit_register.burst),
        fmt::arg("rl_login_rate", defaults.rate_limit_login.per_second),
        fmt::arg("rl_login_burst", defaults.rate_limit_login.burst),
        fmt::arg("rl_message_rate", defaults.rate_limit_message.per_second),
        fmt::arg("rl_message_burst", defaults.rate_limit_message.burst),
        fmt::arg("presence_enabled", defaults.presence_enabled),
        fmt::arg("workers_enabled", defaults.workers.enabled),
        fmt::arg("workers_name", defaults.workers.name),
        fmt::arg("workers_senders", defaults.workers.senders),
        fmt::arg("redis_host", defaults.workers.redis_host),
        fmt::arg("redis_port", defaults.workers.redis_port),
        fmt::arg("redis_prefix", defaults.workers.channel_prefix),
        fmt::arg("presence_idle", defaults.presence_idle_after.count()),
        fmt::arg("presence_offline", defaults.presence_offline_after.count()),
        fmt::arg("delivery_explicit", defaults.delivery_explicit),
        fmt::arg("delivery_inferred", defaults.delivery_inferred),
        fmt::arg("delivery_public_rooms", defaults.delivery_public_rooms),
        fmt::arg("media_max_upload", defaults.media.max_upload_bytes),
        fmt::arg("media_legacy", defaults.media.legacy_unauthenticated_download),
        fmt::arg("media_max_pixels", defaults.media.max_image_pixels),
        fmt::arg("media_unused_expiry", defaults.media.unused_expiry.count()),
        fmt::arg("media_remote_retention", defaults.media.remote_retention_days),
        fmt::arg("push_enabled", defaults.push.enabled),
        fmt::arg("push_retry_base", defaults.push.retry_base.count()),
        fmt::arg("push_retry_max", defaults.push.retry_max.count()),
        fmt::arg("push_timeout", defaults.push.gateway_timeout.count()),
        fmt::arg("push_private", defaults.push.allow_private_gateways),
        fmt::arg("fed_key_validity", defaults.federation.key_validity.count()),
        fmt::arg("fed_insecure", defaults.federation.allow_insecure_http),
        fmt::arg("fed_verify_tls", defaults.federation.verify_tls),
        fmt::arg("fed_well_known_port", defaults.federation.well_known_port),
        fmt::arg("fed_timeout", defaults.federation.request_timeout.count()),
        fmt::arg("fed_retry_base", defaults.federation.retry_base.count()),
        fmt::arg("fed_retry_max", defaults.federation.retry_max.count()));
}

bool Config::registration_open() const {
    switch (registration) {
    case Registration::enabled: return true;
    case Registration::token: return true;  // the UIA stage asks for the token
    case Registration::disabled: return false;
    case Registration::automatic: break;
    }
    return bind_address.starts_with("127.") || bind_address == "::1";
}

std::string endpoint_text(std::string_view address, std::uint16_t port) {
    if (address.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", address, port);
    return fmt::format("{}:{}", address, port);
}

std::string public_baseurl_for(std::string_view bind_address, std::uint16_t port) {
    std::string_view host = bind_address;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    return fmt::format("http://{}/", endpoint_text(host, port));
}

}  // namespace chat::daemon
