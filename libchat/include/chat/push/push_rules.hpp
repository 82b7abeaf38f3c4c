#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/push/condition.hpp>
#include <chat/push/glob.hpp>

namespace chat::push {

// The kinds of push rule, in the order they are evaluated (push.md § Push Rules).
enum class RuleKind { override, content, room, sender, underride };

inline constexpr std::size_t kRuleKindCount = 5;
inline constexpr std::array<RuleKind, kRuleKindCount> kRuleKinds = {
    RuleKind::override, RuleKind::content, RuleKind::room, RuleKind::sender,
    RuleKind::underride,
};

// "override", "content", ...: the name in URLs and in the ruleset JSON.
std::string_view to_string(RuleKind kind) noexcept;
// The inverse of to_string(); none for anything else. Untrusted input is fine.
std::optional<RuleKind> rule_kind_from_string(std::string_view name) noexcept;

// Bounds on what one user may store, beside the parser that enforces them.
inline constexpr std::size_t kMaxUserRules = 1000;       // all kinds together
inline constexpr std::size_t kMaxRuleIdBytes = 1024;     // room and user IDs are <= 255
inline constexpr std::size_t kMaxConditionsPerRule = 64;

// One rule of a user's ruleset, as clients see it, with what evaluation needs
// compiled beside it.
struct PushRule {
    RuleKind kind = RuleKind::override;
    std::string rule_id;
    bool is_default = false;  // a server-default rule (its ID starts with '.')
    bool enabled = true;
    nlohmann::json conditions;           // override and underride: an array; otherwise null
    std::optional<std::string> pattern;  // content rules only
    nlohmann::json actions = nlohmann::json::array();  // normalised (normalise_actions)

    // Derived from the fields above by PushRules; not part of the JSON.
    std::vector<Condition> compiled_conditions;
    Glob compiled_pattern;
    bool notify = false;     // summarise_actions(actions)
    bool highlight = false;
    // One of the mention rules removed in v1.17 (.m.rule.contains_display_name,
    // .m.rule.roomnotif, .m.rule.contains_user_name): since v1.7 they apply
    // only to events without `m.mentions`.
    bool legacy_mention = false;

    // {"rule_id", "default", "enabled", "actions"} and, by kind, "conditions"
    // or "pattern" (push_rule.yaml).
    nlohmann::json to_json() const;
};

// One user's push rules: the server-default rules of the spec (current ones,
// plus the three mention rules v1.17 removed, which every version up to v1.16
// defines and our /versions still lists) merged with the user's own rules and
// their changes to default rules (enabled, actions).
//
// Order within each kind is evaluation order: .m.rule.master, then the user's
// rules (most important first), then the other server-default rules of the
// kind. The server-default rules are not stored: only the user's changes are
// (changes()), so a newer server's defaults reach every user.
//
// A value type; not thread-safe to edit, safe to share for evaluation.
// Pointers into rules() stay valid until the next edit.
class PushRules {
public:
    // The server-default rules for `user`, with no changes.
    explicit PushRules(UserId user);

    // Rebuilds a user's rules from what changes() returned. The document is our
    // own; entries that do not parse are skipped rather than failing the user's
    // sync forever. Never fails today; Result for a future format change.
    static Result<PushRules> from_changes(UserId user, const nlohmann::json& changes);

    // The user's own rules and their changes to default rules: what the store keeps.
    nlohmann::json changes() const;

    const UserId& user_id() const noexcept { return user_; }
    // Every rule of `kind`, enabled or not, in evaluation order.
    std::span<const PushRule> rules(RuleKind kind) const noexcept {
        return merged_[static_cast<std::size_t>(kind)];
    }
    // The rule of `kind` with `rule_id`; null when there is none.
    const PushRule* find(RuleKind kind, std::string_view rule_id) const noexcept;

    // {"override": [...], "content": [...], "room": [...], "sender": [...],
    // "underride": [...]}: GET /pushrules/global/ (push_ruleset.yaml).
    nlohmann::json ruleset_json() const;
    // {"global": ruleset_json()}: GET /pushrules/ and the m.push_rules content.
    nlohmann::json to_json() const;

    // PUT /pushrules/global/{kind}/{ruleId}: creates or replaces a user rule
    // from the untrusted request `body` ({actions, conditions (override,
    // underride; absent means none), pattern (content)}). A new rule is enabled
    // and, without `before`/`after`, the most important user rule of its kind;
    // a replaced rule keeps its place and its enabled flag. `before` (which wins
    // when both are given) and `after` name another user rule of the same kind.
    // Errors: Errc::invalid_param (empty ID, '/' or '\' in it, over
    // kMaxRuleIdBytes); Errc::unknown (400 M_UNKNOWN, as Synapse): an ID
    // starting with '.', missing or malformed actions, conditions or pattern,
    // an unknown before/after rule, more than kMaxUserRules rules.
    Result<void> put_rule(RuleKind kind, std::string_view rule_id, const nlohmann::json& body,
                          std::optional<std::string_view> before = std::nullopt,
                          std::optional<std::string_view> after = std::nullopt);
    // DELETE: removes a user rule. Errors: Errc::not_found, also for
    // server-default rules, which cannot be deleted (Synapse answers 404 too).
    Result<void> delete_rule(RuleKind kind, std::string_view rule_id);
    // PUT .../enabled, on user and server-default rules. Errors: Errc::not_found.
    Result<void> set_enabled(RuleKind kind, std::string_view rule_id, bool enabled);
    // PUT .../actions with the untrusted `actions`, on user and server-default
    // rules. Errors: Errc::not_found; Errc::unknown (normalise_actions).
    Result<void> set_actions(RuleKind kind, std::string_view rule_id,
                             const nlohmann::json& actions);

private:
    struct DefaultChange {
        std::optional<bool> enabled;
        std::optional<nlohmann::json> actions;
    };
    using DefaultKey = std::pair<RuleKind, std::string>;

    std::vector<PushRule>& user_rules(RuleKind kind) {
        return user_rules_[static_cast<std::size_t>(kind)];
    }
    PushRule* find_user_rule(RuleKind kind, std::string_view rule_id);
    std::size_t user_rule_count() const noexcept;
    void rebuild();

    UserId user_;
    std::array<std::vector<PushRule>, kRuleKindCount> user_rules_;  // most important first
    std::map<DefaultKey, DefaultChange> default_changes_;
    std::array<std::vector<PushRule>, kRuleKindCount> merged_;
};

// Fills a rule's derived fields from its JSON fields (PushRules does this for
// every rule it holds; exposed for tests and tools).
void compile_rule(PushRule& rule);

}  // namespace chat::push
