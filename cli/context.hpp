#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace chat::cli {

// chatctl's exit codes (docs/admin.md lists them).
enum ExitCode : int {
    kOk = 0,
    kRefused = 1,      // the server answered with an error, or an operation failed
    kUsage = 2,        // bad arguments or missing settings
    kUnreachable = 3,  // no HTTP answer at all (connection refused, timeout, TLS)
};

// Where to reach chatd and as whom. Each value comes from the first of: a
// command-line flag, the environment (CHATCTL_SERVER, CHATCTL_TOKEN,
// CHATCTL_SHARED_SECRET), the YAML config file (keys server, token,
// shared_secret).
struct Settings {
    std::string server = "http://127.0.0.1:8008";
    std::optional<std::string> token;
    std::optional<std::string> shared_secret;
};

// The options every command shares, filled by CLI11 before commands run.
struct GlobalOptions {
    std::optional<std::string> server;
    std::optional<std::string> token;
    std::optional<std::string> config;
    bool json = false;
};

// One HTTP exchange. `status` 0 means no answer; `transport_error` says why.
struct Answer {
    int status = 0;
    nlohmann::json body;
    std::string transport_error;
};

// The default config file: $XDG_CONFIG_HOME/chatctl/config.yaml, else
// ~/.config/chatctl/config.yaml; none when neither variable is set.
std::optional<std::filesystem::path> default_config_path();

// Resolves settings from flags, environment and config file. A config file
// named with --config must exist; the default one may be missing. Returns
// an error message for the user on failure (unreadable YAML, wrong types).
std::optional<std::string> resolve_settings(const GlobalOptions& options, Settings& out);

// Percent-encodes one path segment ("@a:b" -> "%40a%3Ab").
std::string escape(std::string_view segment);

// What a command gets: the settings, the output mode, and HTTP to the admin API.
class Context {
public:
    Context(Settings settings, bool json) : settings_(std::move(settings)), json_(json) {}

    const Settings& settings() const noexcept { return settings_; }
    bool json() const noexcept { return json_; }

    // JSON over HTTP to the server. `authenticated` adds the access token.
    Answer request(std::string_view method, const std::string& path,
                   const std::optional<nlohmann::json>& body = std::nullopt,
                   bool authenticated = true) const;

    // The exit code for an answer that is not 2xx, after printing why on
    // stderr ("chatctl: server refused (403 M_FORBIDDEN): ..."). kOk for 2xx.
    int check(const Answer& answer) const;

    // kUsage with a message when no access token is configured.
    int require_token() const;

    // Prints `value` as indented JSON (--json output).
    static void print_json(const nlohmann::json& value);

private:
    Settings settings_;
    bool json_;
};

// Table output for people.
struct Table {
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> rows;
    void print() const;
};

// A JSON value as a table cell: null "-", booleans and 0/1 flags as yes/no
// where `flag`, strings unquoted.
std::string cell(const nlohmann::json& value, bool flag = false);
// ms since the epoch as "2026-01-02 03:04:05Z"; "-" for null.
std::string time_cell(const nlohmann::json& ms);
// Prints an object as "key: value" lines, in the given order.
void print_fields(const nlohmann::json& object, const std::vector<std::string>& keys);

}  // namespace chat::cli
