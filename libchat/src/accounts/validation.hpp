#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>

namespace chat::accounts::detail {

// Checks on untrusted account fields, shared by registration, login, devices and profiles.
// Each returns Errc::invalid_param with a client-safe message unless noted.

// ASCII A-Z to a-z; other bytes unchanged (the spec's mapping of requested names starts here).
std::string ascii_lower(std::string_view text);

// A localpart a client asks for (already lower-cased): validate_new_localpart, and not the
// forms we keep for ourselves. Errors: Errc::invalid_username.
Result<void> check_chosen_localpart(std::string_view localpart, const ServerName& server);

// Non-empty and at most crypto::kMaxPasswordBytes.
Result<void> check_password(std::string_view password);

// 1 to kMaxDeviceIdBytes bytes of printable ASCII (ids appear in URLs and logs).
Result<void> check_device_id(std::string_view device_id);
Result<void> check_device_display_name(const std::optional<std::string>& name);

Result<void> check_displayname(const std::optional<std::string>& displayname);
// mxc://<server-name>/<media-id>, media-id of [A-Za-z0-9_-]; at most kMaxAvatarUrlBytes.
Result<void> check_avatar_url(std::string_view avatar_url);

}  // namespace chat::accounts::detail
