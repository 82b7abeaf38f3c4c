#include <chat/push/push_rules_store.hpp>

namespace chat::push {

Result<PushRules> load_push_rules(store::ReadTxn& txn, const UserId& user) {
    auto row = txn.push_rules().get(user);
    if (!row) return row.error();
    if (!*row) return PushRules(user);
    return PushRules::from_changes(user, (*row)->changes);
}

Result<store::Position> save_push_rules(store::WriteTxn& txn, const PushRules& rules) {
    auto position = txn.next_position(store::Stream::push_rules);
    if (!position) return position.error();
    auto put = txn.push_rules().put(
        {.user_id = rules.user_id(), .changes = rules.changes(), .stream_position = *position});
    if (!put) return put.error();
    return *position;
}

Result<nlohmann::json> push_rules_account_data(store::ReadTxn& txn, const UserId& user) {
    auto rules = load_push_rules(txn, user);
    if (!rules) return rules.error();
    return nlohmann::json{{"type", "m.push_rules"}, {"content", rules->to_json()}};
}

Result<bool> push_rules_changed(store::ReadTxn& txn, const UserId& user, store::Position from,
                                store::Position to) {
    // One row per user holding the latest change, so its position is enough.
    auto row = txn.push_rules().get(user);
    if (!row) return row.error();
    return *row && (*row)->stream_position > from && (*row)->stream_position <= to;
}

}  // namespace chat::push
