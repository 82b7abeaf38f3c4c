#include "push/pusher_request.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>

#include "api/client/body_fields.hpp"

namespace chat::daemon::push {

namespace {

// Spec limits of POST /pushers/set.
constexpr std::size_t kMaxAppIdBytes = 64;
constexpr std::size_t kMaxPushkeyBytes = 512;
// Our bounds for the free-text fields, so one pusher stays small.
constexpr std::size_t kMaxTextBytes = 1024;
constexpr std::size_t kMaxDataBytes = 16 * 1024;

bool is_private(const boost::asio::ip::address& address) {
    if (address.is_loopback() || address.is_unspecified() || address.is_multicast()) return true;
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
    }
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped())
        return is_private(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    const auto b = v6.to_bytes();
    return v6.is_link_local() || v6.is_site_local() || (b[0] & 0xfe) == 0xfc;
}

// The host of an http(s) URL: between "://" and the port, path or end;
// IPv6 literals without their brackets.
std::string_view host_of(std::string_view url) {
    auto start = url.find("://");
    if (start == std::string_view::npos) return {};
    auto rest = url.substr(start + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    if (rest.starts_with('[')) {
        auto close = rest.find(']');
        return close == std::string_view::npos ? std::string_view() : rest.substr(1, close - 1);
    }
    return rest.substr(0, rest.find(':'));
}

Result<std::string> bounded_string(const nlohmann::json& body, std::string_view field,
                                   std::size_t max_bytes) {
    auto value = required_string(body, field);
    if (!value) return value.error();
    if (value->size() > max_bytes)
        return make_error(Errc::invalid_param,
                          "'" + std::string(field) + "' is longer than " +
                              std::to_string(max_bytes) + " bytes");
    return value;
}

}  // namespace

bool gateway_url_allowed(std::string_view url, bool allow_private) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) return false;
    if (url.find_first_of(" \t\r\n") != std::string_view::npos) return false;
    const auto host = host_of(url);
    if (host.empty()) return false;
    // The path must be exactly the notify path (no query or fragment either).
    const auto path_at = url.find('/', url.find("://") + 3);
    if (path_at == std::string_view::npos || url.substr(path_at) != kNotifyPath) return false;
    if (allow_private) return true;
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "localhost" || lower.ends_with(".localhost")) return false;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(lower, ec);
    return ec || !is_private(address);
}

Result<PusherChange> parse_pusher_change(const nlohmann::json& body, const UserId& user,
                                         std::int64_t now_ms, bool allow_private_gateways) {
    auto app_id = bounded_string(body, "app_id", kMaxAppIdBytes);
    if (!app_id) return app_id.error();
    auto pushkey = bounded_string(body, "pushkey", kMaxPushkeyBytes);
    if (!pushkey) return pushkey.error();
    PusherChange change{.app_id = std::move(*app_id), .pushkey = std::move(*pushkey)};

    const auto kind = body.find("kind");
    if (kind == body.end()) return make_error(Errc::missing_param, "Missing 'kind'");
    if (kind->is_null()) return change;  // removal needs nothing else
    if (!kind->is_string()) return make_error(Errc::bad_json, "'kind' must be a string or null");
    if (*kind != "http")
        return make_error(Errc::invalid_param, "Only pushers of kind 'http' are supported");

    auto app_display_name = bounded_string(body, "app_display_name", kMaxTextBytes);
    if (!app_display_name) return app_display_name.error();
    auto device_display_name = bounded_string(body, "device_display_name", kMaxTextBytes);
    if (!device_display_name) return device_display_name.error();
    auto lang = bounded_string(body, "lang", kMaxTextBytes);
    if (!lang) return lang.error();
    auto profile_tag = optional_string(body, "profile_tag");
    if (!profile_tag) return profile_tag.error();
    if (*profile_tag && (*profile_tag)->size() > kMaxTextBytes)
        return make_error(Errc::invalid_param, "'profile_tag' is too long");
    auto append = optional_bool(body, "append");
    if (!append) return append.error();
    change.append = append->value_or(false);

    const auto data = body.find("data");
    if (data == body.end()) return make_error(Errc::missing_param, "Missing 'data'");
    if (!data->is_object()) return make_error(Errc::bad_json, "'data' must be an object");
    if (data->dump().size() > kMaxDataBytes)
        return make_error(Errc::too_large, "'data' is too large");
    const auto url = data->find("url");
    if (url == data->end())
        return make_error(Errc::missing_param, "'data.url' is required for http pushers");
    if (!url->is_string()) return make_error(Errc::bad_json, "'data.url' must be a string");
    if (!gateway_url_allowed(url->get_ref<const std::string&>(), allow_private_gateways))
        return make_error(Errc::invalid_param,
                          "'data.url' must be an http(s) URL of a public host ending in " +
                              std::string(kNotifyPath));
    if (const auto format = data->find("format"); format != data->end()) {
        if (!format->is_string() || *format != "event_id_only")
            return make_error(Errc::invalid_param, "'data.format' must be 'event_id_only'");
    }

    change.pusher = store::PusherRow{.user_id = user,
                                     .app_id = change.app_id,
                                     .pushkey = change.pushkey,
                                     .kind = "http",
                                     .app_display_name = std::move(*app_display_name),
                                     .device_display_name = std::move(*device_display_name),
                                     .profile_tag = std::move(*profile_tag),
                                     .lang = std::move(*lang),
                                     .data = *data,
                                     .pushkey_ts = now_ms};
    return change;
}

