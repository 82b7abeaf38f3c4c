#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using store::ReadTxn;
using store::RegistrationTokenRow;
using store::UserListQuery;
using store::UserRow;
using store::WriteTxn;

class StoreAdmin : public test::StoreTest {
protected:
    void add_user(const char* id, bool admin = false, bool deactivated = false,
                  std::optional<std::string> displayname = {}) {
        write([&](WriteTxn& t) {
            return t.users().create(UserRow{.user_id = test::uid(id),
                                            .created_ts = 1,
                                            .admin = admin,
                                            .deactivated = deactivated,
                                            .displayname = std::move(displayname)});
        });
    }
    std::vector<std::string> names(const UserListQuery& q) {
        auto rows = read([&](ReadTxn& t) { return t.admin().list_users(q); });
        std::vector<std::string> out;
        for (const auto& r : rows) out.emplace_back(r.user_id.str());
        return out;
    }
};

TEST_F(StoreAdmin, UserListFiltersPagesAndCounts) {
    add_user("@amy:a.test", /*admin=*/true);
    add_user("@bea:a.test", false, false, "Beatrice");
    add_user("@cat:a.test", false, /*deactivated=*/true);
    add_user("@dan:a.test");

    EXPECT_EQ(names({}), (std::vector<std::string>{"@amy:a.test", "@bea:a.test", "@dan:a.test"}));
    EXPECT_EQ(names({.deactivated = true}).size(), 4u);
    EXPECT_EQ(names({.admins = true}), std::vector<std::string>{"@amy:a.test"});
    EXPECT_EQ(names({.admins = false}).size(), 2u);
    EXPECT_EQ(names({.name = std::string("TRICE")}), std::vector<std::string>{"@bea:a.test"});
    EXPECT_EQ(names({.user_id = std::string("dan")}), std::vector<std::string>{"@dan:a.test"});
    EXPECT_EQ(names({.from = 1, .limit = 1}), std::vector<std::string>{"@bea:a.test"});
    EXPECT_EQ(names({.descending = true, .limit = 1}), std::vector<std::string>{"@dan:a.test"});
    auto count = read([&](ReadTxn& t) { return t.admin().count_users({.limit = 1}); });
    EXPECT_EQ(count, 3);  // limit and from do not change the total
}

TEST_F(StoreAdmin, RegistrationTokensAreReservedWithinTheirLimits) {
    write([&](WriteTxn& t) {
        return t.registration_tokens().create(
            RegistrationTokenRow{.token = "once", .uses_allowed = 1, .expiry_time = 1000});
    });
    auto dup = store_->write("dup", [&](WriteTxn& t) {
        return t.registration_tokens().create(RegistrationTokenRow{.token = "once"});
    });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::invalid_param);

    // After its expiry nothing is reserved.
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.registration_tokens().reserve("once", 1000); }));
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.registration_tokens().reserve("once", 999); }));
    // The one use is pending: a second registration cannot take it.
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.registration_tokens().reserve("once", 1); }));
    // A failed registration gives it back; a finished one counts it.
    write([&](WriteTxn& t) { return t.registration_tokens().finish("once", false); });
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.registration_tokens().reserve("once", 1); }));
    write([&](WriteTxn& t) { return t.registration_tokens().finish("once", true); });
    auto row = read([&](ReadTxn& t) { return t.registration_tokens().get("once"); });
    ASSERT_TRUE(row);
    EXPECT_EQ(row->completed, 1);
    EXPECT_EQ(row->pending, 0);
    EXPECT_FALSE(row->valid_at(1));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.registration_tokens().reserve("unknown", 1); }));

    EXPECT_TRUE(write([&](WriteTxn& t) { return t.registration_tokens().remove("once"); }));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.registration_tokens().remove("once"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.registration_tokens().list(); }).empty());
}

TEST_F(StoreAdmin, RoomBlocksAndErasedUsersAreRemembered) {
    const auto room = test::rid("!r:a.test");
    const auto amy = test::uid("@amy:a.test");
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.admin().room_block(room); }));
    write([&](WriteTxn& t) { return t.admin().block_room({room, amy, 5}); });
    auto block = read([&](ReadTxn& t) { return t.admin().room_block(room); });
    ASSERT_TRUE(block);
    EXPECT_EQ(block->blocked_by, amy);
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.admin().unblock_room(room); }));

    EXPECT_FALSE(read([&](ReadTxn& t) { return t.admin().erased(amy); }));
    write([&](WriteTxn& t) { return t.admin().set_erased(amy, true); });
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.admin().erased(amy); }));
    write([&](WriteTxn& t) { return t.admin().set_erased(amy, false); });
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.admin().erased(amy); }));
}

}  // namespace
}  // namespace chat
