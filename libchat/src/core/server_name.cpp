#include <chat/core/server_name.hpp>

#include <algorithm>
#include <array>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace chat {
namespace {

constexpr std::size_t kMinIpv6Chars = 2;
constexpr std::size_t kMaxIpv6Chars = 45;
constexpr std::size_t kMaxPortDigits = 5;
constexpr unsigned kMaxPort = 65535;

Error invalid(std::string_view why) {
    return make_error(Errc::invalid_param, "Server name is not valid: " + std::string(why));
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool is_dns_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
}

bool is_ipv6_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

// The value of at most five decimal digits, which the caller has checked.
unsigned decimal_value(std::string_view digits) noexcept {
    unsigned value = 0;
    for (char c : digits) value = value * 10 + static_cast<unsigned>(c - '0');
    return value;
}

bool is_digits_and_dots(std::string_view host) noexcept {
    return std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
}

// Four parts of 1-3 decimal digits, each at most 255 (spec: IPv4address).
bool is_ipv4(std::string_view host) noexcept {
    int parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto dot = host.find('.', start);
        const auto part = host.substr(start, dot - start);  // to the end when dot is npos
        if (part.empty() || part.size() > 3) return false;
        if (!std::all_of(part.begin(), part.end(), is_digit) || decimal_value(part) > 255)
            return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return parts == 4;
}

// RFC 3513 §2.2 text form. inet_pton implements exactly that (hex groups of up
// to four digits, one "::", an optional trailing dotted quad) and does no I/O.
bool is_ipv6(std::string_view inside) noexcept {
    if (inside.size() < kMinIpv6Chars || inside.size() > kMaxIpv6Chars) return false;
    if (!std::all_of(inside.begin(), inside.end(), is_ipv6_char)) return false;
    std::array<char, kMaxIpv6Chars + 1> text{};
    std::copy(inside.begin(), inside.end(), text.begin());
    in6_addr address{};
    return inet_pton(AF_INET6, text.data(), &address) == 1;
}

// Where the hostname ends in an already validated server name.
std::size_t host_size(std::string_view value) noexcept {
    if (!value.empty() && value.front() == '[') return value.find(']') + 1;
    return std::min(value.find(':'), value.size());
}

}  // namespace

Result<ServerName> ServerName::parse(std::string_view text) {
    if (text.empty()) return invalid("empty");

    std::string_view rest;
    if (text.front() == '[') {
        // The IPv6 literal runs to the first ']'; ':' inside it belongs to it.
        const auto close = text.find(']');
        if (close == std::string_view::npos) return invalid("unclosed '['");
        if (!is_ipv6(text.substr(1, close - 1))) return invalid("bad IPv6 address");
        rest = text.substr(close + 1);
    } else {
        // Neither DNS names nor IPv4 literals contain ':', so the first one
        // starts the port.
        const auto host = text.substr(0, text.find(':'));
        if (host.empty()) return invalid("empty host");
        if (host.size() > kMaxDnsNameBytes) return invalid("host longer than 255 bytes");
        if (!std::all_of(host.begin(), host.end(), is_dns_char))
            return invalid("host may only contain 0-9, A-Z, a-z, '-' and '.'");
        if (is_digits_and_dots(host) && !is_ipv4(host)) return invalid("bad IPv4 address");
        rest = text.substr(host.size());
    }

    if (!rest.empty()) {
        if (rest.front() != ':') return invalid("unexpected characters after the host");
        const auto digits = rest.substr(1);
        if (digits.empty()) return invalid("empty port");
        if (digits.size() > kMaxPortDigits || !std::all_of(digits.begin(), digits.end(), is_digit))
            return invalid("port must be 1-5 digits");
        if (decimal_value(digits) > kMaxPort) return invalid("port above 65535");
    }
    return ServerName(std::string(text));
}

std::string_view ServerName::host() const noexcept {
    return std::string_view(value_).substr(0, host_size(value_));
}

std::optional<std::uint16_t> ServerName::port() const noexcept {
    const auto end = host_size(value_);
    if (end == value_.size()) return std::nullopt;
    return static_cast<std::uint16_t>(decimal_value(std::string_view(value_).substr(end + 1)));
}

ServerName::Kind ServerName::kind() const noexcept {
    if (value_.front() == '[') return Kind::ipv6;
    return is_digits_and_dots(host()) ? Kind::ipv4 : Kind::dns;
}

}  // namespace chat
