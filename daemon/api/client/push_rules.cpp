#include "api/client/push_rules.hpp"

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/push/push_rules.hpp>
#include <chat/push/push_rules_store.hpp>
#include <chat/store/txn.hpp>

#include "auth/authenticate.hpp"
#include "services/services.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

using push::PushRules;
using push::RuleKind;

// The {kind} path parameter: one of the five kinds (pushrules.yaml enum).
Result<RuleKind> kind_param(const Request& request) {
    auto kind = push::rule_kind_from_string(request.path_param("kind"));
    if (!kind) return make_error(Errc::invalid_param, "Unknown push rule kind");
    return *kind;
}

// The caller's rules, defaults merged with their changes. Blocks a DB reader.
Task<Result<PushRules>> load_rules(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    const UserId& user = request.requester().user_id;
    co_return co_await services.db->read(
        "get_push_rules", [&](store::ReadTxn& txn) { return push::load_push_rules(txn, user); });
}

// The rule the path names, as JSON; then `field` of it alone when given.
Task<Result<Reply>> read_rule(Request& request, const char* field) {
    auto kind = kind_param(request);
    if (!kind) co_return kind.error();
    auto rules = co_await load_rules(request);
    if (!rules) co_return rules.error();
    const push::PushRule* rule = rules->find(*kind, request.path_param("ruleId"));
    if (!rule) co_return make_error(Errc::not_found, "The push rule was not found.");
    auto body = rule->to_json();
    if (!field) co_return Reply::json(std::move(body));
    co_return Reply::json({{field, std::move(body[field])}});
}

// Applies `edit` (`Result<void>(PushRules&)`) to the caller's rules in one
// write transaction, then wakes their syncs: the new ruleset reaches every
// client as m.push_rules account data. Blocks the DB writer.
template <typename Edit>
Task<Result<Reply>> change_rules(Request& request, Edit edit) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    const UserId& user = request.requester().user_id;
    auto position = co_await services.db->write("change_push_rules", [&](store::WriteTxn& txn) {
        return push::edit_push_rules(txn, user, edit);
    });
    if (!position) co_return position.error();
    services.wake->advanced(store::Stream::push_rules, *position);  // committed
    co_return Reply::json(nlohmann::json::object());
}

// A query parameter that counts only when non-empty (before=, after=).
std::optional<std::string> non_empty_query(const Request& request, std::string_view name) {
    auto value = request.query(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

}  // namespace

Task<Result<Reply>> get_push_rules(Request& request) {
    auto rules = co_await load_rules(request);
    if (!rules) co_return rules.error();
    co_return Reply::json(rules->to_json());
}

Task<Result<Reply>> get_push_rules_global(Request& request) {
    auto rules = co_await load_rules(request);
    if (!rules) co_return rules.error();
    co_return Reply::json(rules->ruleset_json());
}

Task<Result<Reply>> get_push_rule(Request& request) {
    co_return co_await read_rule(request, nullptr);
}

// Creates or replaces a user rule; `before`/`after` name another user rule of
// the same kind. Server-default rules cannot be created (their IDs start with
// '.'); their enabled flag and actions have endpoints of their own.
Task<Result<Reply>> put_push_rule(Request& request) {
    auto kind = kind_param(request);
    if (!kind) co_return kind.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    std::string rule_id(request.path_param("ruleId"));
    auto before = non_empty_query(request, "before");
    auto after = non_empty_query(request, "after");
    co_return co_await change_rules(request, [&](PushRules& rules) {
        return rules.put_rule(*kind, rule_id, *body,
                              before ? std::optional<std::string_view>(*before) : std::nullopt,
                              after ? std::optional<std::string_view>(*after) : std::nullopt);
    });
}

// Server-default rules cannot be deleted: 404, as Synapse answers.
Task<Result<Reply>> delete_push_rule(Request& request) {
    auto kind = kind_param(request);
    if (!kind) co_return kind.error();
    std::string rule_id(request.path_param("ruleId"));
    co_return co_await change_rules(
        request, [&](PushRules& rules) { return rules.delete_rule(*kind, rule_id); });
}

Task<Result<Reply>> get_push_rule_enabled(Request& request) {
    co_return co_await read_rule(request, "enabled");
}

// Works on server-default rules too: this is how .m.rule.master is switched on.
Task<Result<Reply>> put_push_rule_enabled(Request& request) {
    auto kind = kind_param(request);
    if (!kind) co_return kind.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto enabled = body->find("enabled");
    if (enabled == body->end() || !enabled->is_boolean())
        co_return make_error(Errc::unknown, "Value for 'enabled' must be boolean");
    const bool value = enabled->get<bool>();
    std::string rule_id(request.path_param("ruleId"));
    co_return co_await change_rules(
        request, [&](PushRules& rules) { return rules.set_enabled(*kind, rule_id, value); });
}

Task<Result<Reply>> get_push_rule_actions(Request& request) {
    co_return co_await read_rule(request, "actions");
}

Task<Result<Reply>> put_push_rule_actions(Request& request) {
    auto kind = kind_param(request);
    if (!kind) co_return kind.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto actions = body->find("actions");
    if (actions == body->end())
        co_return make_error(Errc::unknown, "Missing 'actions'");
    std::string rule_id(request.path_param("ruleId"));
    co_return co_await change_rules(request, [&](PushRules& rules) {
        return rules.set_actions(*kind, rule_id, *actions);
    });
}

}  // namespace chat::daemon
