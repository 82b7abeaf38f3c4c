#include <chat/events/redaction.hpp>

#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat {
namespace {

// §7.1, kept in every version (besides `content`, which is filtered).
constexpr std::array<std::string_view, 11> kTopLevelKeys = {
    "event_id",   "type",  "room_id",     "sender",      "state_key",        "hashes",
    "signatures", "depth", "prev_events", "auth_events", "origin_server_ts",
};
// §7.1, kept only before the v11 rewrite (R1-R9).
constexpr std::array<std::string_view, 3> kLegacyTopLevelKeys = {"origin", "prev_state",
                                                                 "membership"};

// §7.2 m.room.power_levels, every version; R11 adds "invite". Never "notifications".
constexpr std::array<std::string_view, 8> kPowerLevelKeys = {
    "ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default",
};

// RedactionRules enumerators are declared in version order.
bool at_least(RedactionRules have, RedactionRules since) {
    return static_cast<int>(have) >= static_cast<int>(since);
}

void keep(const nlohmann::json& from, nlohmann::json& to, std::string_view key) {
    auto it = from.find(std::string(key));
    if (it != from.end()) to[std::string(key)] = *it;
}

// The content of a redacted event of type `type` (§7.2); `content` is an object.
nlohmann::json redact_content(const nlohmann::json& content, std::string_view type,
                              RedactionRules rules) {
    nlohmann::json kept = nlohmann::json::object();
    if (type == "m.room.member") {
        keep(content, kept, "membership");
        if (at_least(rules, RedactionRules::r9))
            keep(content, kept, "join_authorised_via_users_server");
        if (at_least(rules, RedactionRules::r11)) {
            auto invite = content.find("third_party_invite");
            if (invite != content.end() && invite->is_object()) {
                nlohmann::json reduced = nlohmann::json::object();
                keep(*invite, reduced, "signed");
                kept["third_party_invite"] = std::move(reduced);
            }
        }
    } else if (type == "m.room.create") {
        if (at_least(rules, RedactionRules::r11)) return content;
        keep(content, kept, "creator");
    } else if (type == "m.room.join_rules") {
        keep(content, kept, "join_rule");
        if (at_least(rules, RedactionRules::r8)) keep(content, kept, "allow");
    } else if (type == "m.room.power_levels") {
        for (auto key : kPowerLevelKeys) keep(content, kept, key);
        if (at_least(rules, RedactionRules::r11)) keep(content, kept, "invite");
    } else if (type == "m.room.history_visibility") {
        keep(content, kept, "history_visibility");
    } else if (type == "m.room.aliases") {
        if (rules == RedactionRules::r1) keep(content, kept, "aliases");
    } else if (type == "m.room.redaction") {
        if (at_least(rules, RedactionRules::r11)) keep(content, kept, "redacts");
    }
    return kept;
}

}  // namespace

nlohmann::json redact(const nlohmann::json& event, const RoomVersion& version) {
    nlohmann::json out = nlohmann::json::object();
    if (!event.is_object()) return out;
    const RedactionRules rules = version.redaction_rules;

    for (auto key : kTopLevelKeys) keep(event, out, key);
    if (!at_least(rules, RedactionRules::r11))
        for (auto key : kLegacyTopLevelKeys) keep(event, out, key);

    if (auto content = event.find("content"); content != event.end()) {
        auto type = event.find("type");
        out["content"] = redacted_content(*content, type == event.end() ? nullptr : &*type, version);
    }
    return out;
}

bool redaction_keeps(std::string_view key, const RoomVersion& version) {
    for (auto kept : kTopLevelKeys)
        if (key == kept) return true;
    if (!at_least(version.redaction_rules, RedactionRules::r11))
        for (auto kept : kLegacyTopLevelKeys)
            if (key == kept) return true;
    return false;
}

nlohmann::json redacted_content(const nlohmann::json& content, const nlohmann::json* type,
                                const RoomVersion& version) {
    if (!content.is_object() || type == nullptr || !type->is_string())
        return nlohmann::json::object();
    return redact_content(content, type->get_ref<const std::string&>(), version.redaction_rules);
}

}  // namespace chat
