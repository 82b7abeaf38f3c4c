#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Push rules: api/client/push_rules.cpp. Every path is under
// /_matrix/client/v3/pushrules; the router also accepts a trailing '/', which
// the spec's own paths "/pushrules/" and "/pushrules/global/" carry.

// GET /pushrules/
Task<Result<Reply>> get_push_rules(Request& request);
// GET /pushrules/global/
Task<Result<Reply>> get_push_rules_global(Request& request);
// GET/PUT/DELETE /pushrules/global/{kind}/{ruleId}
Task<Result<Reply>> get_push_rule(Request& request);
Task<Result<Reply>> put_push_rule(Request& request);
Task<Result<Reply>> delete_push_rule(Request& request);
// GET/PUT /pushrules/global/{kind}/{ruleId}/enabled
Task<Result<Reply>> get_push_rule_enabled(Request& request);
Task<Result<Reply>> put_push_rule_enabled(Request& request);
// GET/PUT /pushrules/global/{kind}/{ruleId}/actions
Task<Result<Reply>> get_push_rule_actions(Request& request);
Task<Result<Reply>> put_push_rule_actions(Request& request);

}  // namespace chat::daemon
