#include <chat/core/user_id.hpp>

#include <algorithm>

#include "core/utf8.hpp"

namespace chat {
namespace {

Error invalid(std::string_view why) {
    return make_error(Errc::invalid_param, "User ID is not valid: " + std::string(why));
}

// user_id_char in the spec's current grammar.
bool is_user_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '=' ||
           c == '_' || c == '/' || c == '+';
}

bool fits_current_grammar(std::string_view localpart) noexcept {
    return !localpart.empty() && std::all_of(localpart.begin(), localpart.end(), is_user_id_char);
}

}  // namespace

Result<UserId> UserId::parse(std::string_view text) {
    if (text.size() > kMaxBytes) return invalid("longer than 255 bytes");
    if (text.empty() || text.front() != '@') return invalid("must start with '@'");
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return invalid("missing ':'");
    if (!detail::is_opaque_localpart(text.substr(1, colon - 1)))
        return invalid("the localpart must be valid UTF-8 without NUL");
    if (auto server = ServerName::parse(text.substr(colon + 1)); !server)
        return invalid(server.error().message);
    return UserId(std::string(text));
}

Result<UserId> UserId::parse_strict(std::string_view text) {
    auto id = parse(text);
    if (id && !id->is_compliant())
        return invalid("the localpart may only contain a-z, 0-9, '-', '.', '=', '_', '/' and '+'");
    return id;
}

std::string_view UserId::localpart() const noexcept {
    return std::string_view(value_).substr(1, value_.find(':') - 1);
}

std::string_view UserId::server() const noexcept {
    return std::string_view(value_).substr(value_.find(':') + 1);
}

bool UserId::is_compliant() const noexcept { return fits_current_grammar(localpart()); }

bool UserId::has_historical_grammar() const noexcept {
    const auto local = localpart();
    return !local.empty() &&
           std::all_of(local.begin(), local.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

Result<void> validate_new_localpart(std::string_view localpart, const ServerName& server) {
    using enum Errc;
    if (localpart.empty()) return make_error(invalid_username, "User ID localpart is empty");
    if (!fits_current_grammar(localpart))
        return make_error(invalid_username,
                          "User ID may only contain a-z, 0-9, '-', '.', '=', '_', '/' and '+'");
    // '@' + localpart + ':' + server
    if (localpart.size() + server.str().size() + 2 > UserId::kMaxBytes)
        return make_error(invalid_username, "User ID is longer than 255 bytes");
    return ok();
}

}  // namespace chat
