#include <chat/sync/e2ee_sections.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using nlohmann::json;
using store::ReadTxn;
using store::Stream;
using store::WriteTxn;
using test::uid;

class E2eeSections : public test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        write([&](WriteTxn& t) -> Result<void> {
            auto u = t.users().create(store::UserRow{.user_id = alice_, .created_ts = 1});
            if (!u) return u.error();
            auto d = t.devices().create(
                store::DeviceRow{.user_id = alice_, .device_id = "DEV", .created_ts = 2});
            if (!d) return d.error();
            return ok();
        });
    }
    void queue(int count) {
        write([&](WriteTxn& t) -> Result<void> {
            for (int i = 0; i < count; ++i) {
                auto pos = t.next_position(Stream::to_device);
                if (!pos) return pos.error();
                store::ToDeviceRow row{*pos, alice_, "DEV", alice_, "m.test", json{{"i", i}}};
                if (auto r = t.to_device().add(row); !r) return r;
            }
            return ok();
        });
    }
    // One sync from `from`: the body and the positions next_batch would hold.
    std::pair<json, store::StreamPositions> sync(const store::StreamPositions& from, bool initial) {
        return read([&](ReadTxn& t) -> Result<std::pair<json, store::StreamPositions>> {
            auto to = t.streams().current_all();
            if (!to) return to.error();
            json body = json::object();
            auto news = sync::add_e2ee_sections(t, alice_, "DEV", from, *to, initial, body);
            if (!news) return news.error();
            return std::pair{std::move(body), *to};
        });
    }
    UserId alice_ = uid("@alice:a.test");
};

TEST_F(E2eeSections, LongQueueIsSentInPagesThatContinueWhereTheLastStopped) {
    queue(static_cast<int>(sync::kMaxToDevicePerSync) + 20);
    auto [first, next] = sync({}, /*initial=*/true);
    ASSERT_EQ(first["to_device"]["events"].size(), sync::kMaxToDevicePerSync);
    EXPECT_EQ(first["to_device"]["events"][0]["content"]["i"], 0);
    EXPECT_EQ(next[Stream::to_device], static_cast<store::Position>(sync::kMaxToDevicePerSync));
    auto [second, last] = sync(next, /*initial=*/false);
    ASSERT_EQ(second["to_device"]["events"].size(), 20u);
    EXPECT_EQ(second["to_device"]["events"][0]["content"]["i"], 100);
    auto [third, unused] = sync(last, /*initial=*/false);
    EXPECT_TRUE(third["to_device"]["events"].empty());
}

TEST_F(E2eeSections, KeyCountsAndFallbackTypesAreAlwaysPresent) {
    auto [body, unused] = sync({}, /*initial=*/true);
    EXPECT_EQ(body["device_one_time_keys_count"], json({{"signed_curve25519", 0}}));
    EXPECT_EQ(body["device_unused_fallback_key_types"], json::array());
    EXPECT_EQ(body["device_lists"], json({{"changed", json::array()}, {"left", json::array()}}));
}

}  // namespace
}  // namespace chat
