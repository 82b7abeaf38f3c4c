#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <chat/core/server_name.hpp>

namespace chat::federation {

// Server discovery (spec server-server-api "Resolving server names"; digest
// federation.md §1): the parts that need no network. FederationClient adds
// the .well-known lookup and its cache. SRV records are not looked up: glibc
// offers no SRV query and the spec prefers .well-known; a server that needs
// SRV-only delegation is unreachable from us (docs/architecture.md).

// The default federation port.
inline constexpr std::uint16_t kDefaultFederationPort = 8448;

// Where to connect for one server name.
struct ResolvedServer {
    std::string host;         // to connect to; an IPv6 literal keeps its brackets
    std::uint16_t port = kDefaultFederationPort;
    std::string host_header;  // the Host header: the (delegated) server name
    std::string tls_name;     // certificate name and SNI; empty for an IP literal
    friend bool operator==(const ResolvedServer&, const ResolvedServer&) = default;
};

// Whether `server` resolves without .well-known: an IP literal, or a
// hostname with an explicit port (steps 1 and 2).
bool resolves_directly(const ServerName& server);

// `server` taken literally: its host, its port or 8448, Host = the name as
// written (steps 1, 2, 6, and 3.1, 3.2, 3.5 for a delegated name).
ResolvedServer resolve_literally(const ServerName& server);

// The delegated server name of a /.well-known/matrix/server body ({"m.server":
// "host[:port]"}), parsed as JSON whatever its Content-Type; none when the
// body is not JSON, has no string m.server, or that is no server name.
std::optional<ServerName> parse_well_known(std::string_view body);

// How long to cache a well-known answer with this Cache-Control header:
// its max-age, capped at 48 h; 24 h without one (spec §1 step 3).
std::int64_t well_known_cache_ms(std::string_view cache_control);

}  // namespace chat::federation
