// Expiry of cached remote media (media.remote_retention_days): which rows
// the daemon's purge lists and removes, against a real SQLite store.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/crypto/sha256.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using store::MediaRow;
using store::ReadTxn;
using store::WriteTxn;

using StoreRemoteMedia = test::StoreTest;

const ServerName kLocal = ServerName::parse("local.test").value();
const ServerName kRemote = ServerName::parse("remote.test").value();

MediaRow remote_row(std::string media_id, std::int64_t cached_ms) {
    return MediaRow{.origin = kRemote, .media_id = std::move(media_id), .uploader = std::nullopt,
                    .content_type = "image/png", .upload_name = std::nullopt, .size = 5,
                    .sha256 = crypto::sha256("bytes"), .created_ts = cached_ms,
                    .last_access_ts = cached_ms};
}

std::vector<std::string> ids(const std::vector<MediaRow>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.media_id);
    return out;
}

TEST_F(StoreRemoteMedia, OnlyRemoteMediaIdleSinceTheCutoffIsListedAndRemoved) {
    constexpr std::int64_t kDay = 24 * 3600 * 1000;
    const std::int64_t now = 400 * kDay;
    const std::int64_t cutoff = now - 90 * kDay;
    write([&](WriteTxn& t) -> Result<void> {
        // Cached long ago and never served since: expires.
        if (auto r = t.media().put(remote_row("oldNeverSeen", now - 200 * kDay)); !r) return r;
        // Cached long ago but served yesterday: stays.
        if (auto r = t.media().put(remote_row("oldButUsed", now - 200 * kDay)); !r) return r;
        // Cached recently: stays.
        if (auto r = t.media().put(remote_row("freshCache", now - kDay)); !r) return r;
        // Our own upload of the same age: never expires.
        MediaRow local{.origin = kLocal, .media_id = "ourUpload",
                       .uploader = test::uid("@a:local.test"), .content_type = "image/png",
                       .size = 5, .sha256 = crypto::sha256("x"), .created_ts = now - 200 * kDay};
        return t.media().put(local);
    });
    EXPECT_TRUE(
        write([&](WriteTxn& t) { return t.media().touch(kRemote, "oldButUsed", now - kDay); }));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.media().touch(kRemote, "unknownId", now); }));
    auto used = read([&](ReadTxn& t) { return t.media().get(kRemote, "oldButUsed"); });
    ASSERT_TRUE(used);
    EXPECT_EQ(used->last_access_ts, now - kDay);

    auto idle = read([&](ReadTxn& t) {
        return t.media().remote_not_accessed_since(kLocal, cutoff, 100);
    });
    EXPECT_EQ(ids(idle), std::vector<std::string>{"oldNeverSeen"});

    // A download between listing and removal keeps the row.
    EXPECT_FALSE(write([&](WriteTxn& t) {
        return t.media().remove_remote_if_idle(kLocal, kRemote, "oldButUsed", cutoff);
    }));
    EXPECT_FALSE(write([&](WriteTxn& t) {
        return t.media().remove_remote_if_idle(kLocal, kLocal, "ourUpload", cutoff);
    }));
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.media().remove_remote_if_idle(kLocal, kRemote, "oldNeverSeen", cutoff);
    }));

    EXPECT_FALSE(read([&](ReadTxn& t) { return t.media().get(kRemote, "oldNeverSeen"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.media().get(kRemote, "oldButUsed"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.media().get(kRemote, "freshCache"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.media().get(kLocal, "ourUpload"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) {
                    return t.media().remote_not_accessed_since(kLocal, cutoff, 100);
                }).empty());
}

TEST_F(StoreRemoteMedia, AListIsOldestFirstAndLimited) {
    write([&](WriteTxn& t) -> Result<void> {
        if (auto r = t.media().put(remote_row("third", 30)); !r) return r;
        if (auto r = t.media().put(remote_row("first", 10)); !r) return r;
        return t.media().put(remote_row("second", 20));
    });
    auto idle =
        read([&](ReadTxn& t) { return t.media().remote_not_accessed_since(kLocal, 100, 2); });
    EXPECT_EQ(ids(idle), (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace chat
