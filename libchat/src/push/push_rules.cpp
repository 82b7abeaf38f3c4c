#include <chat/push/push_rules.hpp>

#include <algorithm>
#include <iterator>

#include <chat/push/actions.hpp>

#include "push/default_rules.hpp"

namespace chat::push {

namespace {

using nlohmann::json;

std::size_t index(RuleKind kind) { return static_cast<std::size_t>(kind); }

bool has_conditions(RuleKind kind) {
    return kind == RuleKind::override || kind == RuleKind::underride;
}

bool is_legacy_mention(const PushRule& rule) {
    return rule.is_default && (rule.rule_id == ".m.rule.contains_display_name" ||
                               rule.rule_id == ".m.rule.roomnotif" ||
                               rule.rule_id == ".m.rule.contains_user_name");
}

// Checks an untrusted `conditions` array: each an object with a string
// `kind`. Unknown kinds are kept (they never match, as the spec requires);
// their other fields are not checked, as Synapse does not either.
Result<json> check_conditions(const json& conditions) {
    if (!conditions.is_array()) return make_error(Errc::unknown, "'conditions' must be an array");
    if (conditions.size() > kMaxConditionsPerRule)
        return make_error(Errc::unknown, "Too many conditions");
    for (const auto& c : conditions) {
        auto kind = c.is_object() ? c.find("kind") : c.end();
        if (!c.is_object() || kind == c.end() || !kind->is_string())
            return make_error(Errc::unknown, "Condition without 'kind'");
    }
    return conditions;
}

// A user rule from its kind, ID and the request body (or a stored entry).
Result<PushRule> user_rule_from_json(RuleKind kind, std::string rule_id, const json& body) {
    if (!body.is_object()) return make_error(Errc::unknown, "A push rule must be an object");
    PushRule rule;
    rule.kind = kind;
    rule.rule_id = std::move(rule_id);

    auto actions_it = body.find("actions");
    if (actions_it == body.end()) return make_error(Errc::unknown, "No actions found");
    auto actions = normalise_actions(*actions_it);
    if (!actions) return actions.error();
    rule.actions = std::move(*actions);

    if (has_conditions(kind)) {
        // The spec makes conditions optional (none: the rule always matches).
        auto it = body.find("conditions");
        auto conditions = check_conditions(it == body.end() ? json::array() : *it);
        if (!conditions) return conditions.error();
        rule.conditions = std::move(*conditions);
    } else if (kind == RuleKind::content) {
        auto it = body.find("pattern");
        if (it == body.end() || !it->is_string())
            return make_error(Errc::unknown, "Content rule missing 'pattern'");
        rule.pattern = it->get<std::string>();
    }
    compile_rule(rule);
    return rule;
}

Result<void> check_new_rule_id(std::string_view rule_id) {
    if (rule_id.empty()) return make_error(Errc::invalid_param, "Empty rule ID");
    if (rule_id.size() > kMaxRuleIdBytes) return make_error(Errc::invalid_param, "Rule ID too long");
    if (rule_id.find_first_of("/\\") != std::string_view::npos)
        return make_error(Errc::invalid_param, "rule_id may not contain slashes");
    if (rule_id.front() == '.')
        return make_error(Errc::unknown, "cannot add new rule_ids that start with '.'");
    return ok();
}

}  // namespace

std::string_view to_string(RuleKind kind) noexcept {
    switch (kind) {
    case RuleKind::override: return "override";
    case RuleKind::content: return "content";
    case RuleKind::room: return "room";
    case RuleKind::sender: return "sender";
    case RuleKind::underride: return "underride";
    }
    return "override";  // unreachable
}

std::optional<RuleKind> rule_kind_from_string(std::string_view name) noexcept {
    for (RuleKind kind : kRuleKinds)
        if (to_string(kind) == name) return kind;
    return std::nullopt;
}

void compile_rule(PushRule& rule) {
    rule.compiled_conditions.clear();
    if (rule.conditions.is_array())
        for (const auto& c : rule.conditions)
            rule.compiled_conditions.push_back(Condition::compile(c));
    rule.compiled_pattern = rule.pattern ? Glob::compile(*rule.pattern) : Glob();
    ActionSummary summary = summarise_actions(rule.actions);
    rule.notify = summary.notify;
    rule.highlight = summary.highlight;
    rule.legacy_mention = is_legacy_mention(rule);
}

json PushRule::to_json() const {
    json out = {{"rule_id", rule_id},
                {"default", is_default},
                {"enabled", enabled},
                {"actions", actions}};
    if (has_conditions(kind)) out["conditions"] = conditions.is_array() ? conditions : json::array();
    if (kind == RuleKind::content && pattern) out["pattern"] = *pattern;
    return out;
}

PushRules::PushRules(UserId user) : user_(std::move(user)) { rebuild(); }

// The stored document:
//   {"rules": {"<kind>": [{"rule_id", "enabled", "actions", "conditions"|"pattern"}, ...]},
//    "defaults": {"<kind>": {"<rule_id>": {"enabled"?: bool, "actions"?: [...]}}}}
// User rules are listed most important first.
Result<PushRules> PushRules::from_changes(UserId user, const json& changes) {
    PushRules rules(std::move(user));
    if (!changes.is_object()) return rules;
    if (auto stored = changes.find("rules"); stored != changes.end() && stored->is_object()) {
        for (RuleKind kind : kRuleKinds) {
            auto list = stored->find(std::string(to_string(kind)));
            if (list == stored->end() || !list->is_array()) continue;
            for (const auto& entry : *list) {
                if (!entry.is_object()) continue;
                auto id = entry.find("rule_id");
                if (id == entry.end() || !id->is_string()) continue;
                auto rule = user_rule_from_json(kind, id->get<std::string>(), entry);
                if (!rule || rules.find_user_rule(kind, rule->rule_id)) continue;
                if (auto enabled = entry.find("enabled");
                    enabled != entry.end() && enabled->is_boolean())
                    rule->enabled = enabled->get<bool>();
                rules.user_rules(kind).push_back(std::move(*rule));
            }
        }
    }
    if (auto stored = changes.find("defaults"); stored != changes.end() && stored->is_object()) {
        for (RuleKind kind : kRuleKinds) {
            auto by_id = stored->find(std::string(to_string(kind)));
            if (by_id == stored->end() || !by_id->is_object()) continue;
            for (auto it = by_id->begin(); it != by_id->end(); ++it) {
                if (!it->is_object()) continue;
                DefaultChange change;
                if (auto enabled = it->find("enabled"); enabled != it->end() && enabled->is_boolean())
                    change.enabled = enabled->get<bool>();
                if (auto actions = it->find("actions"); actions != it->end()) {
                    auto normalised = normalise_actions(*actions);
                    if (normalised) change.actions = std::move(*normalised);
                }
                rules.default_changes_[{kind, it.key()}] = std::move(change);
            }
        }
    }
    rules.rebuild();
    return rules;
}

json PushRules::changes() const {
    json rules = json::object();
    for (RuleKind kind : kRuleKinds) {
        const auto& list = user_rules_[index(kind)];
        if (list.empty()) continue;
        json out = json::array();
        for (const auto& rule : list) {
            json entry = {{"rule_id", rule.rule_id},
                          {"enabled", rule.enabled},
                          {"actions", rule.actions}};
            if (has_conditions(kind)) entry["conditions"] = rule.conditions;
            if (rule.pattern) entry["pattern"] = *rule.pattern;
            out.push_back(std::move(entry));
        }
        rules[std::string(to_string(kind))] = std::move(out);
    }
    json defaults = json::object();
    for (const auto& [key, change] : default_changes_) {
        json entry = json::object();
        if (change.enabled) entry["enabled"] = *change.enabled;
        if (change.actions) entry["actions"] = *change.actions;
        defaults[std::string(to_string(key.first))][key.second] = std::move(entry);
    }
    return {{"rules", std::move(rules)}, {"defaults", std::move(defaults)}};
}

const PushRule* PushRules::find(RuleKind kind, std::string_view rule_id) const noexcept {
    for (const auto& rule : merged_[index(kind)])
        if (rule.rule_id == rule_id) return &rule;
    return nullptr;
}

PushRule* PushRules::find_user_rule(RuleKind kind, std::string_view rule_id) {
    for (auto& rule : user_rules(kind))
        if (rule.rule_id == rule_id) return &rule;
    return nullptr;
}

std::size_t PushRules::user_rule_count() const noexcept {
    std::size_t n = 0;
    for (const auto& list : user_rules_) n += list.size();
    return n;
}

json PushRules::ruleset_json() const {
    json out = json::object();
    for (RuleKind kind : kRuleKinds) {
        json list = json::array();
        for (const auto& rule : merged_[index(kind)]) list.push_back(rule.to_json());
        out[std::string(to_string(kind))] = std::move(list);
    }
    return out;
}

json PushRules::to_json() const { return {{"global", ruleset_json()}}; }

Result<void> PushRules::put_rule(RuleKind kind, std::string_view rule_id, const json& body,
                                 std::optional<std::string_view> before,
                                 std::optional<std::string_view> after) {
    if (auto checked = check_new_rule_id(rule_id); !checked) return checked.error();
    auto rule = user_rule_from_json(kind, std::string(rule_id), body);
    if (!rule) return rule.error();

    auto& list = user_rules(kind);
    auto existing = std::find_if(list.begin(), list.end(),
                                 [&](const PushRule& r) { return r.rule_id == rule_id; });
    const bool is_new = existing == list.end();
    if (is_new && user_rule_count() >= kMaxUserRules)
        return make_error(Errc::unknown, "Too many push rules");

    // The spec: with both, "the new or updated rule must be the next most
    // important rule with respect to the rule identified by before". The
    // anchor is another user rule: naming a default rule, or the rule itself,
    // is "not found".
    std::optional<std::string_view> anchor = before ? before : after;
    if (anchor && (*anchor == rule_id || !find_user_rule(kind, *anchor)))
        return make_error(Errc::unknown, "before/after rule not found: " + std::string(*anchor));

    if (!anchor && !is_new) {  // replaced in place
        rule->enabled = existing->enabled;
        *existing = std::move(*rule);
        rebuild();
        return ok();
    }
    if (!is_new) {
        rule->enabled = existing->enabled;
        list.erase(existing);
    }
    auto at = list.begin();
    if (anchor) {
        at = std::find_if(list.begin(), list.end(),
                          [&](const PushRule& r) { return r.rule_id == *anchor; });
        if (!before) ++at;  // after: the next less important place
    }
    list.insert(at, std::move(*rule));
    rebuild();
    return ok();
}

Result<void> PushRules::delete_rule(RuleKind kind, std::string_view rule_id) {
    auto& list = user_rules(kind);
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const PushRule& r) { return r.rule_id == rule_id; });
    if (it == list.end()) return make_error(Errc::not_found, "Unknown rule");
    list.erase(it);
    rebuild();
    return ok();
}

