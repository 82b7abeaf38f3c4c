#include <chat/push/push_rules_store.hpp>

#include <memory>

#include <gtest/gtest.h>

#include <chat/store/sqlite.hpp>
#include <chat/store/store.hpp>

#include "libchat/push/push_test_support.hpp"

namespace chat::push {
namespace {

using test::j;

class PushRulesStore : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite(":memory:", {.synchronous = store::Synchronous::off});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
    }

    store::Position mute_room(const char* room) {
        auto pos = store_->write("test", [&](store::WriteTxn& txn) {
            return edit_push_rules(txn, alice_, [&](PushRules& rules) {
                return rules.put_rule(RuleKind::room, room, j(R"({"actions":[]})"));
            });
        });
        EXPECT_TRUE(pos);
        return pos ? *pos : 0;
    }
    nlohmann::json account_data() {
        auto event = store_->read(
            "test", [&](store::ReadTxn& txn) { return push_rules_account_data(txn, alice_); });
        EXPECT_TRUE(event);
        return event ? *event : nlohmann::json();
    }
    bool changed(store::Position from, store::Position to) {
        auto r = store_->read("test", [&](store::ReadTxn& txn) {
            return push_rules_changed(txn, alice_, from, to);
        });
        EXPECT_TRUE(r);
        return r && *r;
    }

    std::unique_ptr<store::Store> store_;
    UserId alice_ = test::user(test::kAlice);
};

TEST_F(PushRulesStore, AUserWithoutChangesGetsTheDefaults) {
    auto event = account_data();
    EXPECT_EQ(event["type"], "m.push_rules");
    EXPECT_EQ(event["content"], PushRules(alice_).to_json());
    EXPECT_FALSE(changed(0, 100));
}

TEST_F(PushRulesStore, ChangesAreKeptAndAdvanceThePushRulesStream) {
    auto first = mute_room("!a:a.test");
    auto second = mute_room("!b:a.test");
    EXPECT_GT(second, first);
    auto positions = store_->read(
        "test", [](store::ReadTxn& txn) { return txn.current_position(store::Stream::push_rules); });
    ASSERT_TRUE(positions);
    EXPECT_EQ(*positions, second);

    auto rooms = account_data()["content"]["global"]["room"];
    ASSERT_EQ(rooms.size(), 2u);
    EXPECT_EQ(rooms[0]["rule_id"], "!b:a.test");
    EXPECT_EQ(rooms[1]["rule_id"], "!a:a.test");

    EXPECT_TRUE(changed(first, second));
    EXPECT_TRUE(changed(0, second));
    EXPECT_FALSE(changed(second, second + 5));
    EXPECT_FALSE(changed(0, first));  // only the latest change is kept
}

TEST_F(PushRulesStore, AFailedEditWritesNothing) {
    auto pos = store_->write("test", [&](store::WriteTxn& txn) {
        return edit_push_rules(txn, alice_, [](PushRules& rules) {
            return rules.put_rule(RuleKind::room, ".bad", j(R"({"actions":[]})"));
        });
    });
    ASSERT_FALSE(pos);
    EXPECT_EQ(pos.error().code, Errc::unknown);
    auto current = store_->read(
        "test", [](store::ReadTxn& txn) { return txn.current_position(store::Stream::push_rules); });
    ASSERT_TRUE(current);
    EXPECT_EQ(*current, 0);
    EXPECT_EQ(account_data()["content"], PushRules(alice_).to_json());
}

TEST_F(PushRulesStore, OtherUsersAreUnaffected) {
    mute_room("!a:a.test");
    auto bob = test::user(test::kBob);
    auto rules = store_->read("test", [&](store::ReadTxn& txn) { return load_push_rules(txn, bob); });
    ASSERT_TRUE(rules);
    EXPECT_EQ(rules->ruleset_json(), PushRules(bob).ruleset_json());
    EXPECT_EQ(rules->find(RuleKind::override, ".m.rule.invite_for_me")->conditions[2]["pattern"],
              test::kBob);
}

}  // namespace
}  // namespace chat::push
