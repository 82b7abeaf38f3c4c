#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using namespace std::chrono_literals;
using store::Position;
using store::ReadTxn;
using store::Stream;
using store::UserRow;
using store::WriteJob;
using store::WriteTxn;

// Polls `done` until it holds or the deadline passes.
template <typename F>
bool wait_until(F done, std::chrono::milliseconds deadline = 20s) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

Result<void> add_user(WriteTxn& t, const std::string& localpart) {
    return t.users().create(UserRow{.user_id = test::uid("@" + localpart + ":a.test"), .created_ts = 1});
}

class StoreGroupCommit : public test::StoreTest {
protected:
    bool user_exists(const std::string& localpart) {
        return read([&](ReadTxn& t) { return t.users().get(test::uid("@" + localpart + ":a.test")); })
            .has_value();
    }

    // Runs `first` as a write that holds the writer until `queued` other
    // writes wait behind it, so that those form the next batch.
    std::thread hold_writer(std::size_t queued, std::atomic<bool>& running,
                            std::function<Result<void>(WriteTxn&)> first) {
        return std::thread([this, queued, &running, first] {
            auto r = store_->write("hold", [&](WriteTxn& t) -> Result<void> {
                running = true;
                if (!wait_until([&] { return store_->stats().queued_writes >= queued; }))
                    return make_error(Errc::internal, "followers never queued");
                return first(t);
            });
            EXPECT_TRUE(r) << r.error().message;
        });
    }
};

TEST_F(StoreGroupCommit, AWriterAloneCommitsAtOnce) {
    write([](WriteTxn& t) { return add_user(t, "solo"); });
    auto stats = store_->stats();
    EXPECT_EQ(stats.writes, 1u);
    EXPECT_EQ(stats.commits, 1u);
    EXPECT_EQ(stats.largest_batch, 1u);
    EXPECT_EQ(stats.rolled_back_writes, 0u);
}

TEST_F(StoreGroupCommit, WritersQueuedBehindABatchShareOneCommit) {
    constexpr int kFollowers = 7;
    std::atomic<bool> running{false};
    auto leader = hold_writer(kFollowers, running, [](WriteTxn& t) { return add_user(t, "leader"); });
    ASSERT_TRUE(wait_until([&] { return running.load(); }));
    std::vector<std::thread> followers;
    std::atomic<int> succeeded{0};
    for (int i = 0; i < kFollowers; ++i) {
        followers.emplace_back([&, i] {
            auto r = store_->write("follow", [&](WriteTxn& t) { return add_user(t, "f" + std::to_string(i)); });
            if (r) ++succeeded;
        });
    }
    for (auto& f : followers) f.join();
    leader.join();
    EXPECT_EQ(succeeded.load(), kFollowers);
    auto stats = store_->stats();
    EXPECT_EQ(stats.writes, 8u);
    EXPECT_EQ(stats.commits, 2u);  // the leader's, then one for all seven followers
    EXPECT_EQ(stats.largest_batch, 7u);
    for (int i = 0; i < kFollowers; ++i) EXPECT_TRUE(user_exists("f" + std::to_string(i)));
}

TEST_F(StoreGroupCommit, ManyThreadsWritingConcurrentlyAllSucceedWithFewerCommits) {
    constexpr int kThreads = 8;
    constexpr int kWritesEach = 25;
    std::mutex mutex;
    std::vector<Position> positions;
    auto receipt_write = [&](int thread, int i) {
        return store_->write("receipt", [&](WriteTxn& t) -> Result<Position> {
            auto pos = t.next_position(Stream::receipts);
            if (!pos) return pos.error();
            auto put = t.receipts().put(store::ReceiptRow{
                .room_id = test::rid("!room:a.test"),
                .user_id = test::uid("@u" + std::to_string(thread) + ":a.test"),
                .type = "m.read",
                .thread_id = std::nullopt,
                .event_id = EventId::parse("$e" + std::to_string(i) + ":a.test").value(),
                .ts = i,
                .stream_position = *pos});
            if (!put) return put.error();
            return *pos;
        });
    };
    // The first write holds the writer until every other thread queued one,
    // so at least one batch groups several writes.
    std::atomic<bool> running{false};
    auto holder = hold_writer(kThreads, running, [](WriteTxn& t) { return add_user(t, "holder"); });
    ASSERT_TRUE(wait_until([&] { return running.load(); }));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int th = 0; th < kThreads; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < kWritesEach; ++i) {
                auto pos = receipt_write(th, i);
                if (!pos) {
                    ++failures;
                    continue;
                }
                std::lock_guard lock(mutex);
                positions.push_back(*pos);
            }
        });
    }
    for (auto& t : threads) t.join();
    holder.join();

    EXPECT_EQ(failures.load(), 0);
    ASSERT_EQ(positions.size(), static_cast<std::size_t>(kThreads * kWritesEach));
    std::sort(positions.begin(), positions.end());
    for (std::size_t i = 0; i < positions.size(); ++i)
        EXPECT_EQ(positions[i], static_cast<Position>(i + 1));  // unique, no gaps
    auto stats = store_->stats();
    EXPECT_EQ(stats.writes, static_cast<std::uint64_t>(kThreads * kWritesEach + 1));
    EXPECT_LT(stats.commits, stats.writes);
    EXPECT_GE(stats.largest_batch, static_cast<std::uint64_t>(kThreads));
    EXPECT_EQ(read([](ReadTxn& t) { return t.current_position(Stream::receipts); }),
              kThreads * kWritesEach);
    std::cout << "[ info ] " << stats.writes << " writes in " << stats.commits
              << " commits, largest batch " << stats.largest_batch << "\n";
}

