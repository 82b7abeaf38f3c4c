#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using namespace std::chrono_literals;
using store::ReadTxn;
using store::Stream;
using store::UserRow;
using store::WriteTxn;

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

using StoreReaders = test::StoreTest;

TEST_F(StoreReaders, ASnapshotDoesNotSeeALaterCommitAndDoesNotBlockIt) {
    write([](WriteTxn& t) { return add_user(t, "before"); });
    std::atomic<bool> snapshot_taken{false};
    std::atomic<bool> writer_done{false};
    std::int64_t first = -1, second = -1;
    std::int64_t position_first = -1, position_second = -1;
    std::thread reader([&] {
        auto r = store_->read("long read", [&](ReadTxn& t) -> Result<void> {
            first = test::value(t.users().count());
            position_first = test::value(t.current_position(Stream::receipts));
            snapshot_taken = true;
            // Hold the transaction open while the writer commits.
            if (!wait_until([&] { return writer_done.load(); }))
                return make_error(Errc::internal, "the writer was blocked by the reader");
            second = test::value(t.users().count());
            position_second = test::value(t.current_position(Stream::receipts));
            return ok();
        });
        EXPECT_TRUE(r) << r.error().message;
    });
    ASSERT_TRUE(wait_until([&] { return snapshot_taken.load(); }));
    // Completes while the reader holds its snapshot.
    write([](WriteTxn& t) -> Result<bool> {
        if (auto r = add_user(t, "after"); !r) return r.error();
        if (auto p = t.next_position(Stream::receipts); !p) return p.error();
        return true;
    });
    writer_done = true;
    reader.join();
    EXPECT_EQ(first, 1);
    EXPECT_EQ(second, 1);  // the same snapshot throughout
    EXPECT_EQ(position_first, 0);
    EXPECT_EQ(position_second, 0);
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 2);
    EXPECT_EQ(read([](ReadTxn& t) { return t.current_position(Stream::receipts); }), 1);
}

TEST_F(StoreReaders, AnUncommittedWriteIsInvisibleAndDoesNotBlockReaders) {
    std::atomic<bool> written{false};
    std::atomic<bool> may_commit{false};
    std::thread writer([&] {
        auto r = store_->write("slow write", [&](WriteTxn& t) -> Result<void> {
            if (auto u = add_user(t, "pending"); !u) return u;
            written = true;
            if (!wait_until([&] { return may_commit.load(); }))
                return make_error(Errc::internal, "the reader was blocked by the writer");
            return ok();
        });
        EXPECT_TRUE(r) << r.error().message;
    });
    ASSERT_TRUE(wait_until([&] { return written.load(); }));
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 0);
    may_commit = true;
    writer.join();
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 1);
}

TEST_F(StoreReaders, SeveralReadersHoldTransactionsAtOnce) {
    std::atomic<int> inside{0};
    auto reader = [&] {
        auto r = store_->read("side by side", [&](ReadTxn& t) -> Result<std::int64_t> {
            ++inside;
            if (!wait_until([&] { return inside.load() == 3; }))
                return make_error(Errc::internal, "readers were serialised");
            return t.users().count();
        });
        EXPECT_TRUE(r);
    };
    std::thread a(reader), b(reader), c(reader);
    a.join();
    b.join();
    c.join();
    EXPECT_EQ(inside.load(), 3);
    EXPECT_EQ(store_->stats().reads, 3u);
}

TEST_F(StoreReaders, AReaderFailureIsReturnedAndTheConnectionReused) {
    for (int i = 0; i < 20; ++i) {
        auto failed = store_->read("fails", [](ReadTxn&) -> Result<int> {
            return make_error(Errc::not_found, "nothing");
        });
        ASSERT_FALSE(failed);
        EXPECT_EQ(failed.error().code, Errc::not_found);
    }
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 0);
}

TEST_F(StoreReaders, ReadersCannotWrite) {
    // A ReadTxn hands out only readers; a reader connection is read-only too.
    auto attempt = store_->read("sneaky", [](ReadTxn& t) -> Result<void> {
        auto& w = dynamic_cast<WriteTxn&>(t);
        return add_user(w, "sneaky");
    });
    ASSERT_FALSE(attempt);
    EXPECT_EQ(attempt.error().code, Errc::storage);
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 0);
}

}  // namespace
}  // namespace chat
