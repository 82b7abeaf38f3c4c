#include "media/content_headers.hpp"

#include <array>

#include <fmt/format.h>

#include "routing/router.hpp"  // percent_decode

namespace chat::daemon {

namespace {

std::string lower_essence(std::string_view content_type) {
    auto essence = content_type.substr(0, content_type.find(';'));
    while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t'))
        essence.remove_suffix(1);
    while (!essence.empty() && (essence.front() == ' ' || essence.front() == '\t'))
        essence.remove_prefix(1);
    std::string out(essence);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The types Synapse and the spec's guidance treat as safe to render inline.
// No image/svg+xml: SVG can carry script.
constexpr std::array<std::string_view, 18> kInlineTypes = {
    "text/plain",  "text/css",   "text/csv",  "application/json", "application/ld+json",
    "image/jpeg",  "image/gif",  "image/png", "image/apng",       "image/webp",
    "image/avif",  "video/mp4",  "video/webm", "video/ogg",       "video/quicktime",
    "audio/mp4",   "audio/webm", "audio/ogg",
};

bool is_attr_char(unsigned char c) {
    // RFC 5987 attr-char minus the few we still prefer encoded.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '!' || c == '#' || c == '$' || c == '&' || c == '+' || c == '-' || c == '.' ||
           c == '^' || c == '_' || c == '`' || c == '|' || c == '~';
}

constexpr std::size_t kMaxFilenameBytes = 255;

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        auto y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

std::optional<std::string> acceptable_name(std::optional<std::string> name) {
    if (!name || name->empty() || name->size() > kMaxFilenameBytes) return std::nullopt;
    for (char c : *name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    return name;
}

}  // namespace

std::optional<std::string> disposition_filename(std::string_view disposition) {
    std::optional<std::string> plain;
    std::optional<std::string> extended;
    auto rest = disposition;
    for (auto semi = rest.find(';'); semi != std::string_view::npos; semi = rest.find(';')) {
        rest.remove_prefix(semi + 1);
        auto param = trim_blanks(rest.substr(0, rest.find(';')));
        auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        auto name = trim_blanks(param.substr(0, eq));
        auto value = trim_blanks(param.substr(eq + 1));
        if (iequal(name, "filename*")) {
            constexpr std::string_view kUtf8 = "utf-8''";
            if (value.size() >= kUtf8.size() && iequal(value.substr(0, kUtf8.size()), kUtf8))
                extended = percent_decode(value.substr(kUtf8.size()));
        } else if (iequal(name, "filename")) {
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            // Quoted-pair escapes and quotes inside are not worth decoding.
            if (value.find_first_of("\\\"") == std::string_view::npos) plain = std::string(value);
        }
    }
    if (auto name = acceptable_name(std::move(extended))) return name;
    return acceptable_name(std::move(plain));
}

bool is_inline_safe(std::string_view content_type) noexcept {
    auto type = lower_essence(content_type);
    for (auto safe : kInlineTypes)
        if (type == safe) return true;
    // Every audio type is a passive format for the browser.
    return type.starts_with("audio/") && type.find_first_of(" \t") == std::string::npos;
}

std::string content_disposition(std::string_view content_type, std::string_view filename) {
    std::string value = is_inline_safe(content_type) ? "inline" : "attachment";
    if (filename.empty()) return value;
    value += "; filename*=utf-8''";
    for (char c : filename) {
        auto byte = static_cast<unsigned char>(c);
        if (is_attr_char(byte))
            value.push_back(c);
        else
            value += fmt::format("%{:02X}", byte);
    }
    return value;
}

}  // namespace chat::daemon