TEST_F(StoreGroupCommit, AFailingWriteInABatchRollsBackOnlyItsOwnChanges) {
    std::atomic<bool> running{false};
    auto leader = hold_writer(3, running, [](WriteTxn& t) { return add_user(t, "leader"); });
    ASSERT_TRUE(wait_until([&] { return running.load(); }));
    std::optional<Result<void>> a, b, c;
    std::thread ta([&] { a = store_->write("a", [](WriteTxn& t) { return add_user(t, "a"); }); });
    ASSERT_TRUE(wait_until([&] { return store_->stats().queued_writes >= 1; }));
    std::thread tb([&] {
        b = store_->write("b", [](WriteTxn& t) -> Result<void> {
            if (auto r = add_user(t, "b"); !r) return r;
            if (auto p = t.next_position(Stream::account_data); !p) return p.error();
            return make_error(Errc::forbidden, "b changed its mind");
        });
    });
    ASSERT_TRUE(wait_until([&] { return store_->stats().queued_writes >= 2; }));
    std::thread tc([&] {
        c = store_->write("c", [](WriteTxn& t) -> Result<void> {
            if (auto p = t.next_position(Stream::account_data); !p) return p.error();
            return add_user(t, "c");
        });
    });
    ta.join();
    tb.join();
    tc.join();
    leader.join();

    ASSERT_TRUE(a && b && c);
    EXPECT_TRUE(*a);
    ASSERT_FALSE(*b);
    EXPECT_EQ(b->error().code, Errc::forbidden);
    EXPECT_EQ(b->error().message, "b changed its mind");
    EXPECT_TRUE(*c);
    EXPECT_TRUE(user_exists("a"));
    EXPECT_FALSE(user_exists("b"));
    EXPECT_TRUE(user_exists("c"));
    // b's position rolled back with it: c got the first one.
    EXPECT_EQ(read([](ReadTxn& t) { return t.current_position(Stream::account_data); }), 1);
    auto stats = store_->stats();
    EXPECT_EQ(stats.rolled_back_writes, 1u);
    EXPECT_EQ(stats.commits, 2u);
    EXPECT_EQ(stats.largest_batch, 3u);
}

// write_async with AsyncLead::later only queues; the next blocking write()
// leads, and its one commit carries the queued writes too, whose completions
// then get their own results.
TEST_F(StoreGroupCommit, AsyncWritesQueuedLaterJoinTheNextBatch) {
    std::vector<std::string> done;
    std::optional<Result<void>> refused;
    for (const char* name : {"q1", "q2"})
        store_->write_async(
            "queued", [name](WriteTxn& t) { return add_user(t, name); },
            [&, name](Result<void> r) {
                EXPECT_TRUE(r);
                done.push_back(name);
            },
            store::AsyncLead::later);
    store_->write_async(
        "refused",
        [](WriteTxn& t) -> Result<void> {
            if (auto r = add_user(t, "q3"); !r) return r;
            return make_error(Errc::forbidden, "q3 changed its mind");
        },
        [&](Result<void> r) { refused = std::move(r); }, store::AsyncLead::later);
    EXPECT_TRUE(done.empty());
    EXPECT_EQ(store_->stats().writes, 0u);
    EXPECT_EQ(store_->stats().queued_writes, 3u);

    write([](WriteTxn& t) { return add_user(t, "blocking"); });
    EXPECT_EQ(done, (std::vector<std::string>{"q1", "q2"}));
    ASSERT_TRUE(refused);
    ASSERT_FALSE(*refused);
    EXPECT_EQ(refused->error().message, "q3 changed its mind");
    EXPECT_TRUE(user_exists("q1"));
    EXPECT_TRUE(user_exists("q2"));
    EXPECT_FALSE(user_exists("q3"));
    EXPECT_TRUE(user_exists("blocking"));
    const auto stats = store_->stats();
    EXPECT_EQ(stats.commits, 1u);
    EXPECT_EQ(stats.writes, 4u);
    EXPECT_EQ(stats.largest_batch, 4u);
}

