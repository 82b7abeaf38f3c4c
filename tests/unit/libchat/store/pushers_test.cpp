#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::PusherRow;
using store::ReadTxn;
using store::WriteTxn;

class StorePushers : public test::StoreTest {
protected:
    PusherRow pusher(const std::string& user, const std::string& pushkey,
                     const std::string& app_id = "org.example.app") {
        return PusherRow{.user_id = test::uid(user),
                         .app_id = app_id,
                         .pushkey = pushkey,
                         .app_display_name = "Example",
                         .device_display_name = "Phone",
                         .lang = "en",
                         .data = {{"url", "https://push.example/_matrix/push/v1/notify"}},
                         .pushkey_ts = 1000,
                         .delivered_up_to = 5};
    }
    void put(const PusherRow& row) {
        write([&](WriteTxn& t) { return t.pushers().put(row); });
    }
    std::vector<PusherRow> of(const std::string& user) {
        return read([&](ReadTxn& t) { return t.pushers().for_user(test::uid(user)); });
    }
};

TEST_F(StorePushers, PutReplacesTheSameAppIdAndPushkeyOfOneUser) {
    put(pusher("@a:a.test", "k1"));
    auto changed = pusher("@a:a.test", "k1");
    changed.device_display_name = "Tablet";
    changed.profile_tag = "tag";
    put(changed);
    put(pusher("@a:a.test", "k2"));
    put(pusher("@b:a.test", "k1"));

    auto rows = of("@a:a.test");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].pushkey, "k1");
    EXPECT_EQ(rows[0].device_display_name, "Tablet");
    EXPECT_EQ(rows[0].profile_tag, "tag");
    EXPECT_EQ(rows[0].data["url"], "https://push.example/_matrix/push/v1/notify");
    EXPECT_EQ(rows[0].delivered_up_to, 5);
    EXPECT_EQ(rows[1].pushkey, "k2");
    EXPECT_EQ(read([&](ReadTxn& t) { return t.pushers().all(); }).size(), 3u);
}

TEST_F(StorePushers, RemoveAndRemoveForOtherUsers) {
    put(pusher("@a:a.test", "k1"));
    put(pusher("@b:a.test", "k1"));
    put(pusher("@c:a.test", "k1"));
    put(pusher("@c:a.test", "k1", "other.app"));

    auto removed = write([&](WriteTxn& t) {
        return t.pushers().remove_for_other_users("org.example.app", "k1", test::uid("@a:a.test"));
    });
    EXPECT_EQ(removed, 2);
    EXPECT_EQ(of("@a:a.test").size(), 1u);
    EXPECT_TRUE(of("@b:a.test").empty());
    ASSERT_EQ(of("@c:a.test").size(), 1u);  // another app's pusher stays
    EXPECT_EQ(of("@c:a.test")[0].app_id, "other.app");

    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.pushers().remove(test::uid("@a:a.test"), "org.example.app", "k1");
    }));
    EXPECT_FALSE(write([&](WriteTxn& t) {
        return t.pushers().remove(test::uid("@a:a.test"), "org.example.app", "k1");
    }));
    EXPECT_TRUE(of("@a:a.test").empty());
}

TEST_F(StorePushers, DeliveredPositionOnlyMovesForwardAndSurvivesReopening) {
    put(pusher("@a:a.test", "k1"));
    auto set = [&](store::Position p) {
        return write([&](WriteTxn& t) {
            return t.pushers().set_delivered(test::uid("@a:a.test"), "org.example.app", "k1", p);
        });
    };
    EXPECT_TRUE(set(9));
    EXPECT_TRUE(set(7));
    EXPECT_EQ(of("@a:a.test")[0].delivered_up_to, 9);
    EXPECT_FALSE(write([&](WriteTxn& t) {
        return t.pushers().set_delivered(test::uid("@a:a.test"), "org.example.app", "gone", 3);
    }));
    store_.reset();
    store_ = test::open_store(db_path(), options());
    EXPECT_EQ(of("@a:a.test")[0].delivered_up_to, 9);
}

}  // namespace
}  // namespace chat
