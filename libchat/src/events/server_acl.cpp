#include <chat/events/server_acl.hpp>

#include <cctype>

#include <nlohmann/json.hpp>

namespace chat::events {

namespace {

bool same_letter(char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
}

bool any_glob_matches(const nlohmann::json& content, const char* field, std::string_view host) {
    auto list = content.find(field);
    if (list == content.end() || !list->is_array()) return false;
    for (const auto& entry : *list) {
        if (!entry.is_string()) continue;
        if (acl_glob_matches(entry.get_ref<const std::string&>(), host)) return true;
    }
    return false;
}

}  // namespace

bool acl_glob_matches(std::string_view pattern, std::string_view text) {
    // Greedy matching with one backtrack point (the last '*'): linear memory,
    // O(pattern x text) time at worst, whatever a room's ACL holds.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' &&
                                                         same_letter(pattern[p], text[t])))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool server_allowed_by_acl(const nlohmann::json& acl_content, const ServerName& server) {
    if (!acl_content.is_object()) return false;  // an ACL event we cannot read denies
    const auto host = server.host();
    if (server.kind() != ServerName::Kind::dns) {
        auto literals = acl_content.find("allow_ip_literals");
        if (literals != acl_content.end() && literals->is_boolean() && !literals->get<bool>())
            return false;
    }
    if (any_glob_matches(acl_content, "deny", host)) return false;
    return any_glob_matches(acl_content, "allow", host);
}

}  // namespace chat::events