// A completion runs on the thread leading: a write_async from it runs before
// that thread's call returns, a typed result comes through, and a blocking
// write() from it fails at once instead of waiting for itself forever.
TEST_F(StoreGroupCommit, CompletionsMayQueueWritesButNotBlockOnThem) {
    std::optional<Result<void>> blocking;
    std::optional<Result<Position>> chained;
    store_->write_async(
        "first", [](WriteTxn& t) { return add_user(t, "first"); },
        [&](Result<void> r) {
            ASSERT_TRUE(r);
            blocking = store_->write("blocked", [](WriteTxn& t) { return add_user(t, "never"); });
            store_->write_async(
                "chained",
                [](WriteTxn& t) -> Result<Position> {
                    if (auto u = add_user(t, "chained"); !u) return u.error();
                    return t.next_position(Stream::account_data);
                },
                [&](Result<Position> p) { chained = std::move(p); });
        });
    ASSERT_TRUE(blocking);
    ASSERT_FALSE(*blocking);
    EXPECT_EQ(blocking->error().code, Errc::internal);
    ASSERT_TRUE(chained);
    ASSERT_TRUE(*chained);
    EXPECT_EQ(**chained, 1);
    EXPECT_TRUE(user_exists("first"));
    EXPECT_TRUE(user_exists("chained"));
    EXPECT_FALSE(user_exists("never"));
}

// An asynchronous write queued while a blocking caller's batch runs returns
// at once, and that caller, its own write done, leads on to run it: nobody
// else would.
TEST_F(StoreGroupCommit, ABlockingLeaderRunsTheAsyncWritesQueuedBehindIt) {
    std::atomic<bool> running{false};
    std::atomic<bool> completed{false};
    auto leader = hold_writer(1, running, [](WriteTxn& t) { return add_user(t, "leader"); });
    ASSERT_TRUE(wait_until([&] { return running.load(); }));
    store_->write_async(
        "behind", [](WriteTxn& t) { return add_user(t, "behind"); },
        [&](Result<void> r) {
            EXPECT_TRUE(r);
            completed = true;
        });
    // Queued, not run: the leader's batch is still running.
    EXPECT_FALSE(completed.load());
    leader.join();
    EXPECT_TRUE(completed.load());
    EXPECT_TRUE(user_exists("behind"));
    EXPECT_EQ(store_->stats().commits, 2u);
}

// Blocking and asynchronous writers on many threads at once: every write runs
// and every completion is called, with no call after the others to push the
// last ones through, and batches form.
TEST_F(StoreGroupCommit, AsyncAndBlockingWritersOnManyThreadsAllFinish) {
    constexpr int kAsyncThreads = 4;
    constexpr int kBlockingThreads = 2;
    constexpr int kWritesEach = 50;
    std::atomic<int> completed{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kAsyncThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWritesEach; ++i) {
                const std::string name = "a" + std::to_string(t) + "_" + std::to_string(i);
                store_->write_async(
                    "async", [name](WriteTxn& w) { return add_user(w, name); },
                    [&](Result<void> r) {
                        if (!r) ++failed;
                        ++completed;
                    });
            }
        });
    for (int t = 0; t < kBlockingThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWritesEach; ++i) {
                const std::string name = "b" + std::to_string(t) + "_" + std::to_string(i);
                if (!store_->write("blocking", [&](WriteTxn& w) { return add_user(w, name); }))
                    ++failed;
            }
        });
    for (auto& thread : threads) thread.join();
    // Every write_async call has returned; nothing else will lead.
    EXPECT_TRUE(wait_until([&] { return completed.load() == kAsyncThreads * kWritesEach; }, 5s))
        << completed.load() << " completions";
    EXPECT_EQ(failed.load(), 0);
    for (int t = 0; t < kAsyncThreads; ++t)
        for (int i = 0; i < kWritesEach; ++i)
            EXPECT_TRUE(user_exists("a" + std::to_string(t) + "_" + std::to_string(i)));
    const auto stats = store_->stats();
    EXPECT_EQ(stats.writes, static_cast<std::uint64_t>((kAsyncThreads + kBlockingThreads) * kWritesEach));
    EXPECT_EQ(stats.queued_writes, 0u);
}

