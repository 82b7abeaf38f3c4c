#include "accounts/validation.hpp"

#include <algorithm>

#include <chat/accounts/account_service.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/password.hpp>

#include "core/utf8.hpp"

namespace chat::accounts::detail {
namespace {

Error invalid(std::string message) { return make_error(Errc::invalid_param, std::move(message)); }

bool is_media_id_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

}  // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

Result<void> check_chosen_localpart(std::string_view localpart, const ServerName& server) {
    if (auto valid = validate_new_localpart(localpart, server); !valid) return valid.error();
    // Application services (bridges) conventionally own names starting with '_'.
    if (localpart.front() == '_')
        return make_error(Errc::invalid_username, "User ID may not begin with '_'");
    // Generated localparts are numeric; refusing numeric choices keeps the two apart.
    if (std::all_of(localpart.begin(), localpart.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
        return make_error(Errc::invalid_username, "Numeric user IDs are reserved");
    return ok();
}

Result<void> check_password(std::string_view password) {
    if (password.empty()) return invalid("Password must not be empty.");
    if (password.size() > crypto::kMaxPasswordBytes) return invalid("Password is too long.");
    return ok();
}

Result<void> check_device_id(std::string_view device_id) {
    if (device_id.empty() || device_id.size() > kMaxDeviceIdBytes)
        return invalid("device_id must be 1 to 255 bytes.");
    for (char c : device_id)
        if (c < 0x21 || c > 0x7E) return invalid("device_id must be printable ASCII.");
    return ok();
}

Result<void> check_device_display_name(const std::optional<std::string>& name) {
    if (name && name->size() > kMaxDeviceDisplayNameBytes)
        return invalid("Device display name is too long (max 100 bytes).");
    if (name && !chat::detail::is_valid_utf8(*name))
        return invalid("Device display name is not UTF-8.");
    return ok();
}

Result<void> check_displayname(const std::optional<std::string>& displayname) {
    if (displayname && displayname->size() > kMaxDisplaynameBytes)
        return invalid("Displayname is too long (max 256 bytes).");
    if (displayname && !chat::detail::is_valid_utf8(*displayname))
        return invalid("Displayname is not UTF-8.");
    return ok();
}

Result<void> check_avatar_url(std::string_view avatar_url) {
    constexpr std::string_view kScheme = "mxc://";
    if (avatar_url.size() > kMaxAvatarUrlBytes) return invalid("avatar_url is too long.");
    if (!avatar_url.starts_with(kScheme)) return invalid("avatar_url must be an mxc:// URI.");
    const auto rest = avatar_url.substr(kScheme.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return invalid("avatar_url must be an mxc:// URI.");
    if (!ServerName::parse(rest.substr(0, slash)))
        return invalid("avatar_url has an invalid server name.");
    const auto media_id = rest.substr(slash + 1);
    if (media_id.empty() || !std::all_of(media_id.begin(), media_id.end(), is_media_id_char))
        return invalid("avatar_url has an invalid media id.");
    return ok();
}

}  // namespace chat::accounts::detail
