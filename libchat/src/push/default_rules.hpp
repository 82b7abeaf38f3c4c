#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include <chat/core/user_id.hpp>
#include <chat/push/push_rules.hpp>

namespace chat::push::detail {

// The server-default rules (push.md § Predefined Rules) for `user`, each kind
// in the spec's order, compiled. .m.rule.master is the first override rule;
// PushRules puts the user's own rules after it.
std::array<std::vector<PushRule>, kRuleKindCount> default_rules(const UserId& user);

}  // namespace chat::push::detail
