// The write-ahead log of a file store is checkpointed by the store's own
// thread (store/sqlite/wal_checkpointer.hpp), not by the writer between two
// commits; what was committed stays readable, also after reopening.
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

TEST(WalCheckpoints, TheBackgroundThreadCheckpointsAndNothingCommittedIsLost) {
    test::TempDir dir;
    const auto path = dir.file("chat.db");
    const UserId user = test::uid("@a:a.test");
    // Each write stores 64 KiB of new text (16 pages and more), under 300
    // types: about 5,000 log frames, past the 4,000 that wake the thread.
    const std::string filler(64 * 1024, 'x');
    constexpr int kWrites = 300;
    {
        auto store = test::open_store(path, {.synchronous = store::Synchronous::normal});
        for (int i = 0; i < kWrites; ++i) {
            value(store->write("put", [&](store::WriteTxn& t) -> Result<bool> {
                auto pos = t.next_position(store::Stream::account_data);
                if (!pos) return pos.error();
                auto r = t.account_data().put(
                    {.user_id = user,
                     .room_id = std::nullopt,
                     .type = "t." + std::to_string(i),
                     .content = {{"filler", filler + std::to_string(i)}},
                     .stream_position = *pos});
                if (!r) return r.error();
                return true;
            }));
        }
        // The thread runs on its own time: wait for it, a few seconds at most.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (store->stats().background_checkpoints == 0 &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_GT(store->stats().background_checkpoints, 0u);
        EXPECT_EQ(store->stats().inline_checkpoints, 0u);
        // The log is bounded by the inline limit (10,000 frames of 4 KiB).
        EXPECT_LT(std::filesystem::file_size(path + "-wal"), 10000u * 4200u);
    }
    auto reopened = test::open_store(path, {});
    for (int i : {0, kWrites / 2, kWrites - 1}) {
        auto row = value(reopened->read("get", [&](store::ReadTxn& t) {
            return t.account_data().get(user, std::nullopt, "t." + std::to_string(i));
        }));
        ASSERT_TRUE(row) << i;
        EXPECT_EQ(row->content["filler"], filler + std::to_string(i));
    }
}

}  // namespace
}  // namespace chat