TEST_F(StoreGroupCommit, WriteBatchRunsEachJobInItsOwnSavepointAndCommitsOnce) {
    std::vector<WriteJob> jobs;
    jobs.push_back({"x", [](WriteTxn& t) { return add_user(t, "x"); }});
    jobs.push_back({"dup", [](WriteTxn& t) -> Result<void> {
                        if (auto r = add_user(t, "y"); !r) return r;
                        return add_user(t, "x");  // taken by the first job: fails
                    }});
    jobs.push_back({"z", [](WriteTxn& t) { return add_user(t, "z"); }});
    auto results = store_->write_batch(jobs);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0]);
    ASSERT_FALSE(results[1]);
    EXPECT_EQ(results[1].error().code, Errc::user_in_use);
    EXPECT_TRUE(results[2]);
    EXPECT_TRUE(user_exists("x"));
    EXPECT_FALSE(user_exists("y"));
    EXPECT_TRUE(user_exists("z"));
    auto stats = store_->stats();
    EXPECT_EQ(stats.commits, 1u);
    EXPECT_EQ(stats.writes, 3u);
    EXPECT_EQ(stats.rolled_back_writes, 1u);
}

// The writer keeps stream positions in memory and writes them at commit
// (stream_counters.hpp): a failed write gives its positions back, a
// successful one's are seen inside its batch, by readers and after reopening.
TEST_F(StoreGroupCommit, AFailedWriteGivesBackItsStreamPositions) {
    auto take = [](int n, bool fail) {
        return WriteJob{"take", [n, fail](WriteTxn& t) -> Result<void> {
                            for (int i = 0; i < n; ++i)
                                if (auto p = t.streams().next(Stream::receipts); !p)
                                    return p.error();
                            if (fail) return make_error(Errc::forbidden, "no");
                            return ok();
                        }};
    };
    std::vector<WriteJob> jobs = {take(2, false), take(5, true), take(1, false)};
    Position seen_in_batch = 0;
    jobs.push_back({"look", [&](WriteTxn& t) -> Result<void> {
                        auto now = t.streams().current(Stream::receipts);
                        if (!now) return now.error();
                        seen_in_batch = *now;
                        return ok();
                    }});
    auto results = store_->write_batch(jobs);
    EXPECT_TRUE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_TRUE(results[2]);
    EXPECT_EQ(seen_in_batch, 3);  // 1, 2, then 3: the failed write's five are given back
    auto current = [&] {
        return read([](ReadTxn& t) { return t.streams().current(Stream::receipts); });
    };
    EXPECT_EQ(current(), 3);
    // A batch of one that fails (no savepoint: its transaction is rolled back).
    std::vector<WriteJob> alone = {take(4, true)};
    EXPECT_FALSE(store_->write_batch(alone)[0]);
    EXPECT_EQ(value(store_->write("next", [](WriteTxn& t) {
                  return t.streams().next(Stream::receipts);
              })),
              4);
    store_.reset();
    store_ = test::open_store(db_path());
    EXPECT_EQ(current(), 4);
}

// Another store on the file (another worker) takes positions between two
// transactions of ours: our next one continues after them.
TEST_F(StoreGroupCommit, PositionsTakenByAnotherStoreOnTheFileAreNotTakenAgain) {
    auto next = [](store::Store& s) {
        return value(s.write("next", [](WriteTxn& t) { return t.streams().next(Stream::receipts); }));
    };
    auto other = test::open_store(db_path());
    EXPECT_EQ(next(*store_), 1);
    EXPECT_EQ(next(*other), 2);
    EXPECT_EQ(next(*other), 3);
    EXPECT_EQ(next(*store_), 4);
    EXPECT_EQ(next(*other), 5);
}

TEST_F(StoreGroupCommit, ABatchOfOnlyFailuresCommitsNothing) {
    std::vector<WriteJob> jobs;
    jobs.push_back({"f1", [](WriteTxn& t) -> Result<void> {
                        if (auto r = add_user(t, "f1"); !r) return r;
                        return make_error(Errc::forbidden, "no");
                    }});
    jobs.push_back({"f2", [](WriteTxn&) -> Result<void> { return make_error(Errc::forbidden, "no"); }});
    auto results = store_->write_batch(jobs);
    EXPECT_FALSE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_EQ(store_->stats().commits, 0u);
    EXPECT_FALSE(user_exists("f1"));
}

TEST_F(StoreGroupCommit, AnExceptionBecomesThatWritesErrorOnly) {
    auto thrown = store_->write("throws", [](WriteTxn& t) -> Result<int> {
        if (auto r = add_user(t, "thrower"); !r) return r.error();
        throw std::runtime_error("boom");
    });
    ASSERT_FALSE(thrown);
    EXPECT_EQ(thrown.error().code, Errc::internal);
    EXPECT_NE(thrown.error().detail.find("boom"), std::string::npos);
    EXPECT_FALSE(user_exists("thrower"));
    write([](WriteTxn& t) -> Result<bool> {
        if (auto r = add_user(t, "after"); !r) return r.error();
        return true;
    });
    EXPECT_TRUE(user_exists("after"));
}

TEST_F(StoreGroupCommit, WriteReturnsTheFunctionsValue) {
    auto got = store_->write("value", [](WriteTxn&) -> Result<std::string> { return std::string("hi"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, "hi");
}

}  // namespace
}  // namespace chat
