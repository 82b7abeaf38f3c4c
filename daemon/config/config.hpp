#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <chat/core/result.hpp>

namespace chat::daemon {

// chatd's configuration: one YAML file, every key optional.
//
// A default-constructed Config is what chatd runs with when no file is given:
// 127.0.0.1:8008, SQLite and the signing key under ./data. Options whose
// default derives from another (database.path, signing_key_path from
// data_dir; public_baseurl from the bound address) follow it unless set.
// generate_config() documents every key.
// A token bucket: `per_second` tokens refill each second, up to `burst`.
// per_second 0 turns the limit off.
struct RateLimit {
    double per_second = 0;
    unsigned burst = 0;
    friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

// Whether anyone may create an account through /register. `token`: only
// with a registration token (the m.login.registration_token stage; tokens
// are made with the admin API).
enum class Registration { automatic, enabled, disabled, token };

// The content repository (media.* keys). The files live under
// <data_dir>/media.
// Push notifications to push gateways (daemon/push/).
struct PushConfig {
    bool enabled = true;  // off: pushers are stored but nothing is sent
    std::chrono::milliseconds retry_base{1000};     // first retry after a failed POST
    std::chrono::milliseconds retry_max{600'000};   // backoff doubles up to this
    std::chrono::milliseconds gateway_timeout{10'000};  // connect, read and write, each
    // Gateways on loopback, private and link-local addresses (tests, LAN).
    bool allow_private_gateways = false;
    friend bool operator==(const PushConfig&, const PushConfig&) = default;
};

struct MediaConfig {
    std::uint64_t max_upload_bytes = 50 * 1024 * 1024;  // 413 M_TOO_LARGE above it
    // Serve the legacy unauthenticated /_matrix/media/v3 downloads and
    // thumbnails; off: 404 M_NOT_FOUND, as Synapse after the freeze.
    bool legacy_unauthenticated_download = false;
    // Images whose header claims more pixels are not thumbnailed (413).
    std::uint64_t max_image_pixels = 32 * 1000 * 1000;
    // How long an id from /_matrix/media/v1/create waits for its content.
    std::chrono::seconds unused_expiry{24 * 3600};
    // Cached remote media not served for this many days is removed by the
    // housekeeping tick (services/remote_media_expiry.hpp); 0 keeps it.
    unsigned remote_retention_days = 90;
    // How often housekeeping looks for such media.
    std::chrono::seconds remote_retention_check{3600};
    // When nonzero, the lifetime in seconds instead of remote_retention_days
    // (tests; operators use days).
    std::chrono::seconds remote_retention_override{0};
    friend bool operator==(const MediaConfig&, const MediaConfig&) = default;
};

// Several chatd processes as one homeserver (workers.*, redis.*; docs/architecture.md,
// "Workers"). They share database_path and the signing key; each has its own port.
struct WorkersConfig {
    bool enabled = false;
    std::string name = "main";  // this worker's id in bus messages and logs; unique
    std::string redis_host = "127.0.0.1";
    std::uint16_t redis_port = 6379;
    std::string channel_prefix = "chatd";  // the bus channel is <prefix>:bus
    // Runs the federation and push senders; true on exactly one worker.
    bool senders = true;
    friend bool operator==(const WorkersConfig&, const WorkersConfig&) = default;
};

// Federation transport (federation.* keys; docs/configuration.md).
struct FederationConfig {
    // How long our published key response says it is valid (Synapse: 1 day).
    std::chrono::hours key_validity{24};
    // Keys we signed with before a rotation, still published with when they
    // expired: {key_id, public key (unpadded base64), expired_ts}.
    struct OldKey {
        std::string key_id;
        std::string key;
        std::int64_t expired_ts = 0;
        friend bool operator==(const OldKey&, const OldKey&) = default;
    };
    std::vector<OldKey> old_signing_keys;
    // Notaries asked when a server does not answer for its keys; verify_keys
    // (key id, unpadded base64) pins theirs, else they are fetched.
    struct TrustedKeyServer {
        std::string server_name;
        std::vector<std::pair<std::string, std::string>> verify_keys;
        friend bool operator==(const TrustedKeyServer&, const TrustedKeyServer&) = default;
    };
    std::vector<TrustedKeyServer> trusted_key_servers;
    // Plain HTTP between servers: test servers on loopback only.
    bool allow_insecure_http = false;
    bool verify_tls = true;
    // Served as /.well-known/matrix/server {"m.server": ...}; empty: 404.
    std::string well_known_server;
    // Where .well-known is fetched from other servers; 0: 443 (80 with
    // allow_insecure_http). For tests.
    std::uint16_t well_known_port = 0;
    std::chrono::seconds request_timeout{30};
    // Outbound sender backoff (federation/sender/federation_sender.hpp).
    std::chrono::milliseconds retry_base{1000};
    std::chrono::milliseconds retry_max{3'600'000};
    friend bool operator==(const FederationConfig&, const FederationConfig&) = default;
};

struct Config {
    std::string server_name = "localhost";
    std::string bind_address = "127.0.0.1";  // an IPv4 or IPv6 literal
    std::uint16_t port = 8008;               // 0: the kernel picks one (see ready_file)
    // As clients reach us; empty means public_baseurl_for(bind_address, bound port).
    std::string public_baseurl;
    std::filesystem::path data_dir = "./data";
    std::filesystem::path database_path = data_dir / "chatd.db";
    std::filesystem::path signing_key_path = data_dir / "signing.key";
    std::size_t max_request_body_bytes = 1024 * 1024;
    std::chrono::seconds request_timeout{30};
    unsigned http_threads = 2;
    std::string log_level = "info";    // trace, debug, info, warn, error, critical, off
    std::filesystem::path ready_file;  // empty: none is written
    // Threads that run Store calls (more than cores: blocked writers batch).
    unsigned db_threads = 8;
    // automatic: open when bind_address is loopback, closed otherwise.
    Registration registration = Registration::automatic;
    // Enables /_synapse/admin/v1/register (HMAC-SHA1 of this secret); empty: off.
    std::string registration_shared_secret;
    RateLimit rate_limit_register{0.17, 3};   // per client address
    RateLimit rate_limit_login{0.17, 3};      // per client address
    RateLimit rate_limit_message{10, 50};     // per user
    // Presence (issue 5): off means no presence in sync and PUT ignored.
    bool presence_enabled = true;
    std::chrono::seconds presence_idle_after{300};    // online -> unavailable
    std::chrono::seconds presence_offline_after{30};  // no request -> offline
    // MSC4089 delivery receipts: clients' own, inferred from sync, and
    // whether either applies in public rooms.
    bool delivery_explicit = true;
    bool delivery_inferred = true;
    bool delivery_public_rooms = false;
    MediaConfig media;
    PushConfig push;
    WorkersConfig workers;
    FederationConfig federation;

    // Whether /register is open with this configuration.
    bool registration_open() const;

    friend bool operator==(const Config&, const Config&) = default;
};

// Parses YAML text. Unknown keys, wrong types and values out of range are
// errors (Errc::invalid_param) whose message is one line naming the key and
// its line: "port: expected an integer from 0 to 65535 (line 3)". A key set to
// null (`port:` or `port: ~`) keeps its default. Never throws.
Result<Config> parse_config(std::string_view yaml_text);

// Reads and parses a config file. Blocks: disk. Errors as parse_config, plus
// Errc::not_found when the file cannot be read.
Result<Config> load_config(const std::filesystem::path& file);

// A commented YAML file listing every option with its default. Derived
// options are commented out, so that they keep following what they derive
// from. parse_config(generate_config()) == Config{}.
std::string generate_config();

// "127.0.0.1:8008", "[::1]:8008": an address and port as URLs and logs write them.
std::string endpoint_text(std::string_view address, std::uint16_t port);

// "http://127.0.0.1:8008/", "http://[::1]:8008/". An unspecified address
// (0.0.0.0, ::) is replaced by loopback, since no client can connect to it.
std::string public_baseurl_for(std::string_view bind_address, std::uint16_t port);

}  // namespace chat::daemon
