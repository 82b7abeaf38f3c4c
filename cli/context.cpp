#include "context.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include <httplib.h>
#include <yaml-cpp/yaml.h>

namespace chat::cli {

namespace {

constexpr time_t kConnectTimeoutSeconds = 10;
constexpr time_t kReadTimeoutSeconds = 120;

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

}  // namespace

std::optional<std::filesystem::path> default_config_path() {
    if (auto xdg = env("XDG_CONFIG_HOME")) return std::filesystem::path(*xdg) / "chatctl/config.yaml";
    if (auto home = env("HOME")) return std::filesystem::path(*home) / ".config/chatctl/config.yaml";
    return std::nullopt;
}

std::optional<std::string> resolve_settings(const GlobalOptions& options, Settings& out) {
    std::optional<std::filesystem::path> file;
    if (options.config) {
        file = *options.config;
        if (!std::filesystem::exists(*file)) return "config file not found: " + file->string();
    } else {
        file = default_config_path();
        if (file && !std::filesystem::exists(*file)) file.reset();
    }
    if (file) {
        // yaml-cpp throws; its message names the line.
        try {
            YAML::Node root = YAML::LoadFile(file->string());
            if (root && !root.IsNull() && !root.IsMap())
                return file->string() + ": expected a mapping of server, token, shared_secret";
            for (const auto& entry : root) {
                auto key = entry.first.as<std::string>();
                auto value = entry.second.as<std::string>();
                if (key == "server")
                    out.server = value;
                else if (key == "token")
                    out.token = value;
                else if (key == "shared_secret")
                    out.shared_secret = value;
                else
                    return file->string() + ": unknown key '" + key + "'";
            }
        } catch (const YAML::Exception& e) {
            return file->string() + ": " + e.what();
        }
    }
    if (auto v = env("CHATCTL_SERVER")) out.server = *v;
    if (auto v = env("CHATCTL_TOKEN")) out.token = *v;
    if (auto v = env("CHATCTL_SHARED_SECRET")) out.shared_secret = *v;
    if (options.server) out.server = *options.server;
    if (options.token) out.token = *options.token;
    while (out.server.ends_with('/')) out.server.pop_back();
    if (!out.server.starts_with("http://") && !out.server.starts_with("https://"))
        return "the server must be an http:// or https:// URL, got '" + out.server + "'";
    return std::nullopt;
}

std::string escape(std::string_view segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : segment) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

Answer Context::request(std::string_view method, const std::string& path,
                        const std::optional<nlohmann::json>& body, bool authenticated) const {
    httplib::Client client(settings_.server);
    client.set_connection_timeout(kConnectTimeoutSeconds);
    client.set_read_timeout(kReadTimeoutSeconds);
    httplib::Headers headers;
    if (authenticated && settings_.token)
        headers.emplace("Authorization", "Bearer " + *settings_.token);
    const std::string payload = body ? body->dump() : std::string();
    const char* type = "application/json";
    httplib::Result result = [&] {
        if (method == "GET") return client.Get(path, headers);
        if (method == "POST") return client.Post(path, headers, payload, type);
        if (method == "PUT") return client.Put(path, headers, payload, type);
        return client.Delete(path, headers, payload, type);
    }();
    Answer answer;
    if (!result) {
        answer.transport_error = httplib::to_string(result.error());
        return answer;
    }
    answer.status = result->status;
    answer.body = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (answer.body.is_discarded()) answer.body = nlohmann::json{{"raw", result->body}};
    return answer;
}

int Context::check(const Answer& answer) const {
    if (answer.status == 0) {
        std::cerr << "chatctl: cannot connect to " << settings_.server << ": "
                  << answer.transport_error << "\n";
        return kUnreachable;
    }
    if (answer.status >= 200 && answer.status < 300) return kOk;
    std::string errcode = "M_UNKNOWN";
    std::string error;
    if (answer.body.is_object()) {
        if (auto it = answer.body.find("errcode"); it != answer.body.end() && it->is_string())
            errcode = it->get<std::string>();
        if (auto it = answer.body.find("error"); it != answer.body.end() && it->is_string())
            error = it->get<std::string>();
        else if (auto raw = answer.body.find("raw"); raw != answer.body.end() && raw->is_string())
            error = raw->get<std::string>().substr(0, 200);
    }
    std::cerr << "chatctl: server refused (" << answer.status << " " << errcode << ")";
    if (!error.empty()) std::cerr << ": " << error;
    std::cerr << "\n";
    return kRefused;
}

int Context::require_token() const {
    if (settings_.token) return kOk;
    std::cerr << "chatctl: no access token: use --token, CHATCTL_TOKEN or `token:` in the config "
                 "file (an admin's token; `chatctl register` prints one)\n";
    return kUsage;
}

void Context::print_json(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

void Table::print() const {
    std::vector<std::size_t> widths(headers.size(), 0);
    for (std::size_t i = 0; i < headers.size(); ++i) widths[i] = headers[i].size();
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            out += cells[i];
            if (i + 1 < cells.size()) out += std::string(widths[i] - cells[i].size() + 2, ' ');
        }
        std::cout << out << "\n";
    };
    line(headers);
    for (const auto& row : rows) line(row);
}

std::string cell(const nlohmann::json& value, bool flag) {
    if (value.is_null()) return "-";
    if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
    if (flag && value.is_number_integer()) return value.get<std::int64_t>() != 0 ? "yes" : "no";
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

std::string time_cell(const nlohmann::json& ms) {
    if (!ms.is_number_integer()) return "-";
    const std::time_t seconds = static_cast<std::time_t>(ms.get<std::int64_t>() / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
    return text;
}

void print_fields(const nlohmann::json& object, const std::vector<std::string>& keys) {
    std::size_t width = 0;
    for (const auto& key : keys) width = std::max(width, key.size());
    for (const auto& key : keys) {
        auto it = object.find(key);
        // Synapse sends these flags as 0/1.
        const bool flag = key == "admin" || key == "deactivated" || key == "is_guest" ||
                          key == "shadow_banned";
        std::string value = it == object.end() ? "-" : cell(*it, flag);
        if (it != object.end() && (key.ends_with("_ts") || key == "expiry_time"))
            value = time_cell(*it);
        std::cout << key << ":" << std::string(width - key.size() + 1, ' ') << value << "\n";
    }
}

}  // namespace chat::cli
