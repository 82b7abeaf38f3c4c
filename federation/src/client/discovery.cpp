#include <chat/federation/client/discovery.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <chat/json/parse.hpp>

namespace chat::federation {

namespace {

constexpr std::int64_t kHourMs = 3600 * 1000;

}  // namespace

bool resolves_directly(const ServerName& server) {
    return server.kind() != ServerName::Kind::dns || server.port().has_value();
}

ResolvedServer resolve_literally(const ServerName& server) {
    const bool ip = server.kind() != ServerName::Kind::dns;
    return ResolvedServer{.host = std::string(server.host()),
                          .port = server.port().value_or(kDefaultFederationPort),
                          .host_header = std::string(server.str()),
                          .tls_name = ip ? std::string() : std::string(server.host())};
}

std::optional<ServerName> parse_well_known(std::string_view body) {
    auto parsed = json::parse(body);
    if (!parsed || !parsed->is_object()) return std::nullopt;
    auto server = parsed->find("m.server");
    if (server == parsed->end() || !server->is_string()) return std::nullopt;
    auto name = ServerName::parse(server->get<std::string>());
    if (!name) return std::nullopt;
    return std::move(*name);
}

std::int64_t well_known_cache_ms(std::string_view cache_control) {
    constexpr std::int64_t kDefault = 24 * kHourMs, kMax = 48 * kHourMs;
    std::string lower(cache_control);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("no-store") != std::string::npos || lower.find("no-cache") != std::string::npos)
        return 0;
    auto at = lower.find("max-age=");
    if (at == std::string::npos) return kDefault;
    std::int64_t seconds = 0;
    const char* begin = lower.data() + at + 8;
    auto [end, ec] = std::from_chars(begin, lower.data() + lower.size(), seconds);
    if (ec != std::errc{} || end == begin || seconds < 0) return kDefault;
    return std::min(seconds > kMax / 1000 ? kMax : seconds * 1000, kMax);
}

}  // namespace chat::federation
