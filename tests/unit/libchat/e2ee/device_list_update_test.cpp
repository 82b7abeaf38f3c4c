#include <chat/e2ee/device_list_update.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using nlohmann::json;
using store::WriteTxn;
using test::uid;

class DeviceListUpdate : public test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        const UserId users[] = {alice_, bob_};
        write([&](WriteTxn& t) {
            return test::create_users_with_device(t, users, "DEV1", "phone");
        });
    }

    // A device list change as keys.cpp records one: the stream moves on.
    void change(const UserId& user) {
        write([&](WriteTxn& t) -> Result<void> {
            auto position = t.next_position(store::Stream::device_lists);
            if (!position) return position.error();
            return t.e2ee_keys().mark_changed(user, *position);
        });
    }

    json announce(const UserId& user, std::string_view device_id = "DEV1") {
        return write([&](WriteTxn& t) { return e2ee::device_list_update_content(t, user, device_id); });
    }

    UserId alice_ = uid("@alice:a.test");
    UserId bob_ = uid("@bob:a.test");
};

TEST_F(DeviceListUpdate, FirstUpdateHasNoPrevId) {
    change(alice_);
    auto first = announce(alice_);

    EXPECT_EQ(first["user_id"], "@alice:a.test");
    EXPECT_EQ(first["device_id"], "DEV1");
    EXPECT_EQ(first["deleted"], false);
    EXPECT_EQ(first["device_display_name"], "phone");
    EXPECT_TRUE(first["stream_id"].is_number_integer());
    EXPECT_EQ(first["prev_id"], json::array());
}

TEST_F(DeviceListUpdate, EachUpdateNamesThePreviousOne) {
    change(alice_);
    auto first = announce(alice_);
    change(alice_);
    auto second = announce(alice_);
    change(alice_);
    auto third = announce(alice_);

    EXPECT_EQ(second["prev_id"], json::array({first["stream_id"]}));
    EXPECT_GT(second["stream_id"].get<std::int64_t>(), first["stream_id"].get<std::int64_t>());
    EXPECT_EQ(third["prev_id"], json::array({second["stream_id"]}));
    EXPECT_GT(third["stream_id"].get<std::int64_t>(), second["stream_id"].get<std::int64_t>());
}

TEST_F(DeviceListUpdate, StreamIdNeverRepeatsWithoutANewPosition) {
    change(alice_);
    auto first = announce(alice_);
    auto again = announce(alice_);  // no device_lists position in between

    EXPECT_GT(again["stream_id"].get<std::int64_t>(), first["stream_id"].get<std::int64_t>());
    EXPECT_EQ(again["prev_id"], json::array({first["stream_id"]}));
}

TEST_F(DeviceListUpdate, UsersChainIndependently) {
    change(alice_);
    auto alice_first = announce(alice_);
    change(bob_);
    auto bob_first = announce(bob_);
    change(alice_);
    auto alice_second = announce(alice_);
    change(bob_);
    auto bob_second = announce(bob_);

    EXPECT_EQ(bob_first["prev_id"], json::array());
    EXPECT_EQ(alice_second["prev_id"], json::array({alice_first["stream_id"]}));
    EXPECT_EQ(bob_second["prev_id"], json::array({bob_first["stream_id"]}));
}

TEST_F(DeviceListUpdate, DeletedDeviceChainsToo) {
    change(alice_);
    auto first = announce(alice_);
    write([&](WriteTxn& t) -> Result<void> {
        auto removed = t.devices().remove(alice_, "DEV1");
        if (!removed) return removed.error();
        return ok();
    });
    change(alice_);
    auto gone = announce(alice_);

    EXPECT_EQ(gone["deleted"], true);
    EXPECT_FALSE(gone.contains("device_display_name"));
    EXPECT_EQ(gone["prev_id"], json::array({first["stream_id"]}));
    EXPECT_GT(gone["stream_id"].get<std::int64_t>(), first["stream_id"].get<std::int64_t>());
}

}  // namespace
}  // namespace chat
