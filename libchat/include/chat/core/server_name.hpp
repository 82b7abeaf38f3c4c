#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <chat/core/result.hpp>

namespace chat {

// A Matrix server name such as "matrix.org", "1.2.3.4:8448" or
// "[1234:5678::abcd]:5678" (spec appendices, "Server Name"; digest
// events-and-rooms.md §2.1).
//
// Always well formed: the only way to build one from text is parse(). Compared
// byte for byte, so case matters: "matrix.org" and "MATRIX.ORG" are different
// servers, as the spec requires of identifiers. Cheap enough to pass by value.
class ServerName {
public:
    enum class Kind { dns, ipv4, ipv6 };

    // The dns-name grammar allows at most this many characters in the host.
    static constexpr std::size_t kMaxDnsNameBytes = 255;

    // Parses untrusted text of the form `hostname [":" port]`, where hostname is
    // - an IPv4 literal: four dot-separated decimal parts of 1-3 digits, each
    //   0-255. Leading zeros pass the grammar and are decimal ("010" is ten);
    // - "[" IPv6 "]": 2-45 characters of 0-9 A-F a-f ':' '.' that form an IPv6
    //   address (RFC 3513 §2.2; checked with inet_pton, so no zone ids);
    // - a DNS name: 1-255 characters of 0-9 A-Z a-z '-' '.'. A name made only
    //   of digits and dots that is not a valid IPv4 literal ("1.2.3.999",
    //   "1.2.3", "127") is refused: it matches the dns-name grammar, but it is
    //   a broken address and resolvers read it as one (digest §2.1 rule 6).
    // The port, if present, is 1-5 digits with a value of at most 65535. Labels
    // are not checked further (the spec's conventions for them are a SHOULD).
    // Errors: Errc::invalid_param, with a client-safe message naming the problem.
    static Result<ServerName> parse(std::string_view text);

    std::string_view str() const noexcept { return value_; }
    // The hostname as written; an IPv6 literal keeps its brackets ("[::1]").
    std::string_view host() const noexcept;
    std::optional<std::uint16_t> port() const noexcept;
    Kind kind() const noexcept;

    friend bool operator==(const ServerName&, const ServerName&) = default;
    friend auto operator<=>(const ServerName&, const ServerName&) = default;

private:
    explicit ServerName(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

}  // namespace chat
