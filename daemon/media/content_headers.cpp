#include "media/content_headers.hpp"

#include <array>

#include <fmt/format.h>

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

}  // namespace

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
