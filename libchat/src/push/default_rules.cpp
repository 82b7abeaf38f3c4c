#include "push/default_rules.hpp"

#include <string>
#include <utility>

namespace chat::push::detail {

namespace {

using nlohmann::json;

json event_match(const char* key, std::string pattern) {
    return {{"kind", "event_match"}, {"key", key}, {"pattern", std::move(pattern)}};
}

json notify_sound(const char* sound) {
    return json::array({"notify", {{"set_tweak", "sound"}, {"value", sound}}});
}

json notify_sound_highlight() {
    return json::array(
        {"notify", {{"set_tweak", "sound"}, {"value", "default"}}, {{"set_tweak", "highlight"}}});
}

json notify_highlight() {
    return json::array({"notify", {{"set_tweak", "highlight"}}});
}

PushRule rule(RuleKind kind, const char* rule_id, json conditions, json actions,
              bool enabled = true) {
    PushRule r;
    r.kind = kind;
    r.rule_id = rule_id;
    r.is_default = true;
    r.enabled = enabled;
    r.conditions = std::move(conditions);
    r.actions = std::move(actions);
    return r;
}

PushRule override_rule(const char* rule_id, json conditions, json actions, bool enabled = true) {
    return rule(RuleKind::override, rule_id, std::move(conditions), std::move(actions), enabled);
}

PushRule underride_rule(const char* rule_id, json conditions, json actions) {
    return rule(RuleKind::underride, rule_id, std::move(conditions), std::move(actions));
}

}  // namespace

std::array<std::vector<PushRule>, kRuleKindCount> default_rules(const UserId& user) {
    const std::string user_id(user.str());
    const json member_count_2 = {{"kind", "room_member_count"}, {"is", "2"}};
    const json room_permission = {{"kind", "sender_notification_permission"}, {"key", "room"}};

    std::array<std::vector<PushRule>, kRuleKindCount> rules;
    auto& overrides = rules[static_cast<std::size_t>(RuleKind::override)];
    auto& content = rules[static_cast<std::size_t>(RuleKind::content)];
    auto& underrides = rules[static_cast<std::size_t>(RuleKind::underride)];

    // Default override rules, in the spec's order; the legacy mention rules
    // (removed in v1.17) sit where every version up to v1.16 put them.
    overrides.push_back(override_rule(".m.rule.master", json::array(), json::array(),
                                      /*enabled=*/false));
    overrides.push_back(override_rule(".m.rule.suppress_notices",
                                      json::array({event_match("content.msgtype", "m.notice")}),
                                      json::array()));
    overrides.push_back(override_rule(".m.rule.invite_for_me",
                                      json::array({event_match("type", "m.room.member"),
                                                   event_match("content.membership", "invite"),
                                                   event_match("state_key", user_id)}),
                                      notify_sound("default")));
    overrides.push_back(override_rule(".m.rule.member_event",
                                      json::array({event_match("type", "m.room.member")}),
                                      json::array()));
    overrides.push_back(override_rule(".m.rule.is_user_mention",
                                      json::array({{{"kind", "event_property_contains"},
                                                    {"key", "content.m\\.mentions.user_ids"},
                                                    {"value", user_id}}}),
                                      notify_sound_highlight()));
    overrides.push_back(override_rule(".m.rule.contains_display_name",
                                      json::array({{{"kind", "contains_display_name"}}}),
                                      notify_sound_highlight()));
    overrides.push_back(override_rule(".m.rule.is_room_mention",
                                      json::array({{{"kind", "event_property_is"},
                                                    {"key", "content.m\\.mentions.room"},
                                                    {"value", true}},
                                                   room_permission}),
                                      notify_highlight()));
    overrides.push_back(override_rule(".m.rule.roomnotif",
                                      json::array({event_match("content.body", "@room"),
                                                   room_permission}),
                                      notify_highlight()));
    overrides.push_back(override_rule(".m.rule.tombstone",
                                      json::array({event_match("type", "m.room.tombstone"),
                                                   event_match("state_key", "")}),
                                      notify_highlight()));
    overrides.push_back(override_rule(".m.rule.reaction",
                                      json::array({event_match("type", "m.reaction")}),
                                      json::array()));
    overrides.push_back(override_rule(".m.rule.room.server_acl",
                                      json::array({event_match("type", "m.room.server_acl"),
                                                   event_match("state_key", "")}),
                                      json::array()));
    overrides.push_back(override_rule(".m.rule.suppress_edits",
                                      json::array({{{"kind", "event_property_is"},
                                                    {"key", "content.m\\.relates_to.rel_type"},
                                                    {"value", "m.replace"}}}),
                                      json::array()));

    // The one (legacy) default content rule: the user's localpart on word boundaries.
    PushRule user_name;
    user_name.kind = RuleKind::content;
    user_name.rule_id = ".m.rule.contains_user_name";
    user_name.is_default = true;
    user_name.pattern = std::string(user.localpart());
    user_name.actions = notify_sound_highlight();
    content.push_back(std::move(user_name));

    underrides.push_back(underride_rule(".m.rule.call",
                                        json::array({event_match("type", "m.call.invite")}),
                                        notify_sound("ring")));
    underrides.push_back(underride_rule(
        ".m.rule.encrypted_room_one_to_one",
        json::array({member_count_2, event_match("type", "m.room.encrypted")}),
        notify_sound("default")));
    underrides.push_back(underride_rule(
        ".m.rule.room_one_to_one",
        json::array({member_count_2, event_match("type", "m.room.message")}),
        notify_sound("default")));
    underrides.push_back(underride_rule(".m.rule.message",
                                        json::array({event_match("type", "m.room.message")}),
                                        json::array({"notify"})));
    underrides.push_back(underride_rule(".m.rule.encrypted",
                                        json::array({event_match("type", "m.room.encrypted")}),
                                        json::array({"notify"})));

    for (auto& kind : rules)
        for (auto& r : kind) compile_rule(r);
    return rules;
}

}  // namespace chat::push::detail
