#include <string>

#include <gtest/gtest.h>

#include <chat/store/sqlite.hpp>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using store::ReadTxn;
using store::WriteTxn;
using test::TempDir;
using test::value;

store::UserRow user(const std::string& id) {
    return store::UserRow{.user_id = test::uid(id), .created_ts = 1};
}

TEST(StoreMigrations, FreshOpenAppliesEveryMigrationInWalMode) {
    TempDir dir;
    auto path = dir.file("chat.db");
    auto store = test::open_store(path);
    test::RawSqlite raw(path);
    EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
    auto versions = raw.rows("SELECT version, name FROM schema_version ORDER BY version");
    ASSERT_FALSE(versions.empty());
    EXPECT_EQ(*versions.back()[0], std::to_string(store::sqlite_schema_version()));
    EXPECT_EQ(*versions[0][0], "1");
    EXPECT_EQ(*versions[0][1], "initial");
    // The tables of migration 1 exist.
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'events'"), "1");
}

TEST(StoreMigrations, ReopeningIsANoOpAndKeepsData) {
    TempDir dir;
    auto path = dir.file("chat.db");
    std::string applied_before;
    {
        auto store = test::open_store(path);
        value(store->write("add", [](WriteTxn& t) { return t.users().create(user("@a:x.test")); }));
        applied_before = test::RawSqlite(path).scalar(
            "SELECT group_concat(version || ':' || applied_ts) FROM schema_version");
    }
    auto store = test::open_store(path);
    test::RawSqlite raw(path);
    EXPECT_EQ(raw.scalar("SELECT group_concat(version || ':' || applied_ts) FROM schema_version"),
              applied_before);
    auto found = value(store->read("get", [](ReadTxn& t) { return t.users().get(test::uid("@a:x.test")); }));
    EXPECT_TRUE(found.has_value());
}

TEST(StoreMigrations, ANewerSchemaIsRefused) {
    TempDir dir;
    auto path = dir.file("chat.db");
    test::open_store(path).reset();
    const int newer = store::sqlite_schema_version() + 1;
    test::RawSqlite(path).exec("INSERT INTO schema_version(version, name, applied_ts) VALUES (" +
                               std::to_string(newer) + ", 'from_the_future', 0)");
    auto refused = store::open_sqlite(path);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::storage);
    EXPECT_NE(refused.error().message.find("newer"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find(std::to_string(newer)), std::string::npos);
}

TEST(StoreMigrations, AMissingDirectoryIsAClearError) {
    TempDir dir;
    auto refused = store::open_sqlite(dir.file("no/such/dir/chat.db"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::storage);
    EXPECT_NE(refused.error().message.find("no/such/dir"), std::string::npos);
}

TEST(StoreMigrations, InMemoryDatabaseIsMigratedAndUsable) {
    auto store = test::open_store(":memory:");
    value(store->write("add", [](WriteTxn& t) { return t.users().create(user("@m:x.test")); }));
    auto count = value(store->read("count", [](ReadTxn& t) { return t.users().count(); }));
    EXPECT_EQ(count, 1);
}

TEST(StoreMigrations, ZeroReadersOrBatchIsRefused) {
    TempDir dir;
    auto refused = store::open_sqlite(dir.file("chat.db"), {.max_readers = 0});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_param);
}

}  // namespace
}  // namespace chat
