#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/crypto/sha256.hpp>

#include "libchat/store/raw_sqlite.hpp"
#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::DeviceRow;
using store::ReadTxn;
using store::UserRow;
using store::WriteTxn;

class StoreAccounts : public test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        write([&](WriteTxn& t) -> Result<bool> {
            auto u = t.users().create(UserRow{.user_id = alice_, .password_hash = "$argon2id$x",
                                              .created_ts = 10});
            if (!u) return u.error();
            auto d = t.devices().create(DeviceRow{.user_id = alice_, .device_id = "PHONE",
                                                  .display_name = "phone", .created_ts = 11});
            if (!d) return d.error();
            return *d;
        });
    }
    UserId alice_ = test::uid("@alice:a.test");
};

TEST_F(StoreAccounts, UsersReadBackAndDuplicatesAreRefused) {
    auto got = read([&](ReadTxn& t) { return t.users().get(alice_); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->password_hash, "$argon2id$x");
    EXPECT_EQ(got->created_ts, 10);
    EXPECT_FALSE(got->admin);
    EXPECT_FALSE(got->deactivated);
    auto dup = store_->write("dup", [&](WriteTxn& t) {
        return t.users().create(UserRow{.user_id = alice_, .created_ts = 1});
    });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::user_in_use);
    EXPECT_FALSE(read([](ReadTxn& t) { return t.users().get(test::uid("@nobody:a.test")); }));
}

TEST_F(StoreAccounts, UserFieldsCanBeChanged) {
    write([&](WriteTxn& t) -> Result<bool> {
        for (auto r : {t.users().set_admin(alice_, true), t.users().set_deactivated(alice_, true),
                       t.users().set_displayname(alice_, std::string("Alice")),
                       t.users().set_avatar_url(alice_, std::string("mxc://a.test/x")),
                       t.users().set_password_hash(alice_, std::nullopt)})
            if (!r) return r.error();
        return true;
    });
    auto got = read([&](ReadTxn& t) { return t.users().get(alice_); });
    EXPECT_TRUE(got->admin);
    EXPECT_TRUE(got->deactivated);
    EXPECT_EQ(got->displayname, "Alice");
    EXPECT_EQ(got->avatar_url, "mxc://a.test/x");
    EXPECT_FALSE(got->password_hash);
    auto unknown = store_->write("admin", [](WriteTxn& t) {
        return t.users().set_admin(test::uid("@nobody:a.test"), true);
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(StoreAccounts, UsersAreListedInPages) {
    write([&](WriteTxn& t) -> Result<bool> {
        for (const char* id : {"@bob:a.test", "@carol:a.test", "@dave:a.test"})
            if (auto r = t.users().create(UserRow{.user_id = test::uid(id), .created_ts = 1}); !r)
                return r.error();
        return true;
    });
    EXPECT_EQ(read([](ReadTxn& t) { return t.users().count(); }), 4);
    auto first = read([](ReadTxn& t) { return t.users().list(std::nullopt, 2); });
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].user_id, test::uid("@alice:a.test"));
    auto next = read([&](ReadTxn& t) { return t.users().list(first.back().user_id, 10); });
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].user_id, test::uid("@carol:a.test"));
}

TEST_F(StoreAccounts, DevicesAreCreatedOnceTouchedAndRemoved) {
    EXPECT_FALSE(write([&](WriteTxn& t) {  // exists: unchanged
        return t.devices().create(DeviceRow{.user_id = alice_, .device_id = "PHONE",
                                            .display_name = "other", .created_ts = 99});
    }));
    write([&](WriteTxn& t) { return t.devices().touch(alice_, "PHONE", 500, "10.0.0.1", "Element"); });
    auto phone = read([&](ReadTxn& t) { return t.devices().get(alice_, "PHONE"); });
    ASSERT_TRUE(phone);
    EXPECT_EQ(phone->display_name, "phone");
    EXPECT_EQ(phone->created_ts, 11);
    EXPECT_EQ(phone->last_seen_ts, 500);
    EXPECT_EQ(phone->last_seen_ip, "10.0.0.1");
    EXPECT_EQ(phone->last_seen_user_agent, "Element");
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.devices().create(DeviceRow{.user_id = alice_, .device_id = "LAPTOP", .created_ts = 12});
    }));
    write([&](WriteTxn& t) { return t.devices().set_display_name(alice_, "LAPTOP", std::string("lap")); });
    auto list = read([&](ReadTxn& t) { return t.devices().list(alice_); });
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].device_id, "LAPTOP");
    EXPECT_EQ(list[0].display_name, "lap");
    EXPECT_EQ(write([&](WriteTxn& t) { return t.devices().remove_all(alice_, std::string("PHONE")); }), 1);
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.devices().remove(alice_, "PHONE"); }));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.devices().remove(alice_, "PHONE"); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.devices().list(alice_); }).empty());

    auto orphan = store_->write("dev", [](WriteTxn& t) {
        return t.devices().create(DeviceRow{.user_id = test::uid("@nobody:a.test"), .device_id = "X"});
    });
    ASSERT_FALSE(orphan);
    EXPECT_EQ(orphan.error().code, Errc::not_found);
    auto touch = store_->write("touch", [&](WriteTxn& t) { return t.devices().touch(alice_, "NONE", 1, "", ""); });
    ASSERT_FALSE(touch);
    EXPECT_EQ(touch.error().code, Errc::not_found);
}

