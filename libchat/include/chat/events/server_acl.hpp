#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/server_name.hpp>

namespace chat::events {

// Whether a room's m.room.server_acl content lets `server` take part (spec
// "Server Access Control Lists"; digest federation.md §16). Evaluated in
// the spec's order: an IP literal is denied when allow_ip_literals is false
// (anything but the boolean false counts as true); then any `deny` glob
// denies; then any `allow` glob allows; otherwise denied. Globs match the
// server name without its port, ASCII case-insensitively, `*` any run and `?`
// one character. An absent or malformed `allow` is an empty list (denies
// everyone); entries that are not strings are skipped. Untrusted content is
// fine: never throws. A room without an ACL event allows every server; that
// check is the caller's (there is no content to pass).
bool server_allowed_by_acl(const nlohmann::json& acl_content, const ServerName& server);

// The glob matching above, exposed for tests: `text` against `pattern`.
bool acl_glob_matches(std::string_view pattern, std::string_view text);

}  // namespace chat::events
