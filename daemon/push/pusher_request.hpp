#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/push_actions.hpp>
#include <chat/store/pushers.hpp>

namespace chat::daemon::push {

// The path every push gateway serves (spec Push Gateway API).
inline constexpr std::string_view kNotifyPath = "/_matrix/push/v1/notify";

// What one POST /pushers/set asks for.
struct PusherChange {
    std::string app_id;
    std::string pushkey;
    // None: `kind: null`, remove the pusher. Otherwise the pusher to store
    // (delivered_up_to still to be chosen by the caller).
    std::optional<store::PusherRow> pusher;
    bool append = false;  // false: the same app_id and pushkey of other users go
};

// Validates the body of POST /_matrix/client/v3/pushers/set (untrusted).
// Errors: missing_param (a required field absent, data.url for kind http),
// bad_json (a field of the wrong type), invalid_param (an unsupported kind or
// format, an over-long app_id or pushkey, a url that is not http(s) ending
// in /_matrix/push/v1/notify, or a private address when !allow_private).
Result<PusherChange> parse_pusher_change(const nlohmann::json& body, const UserId& user,
                                         std::int64_t now_ms, bool allow_private_gateways);

// Whether `url` is an absolute http(s) URL whose path is the notify path
// and, unless `allow_private`, whose host is not a loopback, private,
// link-local or unspecified IP literal nor "localhost". Host names are not
// resolved here: a name that resolves to a private address is not caught.
bool gateway_url_allowed(std::string_view url, bool allow_private);

// The pusher as GET /pushers lists it.
nlohmann::json pusher_json(const store::PusherRow& pusher);

// What the sender knows about one notification besides its push action.
struct NotificationFacts {
    nlohmann::json event;  // the event as stored (type, sender, content, ...)
    std::optional<std::string> sender_display_name;
    std::optional<std::string> room_name;
    std::int64_t unread = 0;  // the user's badge (push::badge_count)
};

// The body of POST /_matrix/push/v1/notify for one pusher and one push
// action (spec Push Gateway API): event_id, room_id and counts always;
// type, sender, sender_display_name, room_name and content unless the
// pusher's data.format is "event_id_only"; prio high for highlights, sound
// and encrypted events, low otherwise; one device with the pusher's data
// minus its url and the action's tweaks.
nlohmann::json notify_body(const store::PusherRow& pusher, const store::PushActionRow& action,
                           const NotificationFacts& facts);

}  // namespace chat::daemon::push
