#include <chat/push/evaluator.hpp>

namespace chat::push {

bool rule_matches(const PushRule& rule, const EventView& event, const RoomFacts& room,
                  const MemberFacts& member) {
    switch (rule.kind) {
    case RuleKind::override:
    case RuleKind::underride:
        // All conditions must hold; a rule without conditions always matches.
        for (const auto& condition : rule.compiled_conditions)
            if (!condition.matches(event, room, member)) return false;
        return true;
    case RuleKind::content:
        return rule.pattern && event.body() && rule.compiled_pattern.matches_words(*event.body());
    case RuleKind::room: return !event.room_id().empty() && event.room_id() == rule.rule_id;
    case RuleKind::sender: return !event.sender().empty() && event.sender() == rule.rule_id;
    }
    return false;
}

std::optional<Decision> evaluate(const PushRules& rules, const EventView& event,
                                 const RoomFacts& room, const MemberFacts& member) {
    if (event.sender() == rules.user_id().str()) return std::nullopt;
    for (RuleKind kind : kRuleKinds) {
        for (const PushRule& rule : rules.rules(kind)) {
            if (!rule.enabled) continue;
            if (rule.legacy_mention && event.has_mentions()) continue;
            if (!rule_matches(rule, event, room, member)) continue;
            return Decision{
                .kind = kind, .rule = &rule, .notify = rule.notify, .highlight = rule.highlight};
        }
    }
    return std::nullopt;
}

}  // namespace chat::push