Result<void> PushRules::set_enabled(RuleKind kind, std::string_view rule_id, bool enabled) {
    if (PushRule* rule = find_user_rule(kind, rule_id)) {
        rule->enabled = enabled;
    } else if (const PushRule* merged = find(kind, rule_id); merged && merged->is_default) {
        default_changes_[{kind, std::string(rule_id)}].enabled = enabled;
    } else {
        return make_error(Errc::not_found, "Unknown rule");
    }
    rebuild();
    return ok();
}

Result<void> PushRules::set_actions(RuleKind kind, std::string_view rule_id,
                                    const json& actions) {
    PushRule* rule = find_user_rule(kind, rule_id);
    const PushRule* merged = find(kind, rule_id);
    if (!rule && !(merged && merged->is_default))
        return make_error(Errc::not_found, "Unknown rule");
    auto normalised = normalise_actions(actions);
    if (!normalised) return normalised.error();
    if (rule) {
        rule->actions = std::move(*normalised);
        compile_rule(*rule);
    } else {
        default_changes_[{kind, std::string(rule_id)}].actions = std::move(*normalised);
    }
    rebuild();
    return ok();
}

void PushRules::rebuild() {
    auto defaults = detail::default_rules(user_);
    for (auto& list : defaults) {
        for (auto& rule : list) {
            auto change = default_changes_.find({rule.kind, rule.rule_id});
            if (change == default_changes_.end()) continue;
            if (change->second.enabled) rule.enabled = *change->second.enabled;
            if (change->second.actions) {
                rule.actions = *change->second.actions;
                compile_rule(rule);
            }
        }
    }
    for (RuleKind kind : kRuleKinds) {
        auto& merged = merged_[index(kind)];
        auto& base = defaults[index(kind)];
        const auto& mine = user_rules_[index(kind)];
        merged.clear();
        merged.reserve(base.size() + mine.size());
        auto rest = base.begin();
        // .m.rule.master outranks every rule, the user's included (push.md).
        if (kind == RuleKind::override && rest != base.end() && rest->rule_id == ".m.rule.master")
            merged.push_back(std::move(*rest++));
        merged.insert(merged.end(), mine.begin(), mine.end());
        merged.insert(merged.end(), std::make_move_iterator(rest),
                      std::make_move_iterator(base.end()));
    }
}

}  // namespace chat::push