TEST_F(StoreAccounts, TokensAreStoredHashedNeverInClear) {
    const std::string token = "syt_YWxpY2U_secret_token_value";
    write([&](WriteTxn& t) { return t.tokens().add(token, alice_, "PHONE", 100, std::int64_t{900}); });

    test::RawSqlite raw(db_path());
    auto rows = raw.rows("SELECT token_hash, user_id, device_id FROM access_tokens");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(*rows[0][0], crypto::sha256(token));
    EXPECT_EQ(*rows[0][0], store::hash_access_token(token));
    // The clear token appears nowhere in the table.
    EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM access_tokens WHERE instr(CAST(token_hash AS TEXT),"
                         " 'secret') > 0 OR user_id LIKE '%secret%' OR device_id LIKE '%secret%'"),
              "0");

    auto info = read([&](ReadTxn& t) { return t.tokens().lookup(token); });
    ASSERT_TRUE(info);
    EXPECT_EQ(info->user_id, alice_);
    EXPECT_EQ(info->device_id, "PHONE");
    EXPECT_EQ(info->created_ts, 100);
    EXPECT_EQ(info->expires_ts, 900);
    EXPECT_FALSE(read([](ReadTxn& t) { return t.tokens().lookup("syt_wrong"); }));
}

TEST_F(StoreAccounts, TokenLookupCarriesTheOwnersAccountFlags) {
    write([&](WriteTxn& t) { return t.tokens().add("flags", alice_, "PHONE", 1); });
    auto before = read([](ReadTxn& t) { return t.tokens().lookup("flags"); });
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->admin);
    EXPECT_FALSE(before->guest);
    EXPECT_FALSE(before->deactivated);

    write([&](WriteTxn& t) -> Result<bool> {
        for (auto r : {t.users().set_admin(alice_, true), t.users().set_deactivated(alice_, true)})
            if (!r) return r.error();
        return true;
    });
    auto after = read([](ReadTxn& t) { return t.tokens().lookup("flags"); });
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->admin);
    EXPECT_FALSE(after->guest);
    EXPECT_TRUE(after->deactivated);
}

TEST_F(StoreAccounts, TokensNeedADeviceAndGoWithIt) {
    auto no_device = store_->write("tok", [&](WriteTxn& t) {
        return t.tokens().add("t0", alice_, "NONE", 1);
    });
    ASSERT_FALSE(no_device);
    EXPECT_EQ(no_device.error().code, Errc::not_found);

    write([&](WriteTxn& t) -> Result<bool> {
        auto d = t.devices().create(DeviceRow{.user_id = alice_, .device_id = "LAPTOP", .created_ts = 1});
        if (!d) return d.error();
        for (auto r : {t.tokens().add("t1", alice_, "PHONE", 1), t.tokens().add("t2", alice_, "PHONE", 1),
                       t.tokens().add("t3", alice_, "LAPTOP", 1)})
            if (!r) return r.error();
        return true;
    });
    auto dup = store_->write("dup", [&](WriteTxn& t) { return t.tokens().add("t1", alice_, "PHONE", 1); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::invalid_param);

    EXPECT_TRUE(write([&](WriteTxn& t) { return t.devices().remove(alice_, "PHONE"); }));
    EXPECT_FALSE(read([](ReadTxn& t) { return t.tokens().lookup("t1"); }));
    EXPECT_FALSE(read([](ReadTxn& t) { return t.tokens().lookup("t2"); }));
    EXPECT_TRUE(read([](ReadTxn& t) { return t.tokens().lookup("t3"); }));

    EXPECT_TRUE(write([](WriteTxn& t) { return t.tokens().remove("t3"); }));
    EXPECT_FALSE(write([](WriteTxn& t) { return t.tokens().remove("t3"); }));
}

TEST_F(StoreAccounts, TokensAreRemovedPerDeviceOrPerUserKeepingOne) {
    write([&](WriteTxn& t) -> Result<bool> {
        for (auto r : {t.tokens().add("t1", alice_, "PHONE", 1), t.tokens().add("t2", alice_, "PHONE", 1),
                       t.tokens().add("t3", alice_, "PHONE", 1)})
            if (!r) return r.error();
        return true;
    });
    EXPECT_EQ(write([&](WriteTxn& t) { return t.tokens().remove_for_user(alice_, std::string_view("t2")); }), 2);
    EXPECT_TRUE(read([](ReadTxn& t) { return t.tokens().lookup("t2"); }));
    EXPECT_EQ(write([&](WriteTxn& t) { return t.tokens().remove_for_device(alice_, "PHONE"); }), 1);
    EXPECT_FALSE(read([](ReadTxn& t) { return t.tokens().lookup("t2"); }));
}

}  // namespace
}  // namespace chat
