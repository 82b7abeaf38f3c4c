// Two stores on one SQLite file, as two chatd workers open it (issue 10):
// separate connections, each with its own group-commit writer, contending
// for the one write lock.
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

TEST(SharedStoreFile, ConcurrentWritersNeverLoseOrRepeatAPosition) {
    test::TempDir dir;
    const auto path = dir.file("chat.db");
    const store::SqliteOptions options{.synchronous = store::Synchronous::off};
    auto first = test::open_store(path, options);
    auto second = test::open_store(path, options);  // migrations already applied: a no-op

    constexpr int kThreadsPerStore = 2;
    constexpr int kWrites = 150;
    std::vector<std::vector<store::Position>> taken(2 * kThreadsPerStore);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2 * kThreadsPerStore; ++t) {
        store::Store& target = t % 2 == 0 ? *first : *second;
        threads.emplace_back([&target, &mine = taken[t]] {
            for (int i = 0; i < kWrites; ++i) {
                // Acknowledged means committed: the position is kept.
                mine.push_back(value(target.write("advance", [](store::WriteTxn& txn) {
                    return txn.streams().next(store::Stream::events);
                })));
            }
        });
    }
    for (auto& thread : threads) thread.join();

    std::set<store::Position> all;
    for (const auto& mine : taken) {
        for (std::size_t i = 1; i < mine.size(); ++i)
            EXPECT_LT(mine[i - 1], mine[i]) << "one writer's positions must increase";
        all.insert(mine.begin(), mine.end());
    }
    const auto total = static_cast<std::size_t>(2 * kThreadsPerStore * kWrites);
    EXPECT_EQ(all.size(), total) << "a position was handed out twice";
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), static_cast<store::Position>(total)) << "a gap: a lost commit";
    // Each store's readers see the other's commits.
    for (auto* reader : {first.get(), second.get()}) {
        auto current = value(reader->read("current", [](store::ReadTxn& txn) {
            return txn.streams().current(store::Stream::events);
        }));
        EXPECT_EQ(current, static_cast<store::Position>(total));
    }
    EXPECT_EQ(first->stats().failed_commits + second->stats().failed_commits, 0u);
}

}  // namespace
}  // namespace chat