nlohmann::json pusher_json(const store::PusherRow& pusher) {
    nlohmann::json out{{"app_id", pusher.app_id},
                       {"pushkey", pusher.pushkey},
                       {"kind", pusher.kind},
                       {"app_display_name", pusher.app_display_name},
                       {"device_display_name", pusher.device_display_name},
                       {"lang", pusher.lang},
                       {"data", pusher.data}};
    if (pusher.profile_tag) out["profile_tag"] = *pusher.profile_tag;
    return out;
}

nlohmann::json notify_body(const store::PusherRow& pusher, const store::PushActionRow& action,
                           const NotificationFacts& facts) {
    nlohmann::json tweaks = nlohmann::json::object();
    for (const auto& a : action.actions) {
        if (!a.is_object()) continue;
        const auto name = a.find("set_tweak");
        if (name == a.end() || !name->is_string()) continue;
        const auto value = a.find("value");
        // A highlight tweak without a value means true (spec "Tweaks").
        tweaks[name->get<std::string>()] = value == a.end() ? nlohmann::json(true) : *value;
    }
    nlohmann::json data = pusher.data.is_object() ? pusher.data : nlohmann::json::object();
    data.erase("url");
    const std::string type = facts.event.value("type", "");
    const bool urgent = action.highlight || tweaks.contains("sound") || type == "m.room.encrypted";

    nlohmann::json notification{
        {"event_id", action.event_id.str()},
        {"room_id", action.room_id.str()},
        {"prio", urgent ? "high" : "low"},
        {"counts", {{"unread", facts.unread}}},
        {"devices", nlohmann::json::array({{{"app_id", pusher.app_id},
                                            {"pushkey", pusher.pushkey},
                                            {"pushkey_ts", pusher.pushkey_ts},
                                            {"data", std::move(data)},
                                            {"tweaks", std::move(tweaks)}}})}};
    if (pusher.data.is_object() && pusher.data.value("format", "") == "event_id_only")
        return {{"notification", std::move(notification)}};

    notification["type"] = type;
    notification["sender"] = facts.event.value("sender", "");
    if (facts.sender_display_name) notification["sender_display_name"] = *facts.sender_display_name;
    if (facts.room_name) notification["room_name"] = *facts.room_name;
    if (const auto content = facts.event.find("content");
        content != facts.event.end() && content->is_object())
        notification["content"] = *content;
    if (const auto state_key = facts.event.find("state_key");
        state_key != facts.event.end() && state_key->is_string() && type == "m.room.member") {
        // Invites: the gateway tells "you were invited" from "someone joined".
        notification["user_is_target"] = *state_key == action.user_id.str();
        const auto content = facts.event.find("content");
        if (content != facts.event.end() && content->is_object() && content->contains("membership"))
            notification["membership"] = (*content)["membership"];
    }
    return {{"notification", std::move(notification)}};
}

}  // namespace chat::daemon::push
