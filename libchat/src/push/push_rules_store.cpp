#include <chat/push/push_rules_store.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace chat::push {

namespace {

// Compiled rules by user and the stored changes they were built from.
// Building a user's rules (the defaults merged with their changes, every
// condition compiled) costs far more than evaluating them, and every message
// evaluates the rules of every member of its room. PushRules is a pure
// function of (user, changes), so one cache serves every store in the
// process and is never stale: a change shows as a different document on the
// next load, in this process or another worker.
class CompiledRules {
public:
    static constexpr std::size_t kMaxUsers = 4096;

    std::shared_ptr<const PushRules> find(const UserId& user, const nlohmann::json& changes) {
        std::lock_guard lock(mutex_);
        auto it = by_user_.find(std::string(user.str()));
        if (it == by_user_.end() || it->second.changes != changes) return nullptr;
        return it->second.rules;
    }
    void put(const UserId& user, nlohmann::json changes, std::shared_ptr<const PushRules> rules) {
        std::lock_guard lock(mutex_);
        // Bounded: starting again empty is simpler than tracking use, and
        // rebuilding is what happened on every event before.
        if (by_user_.size() >= kMaxUsers) by_user_.clear();
        by_user_.insert_or_assign(std::string(user.str()),
                                  Entry{std::move(changes), std::move(rules)});
    }

private:
    struct Entry {
        nlohmann::json changes;  // null: no stored row, the defaults only
        std::shared_ptr<const PushRules> rules;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> by_user_;  // guarded by mutex_
};

CompiledRules& compiled_rules() {
    static CompiledRules cache;
    return cache;
}

}  // namespace

Result<std::shared_ptr<const PushRules>> load_push_rules_shared(store::ReadTxn& txn,
                                                                const UserId& user) {
    auto row = txn.push_rules().get(user);
    if (!row) return row.error();
    nlohmann::json changes = *row ? std::move((*row)->changes) : nlohmann::json();
    if (auto cached = compiled_rules().find(user, changes)) return cached;
    auto rules = changes.is_null() ? Result<PushRules>(PushRules(user))
                                   : PushRules::from_changes(user, changes);
    if (!rules) return rules.error();
    auto shared = std::make_shared<const PushRules>(std::move(*rules));
    compiled_rules().put(user, std::move(changes), shared);
    return shared;
}

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
    auto rules = load_push_rules_shared(txn, user);
    if (!rules) return rules.error();
    return nlohmann::json{{"type", "m.push_rules"}, {"content", (*rules)->to_json()}};
}

Result<bool> push_rules_changed(store::ReadTxn& txn, const UserId& user, store::Position from,
                                store::Position to) {
    // One row per user holding the latest change, so its position is enough.
    auto row = txn.push_rules().get(user);
    if (!row) return row.error();
    return *row && (*row)->stream_position > from && (*row)->stream_position <= to;
}

}  // namespace chat::push
