#include "media/byte_range.hpp"

#include <charconv>
#include <optional>

namespace chat::daemon {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// 1*DIGIT with no sign, no spaces, and no overflow.
std::optional<std::uint64_t> digits(std::string_view s) {
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

}  // namespace

ByteRange parse_byte_range(std::string_view header, std::uint64_t size) noexcept {
    const ByteRange whole{};
    header = trim(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() < kUnit.size()) return whole;
    for (std::size_t i = 0; i < kUnit.size(); ++i) {
        char c = header[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != kUnit[i]) return whole;  // another unit: ignored
    }
    auto spec = trim(header.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return whole;  // several ranges
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    auto first_text = trim(spec.substr(0, dash));
    auto last_text = trim(spec.substr(dash + 1));

    if (first_text.empty()) {
        // "-N": the last N bytes.
        auto suffix = digits(last_text);
        if (!suffix) return whole;
        if (*suffix == 0 || size == 0) return {.kind = ByteRange::Kind::unsatisfiable};
        std::uint64_t n = *suffix < size ? *suffix : size;
        return {.kind = ByteRange::Kind::partial, .first = size - n, .length = n};
    }
    auto first = digits(first_text);
    if (!first) return whole;
    std::optional<std::uint64_t> last;
    if (!last_text.empty()) {
        last = digits(last_text);
        if (!last || *last < *first) return whole;  // invalid: ignored
    }
    if (*first >= size) return {.kind = ByteRange::Kind::unsatisfiable};
    std::uint64_t end = (last && *last < size - 1) ? *last : size - 1;
    return {.kind = ByteRange::Kind::partial, .first = *first, .length = end - *first + 1};
}

}  // namespace chat::daemon
