#include <gtest/gtest.h>

#include <chat/store/txn.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using StoreServerKeys = test::StoreTest;

store::ServerKeyRow row(std::string server, std::string key_id, std::int64_t valid_until) {
    return store::ServerKeyRow{.server_name = std::move(server),
                               .key_id = std::move(key_id),
                               .public_key = "AAAA",
                               .valid_until_ts = valid_until,
                               .expired_ts = std::nullopt,
                               .fetched_ts = 5,
                               .key_json = "{}"};
}

TEST_F(StoreServerKeys, PutGetReplaceAndListPerServer) {
    auto old_key = row("a.org", "ed25519:old", 10);
    old_key.expired_ts = 7;
    write([&](store::WriteTxn& txn) -> Result<void> {
        if (auto put = txn.server_keys().put(row("a.org", "ed25519:new", 100)); !put) return put;
        if (auto put = txn.server_keys().put(old_key); !put) return put;
        return txn.server_keys().put(row("b.org", "ed25519:new", 50));
    });
    auto got = read([](store::ReadTxn& txn) { return txn.server_keys().get("a.org", "ed25519:old"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, old_key);
    auto missing = read([](store::ReadTxn& txn) { return txn.server_keys().get("c.org", "ed25519:new"); });
    EXPECT_FALSE(missing);

    write([&](store::WriteTxn& txn) { return txn.server_keys().put(row("a.org", "ed25519:new", 200)); });
    auto listed = read([](store::ReadTxn& txn) { return txn.server_keys().for_server("a.org"); });
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].key_id, "ed25519:new");
    EXPECT_EQ(listed[0].valid_until_ts, 200);
    EXPECT_EQ(listed[1].key_id, "ed25519:old");
    EXPECT_EQ(listed[1].expired_ts, 7);
}

}  // namespace
}  // namespace chat
