#include <chat/e2ee/key_backup.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using nlohmann::json;
using store::ReadTxn;
using store::WriteTxn;
using test::uid;

json key_data(bool verified, int index, int forwarded, const std::string& tag = "x") {
    return json{{"first_message_index", index},
                {"forwarded_count", forwarded},
                {"is_verified", verified},
                {"session_data", {{"ciphertext", tag}}}};
}

TEST(KeyBackupRule, VerifiedBeatsLowerIndexWhichBeatsFewerForwards) {
    EXPECT_TRUE(e2ee::should_replace(key_data(false, 0, 0), key_data(true, 9, 9)));
    EXPECT_FALSE(e2ee::should_replace(key_data(true, 9, 9), key_data(false, 0, 0)));
    EXPECT_TRUE(e2ee::should_replace(key_data(true, 5, 0), key_data(true, 4, 9)));
    EXPECT_FALSE(e2ee::should_replace(key_data(true, 4, 0), key_data(true, 5, 0)));
    EXPECT_TRUE(e2ee::should_replace(key_data(true, 4, 2), key_data(true, 4, 1)));
    EXPECT_FALSE(e2ee::should_replace(key_data(true, 4, 1), key_data(true, 4, 1)));
}

TEST(KeyBackupRule, VersionsAreDecimalNumbers) {
    EXPECT_EQ(e2ee::parse_backup_version("12").value(), 12);
    for (auto bad : {"", "0", "-1", "1a", " 1", "99999999999999999999"})
        EXPECT_FALSE(e2ee::parse_backup_version(bad)) << bad;
}

class KeyBackupWrites : public test::StoreTest {
protected:
    Result<e2ee::BackupWrite> put(std::string_view version, const json& data) {
        json rooms = {{"!r:a.test", {{"sessions", {{"s1", data}}}}}};
        return store_->write("t", [&](WriteTxn& t) {
            return e2ee::put_backup_keys(t, alice_, version, rooms);
        });
    }
    UserId alice_ = uid("@alice:a.test");
};

TEST_F(KeyBackupWrites, EtagMovesOnlyWhenAKeyIsReplaced) {
    write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json::object()); });
    auto first = put("1", key_data(false, 5, 0, "first"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body["count"], 1);
    const auto etag = first->body["etag"];
    auto worse = put("1", key_data(false, 6, 0, "worse"));
    ASSERT_TRUE(worse);
    EXPECT_EQ(worse->body["etag"], etag);
    auto better = put("1", key_data(false, 1, 0, "better"));
    ASSERT_TRUE(better);
    EXPECT_NE(better->body["etag"], etag);
    auto stored = read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 1, {}, {}); });
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].data["session_data"]["ciphertext"], "better");
}

TEST_F(KeyBackupWrites, OnlyTheCurrentVersionTakesKeys) {
    write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json::object()); });
    write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json::object()); });
    auto old = put("1", key_data(false, 0, 0));
    ASSERT_TRUE(old);
    ASSERT_TRUE(old->wrong_version_current);
    EXPECT_EQ(*old->wrong_version_current, "2");
    auto unknown = put("7", key_data(false, 0, 0));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    auto malformed = put("2", json{{"first_message_index", 0}});
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, Errc::bad_json);
}

}  // namespace
}  // namespace chat
