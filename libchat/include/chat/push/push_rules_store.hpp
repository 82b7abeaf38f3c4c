#pragma once

#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/push/push_rules.hpp>
#include <chat/store/stream.hpp>
#include <chat/store/txn.hpp>

namespace chat::push {

// A user's push rules kept in the store: only their changes are stored
// (store::PushRulesRow), the server defaults are merged in on load. Every
// change advances Stream::push_rules, which wakes /sync and tells the sync
// assembler to send m.push_rules again.
//
// These run inside a store transaction: they block on SQLite and must be
// called on a DB thread (Store::read/write, DbExecutor).

// The user's rules: the defaults merged with their stored changes. Errors:
// Errc::storage.
Result<PushRules> load_push_rules(store::ReadTxn& txn, const UserId& user);
// The same rules, read-only and shared: built once per (user, stored changes)
// in this process, for evaluating them on every event. Errors: Errc::storage.
Result<std::shared_ptr<const PushRules>> load_push_rules_shared(store::ReadTxn& txn,
                                                                const UserId& user);

// Stores `rules` (PushRules::changes()) at the next Stream::push_rules
// position and returns that position; the caller tells its sync::Notifier
// once the transaction has committed. Errors: Errc::storage.
Result<store::Position> save_push_rules(store::WriteTxn& txn, const PushRules& rules);

// Loads the user's rules, applies `edit` (`Result<void>(PushRules&)`, e.g. a
// put_rule call) and, if it succeeded, saves them. Returns the new position,
// or edit's error with nothing written.
template <typename Edit>
Result<store::Position> edit_push_rules(store::WriteTxn& txn, const UserId& user, Edit&& edit) {
    auto rules = load_push_rules(txn, user);
    if (!rules) return rules.error();
    Result<void> edited = std::forward<Edit>(edit)(*rules);
    if (!edited) return edited.error();
    return save_push_rules(txn, *rules);
}

// The user's rules as a global account data event for /sync:
// {"type": "m.push_rules", "content": {"global": {...}}} (push.md § Push
// Rules: Events). Sent in every initial sync, and in an incremental sync when
// push_rules_changed() says so. Errors: Errc::storage.
Result<nlohmann::json> push_rules_account_data(store::ReadTxn& txn, const UserId& user);

// Whether the user's rules changed with from < position <= to on
// Stream::push_rules (an incremental sync between two tokens). Errors:
// Errc::storage.
Result<bool> push_rules_changed(store::ReadTxn& txn, const UserId& user, store::Position from,
                                store::Position to);

}  // namespace chat::push
