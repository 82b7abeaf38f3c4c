#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using nlohmann::json;
using store::ReadTxn;
using store::WriteTxn;
using test::uid;

class StoreE2ee : public test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        write([&](WriteTxn& t) -> Result<void> {
            auto u = t.users().create(store::UserRow{.user_id = alice_, .created_ts = 1});
            if (!u) return u.error();
            for (const char* d : {"PHONE", "LAPTOP"}) {
                auto dev = t.devices().create(
                    store::DeviceRow{.user_id = alice_, .device_id = d, .created_ts = 2});
                if (!dev) return dev.error();
            }
            return ok();
        });
    }
    store::ClaimedKey otk(const std::string& id, const std::string& value) {
        return {"signed_curve25519", id, json{{"key", value}}};
    }
    UserId alice_ = uid("@alice:a.test");
};

TEST_F(StoreE2ee, OneTimeKeysAreClaimedOnceOldestFirst) {
    write([&](WriteTxn& t) -> Result<void> {
        for (auto [id, value] : {std::pair{"B", "second"}, std::pair{"A", "first-uploaded-later"}}) {
            auto added = t.e2ee_keys().add_one_time_key(alice_, "PHONE", otk(id, value));
            if (!added) return added.error();
        }
        return ok();
    });
    auto counts = read([&](ReadTxn& t) { return t.e2ee_keys().one_time_key_counts(alice_, "PHONE"); });
    EXPECT_EQ(counts["signed_curve25519"], 2);

    // Upload order, not key id order: "B" was uploaded first.
    auto first = write([&](WriteTxn& t) {
        return t.e2ee_keys().claim_one_time_key(alice_, "PHONE", "signed_curve25519");
    });
    ASSERT_TRUE(first);
    EXPECT_EQ(first->key_id, "B");
    auto second = write([&](WriteTxn& t) {
        return t.e2ee_keys().claim_one_time_key(alice_, "PHONE", "signed_curve25519");
    });
    ASSERT_TRUE(second);
    EXPECT_EQ(second->key_id, "A");
    auto none = write([&](WriteTxn& t) {
        return t.e2ee_keys().claim_one_time_key(alice_, "PHONE", "signed_curve25519");
    });
    EXPECT_FALSE(none);
}

TEST_F(StoreE2ee, OneTimeKeyWithSameIdIsKeptOnce) {
    auto added = write([&](WriteTxn& t) {
        return t.e2ee_keys().add_one_time_key(alice_, "PHONE", otk("A", "x"));
    });
    auto again = write([&](WriteTxn& t) {
        return t.e2ee_keys().add_one_time_key(alice_, "PHONE", otk("A", "y"));
    });
    EXPECT_TRUE(added);
    EXPECT_FALSE(again);
    auto stored = read([&](ReadTxn& t) {
        return t.e2ee_keys().one_time_key(alice_, "PHONE", "signed_curve25519", "A");
    });
    ASSERT_TRUE(stored);
    EXPECT_EQ((*stored)["key"], "x");
}

TEST_F(StoreE2ee, FallbackKeyIsMarkedUsedAndAReplacementIsUnused) {
    write([&](WriteTxn& t) { return t.e2ee_keys().put_fallback_key(alice_, "PHONE", otk("F1", "f1")); });
    auto unused = read([&](ReadTxn& t) { return t.e2ee_keys().unused_fallback_algorithms(alice_, "PHONE"); });
    EXPECT_EQ(unused, std::vector<std::string>{"signed_curve25519"});

    auto claimed = write([&](WriteTxn& t) {
        return t.e2ee_keys().claim_fallback_key(alice_, "PHONE", "signed_curve25519");
    });
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->key_id, "F1");
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.e2ee_keys().unused_fallback_algorithms(alice_, "PHONE"); }).empty());
    // Claimed again: the same key, still there.
    auto twice = write([&](WriteTxn& t) {
        return t.e2ee_keys().claim_fallback_key(alice_, "PHONE", "signed_curve25519");
    });
    ASSERT_TRUE(twice);
    EXPECT_EQ(twice->key_id, "F1");

    // Re-uploading the same key keeps it used; a new key is unused.
    write([&](WriteTxn& t) { return t.e2ee_keys().put_fallback_key(alice_, "PHONE", otk("F1", "f1")); });
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.e2ee_keys().unused_fallback_algorithms(alice_, "PHONE"); }).empty());
    write([&](WriteTxn& t) { return t.e2ee_keys().put_fallback_key(alice_, "PHONE", otk("F2", "f2")); });
    EXPECT_EQ(read([&](ReadTxn& t) { return t.e2ee_keys().unused_fallback_algorithms(alice_, "PHONE"); }).size(), 1u);
}

TEST_F(StoreE2ee, DeviceKeysNeedTheDeviceAndGoWithIt) {
    auto unknown = store_->write("test", [&](WriteTxn& t) {
        return t.e2ee_keys().put_device_keys(alice_, "NOPE", json{{"a", 1}});
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);

    write([&](WriteTxn& t) { return t.e2ee_keys().put_device_keys(alice_, "PHONE", json{{"k", 1}}); });
    write([&](WriteTxn& t) { return t.e2ee_keys().put_device_keys(alice_, "LAPTOP", json{{"k", 2}}); });
    auto all = read([&](ReadTxn& t) { return t.e2ee_keys().all_device_keys(alice_); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].device_id, "LAPTOP");

    auto before = read([](ReadTxn& t) { return t.current_position(store::Stream::device_lists); });
    write([&](WriteTxn& t) { return t.devices().remove(alice_, "PHONE"); });
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.e2ee_keys().device_keys(alice_, "PHONE"); }));
    // The deletion is a device-list change (a trigger records it).
    auto after = read([](ReadTxn& t) { return t.current_position(store::Stream::device_lists); });
    EXPECT_GT(after, before);
    auto changed = read([&](ReadTxn& t) { return t.e2ee_keys().changed_users(before, after); });
    EXPECT_EQ(changed, std::vector<UserId>{alice_});
}

TEST_F(StoreE2ee, DeviceListChangesKeepEachUsersLatestPosition) {
    auto bob = uid("@bob:a.test");
    write([&](WriteTxn& t) -> Result<void> {
        if (auto r = t.e2ee_keys().mark_changed(alice_, 3); !r) return r;
        if (auto r = t.e2ee_keys().mark_changed(bob, 5); !r) return r;
        return t.e2ee_keys().mark_changed(alice_, 7);
    });
    EXPECT_EQ(read([](ReadTxn& t) { return t.e2ee_keys().changed_users(0, 5); }),
              std::vector<UserId>{bob});
    EXPECT_EQ(read([](ReadTxn& t) { return t.e2ee_keys().changed_users(5, 10); }),
              std::vector<UserId>{alice_});
}

TEST_F(StoreE2ee, CrossSigningKeysAndSignaturesRoundTrip) {
    write([&](WriteTxn& t) {
        return t.e2ee_keys().put_cross_signing_key(alice_, "master", json{{"usage", {"master"}}});
    });
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.e2ee_keys().cross_signing_key(alice_, "master"); }));
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.e2ee_keys().cross_signing_key(alice_, "self_signing"); }));
    store::KeySignatureRow row{alice_, "ed25519:SSK", alice_, "PHONE", "sig1"};
    write([&](WriteTxn& t) { return t.e2ee_keys().put_signature(row); });
    row.signature = "sig2";
    write([&](WriteTxn& t) { return t.e2ee_keys().put_signature(row); });
    auto sigs = read([&](ReadTxn& t) { return t.e2ee_keys().signatures_of(alice_, "PHONE"); });
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_EQ(sigs[0].signature, "sig2");
}

TEST_F(StoreE2ee, ToDeviceMessagesQueuePerDeviceUntilAcknowledged) {
    auto sender = uid("@bob:a.test");
    write([&](WriteTxn& t) -> Result<void> {
        for (const char* device : {"PHONE", "LAPTOP", "PHONE"}) {
            auto pos = t.next_position(store::Stream::to_device);
            if (!pos) return pos.error();
            store::ToDeviceRow row{*pos, alice_, device, sender, "m.test", json{{"n", *pos}}};
            if (auto r = t.to_device().add(row); !r) return r;
        }
        return ok();
    });
    auto phone = read([&](ReadTxn& t) {
        return t.to_device().pending(alice_, "PHONE", 0, store::kMaxPosition, 10);
    });
    ASSERT_EQ(phone.size(), 2u);
    EXPECT_EQ(phone[0].position, 1);
    EXPECT_EQ(phone[1].position, 3);
    EXPECT_EQ(phone[1].content["n"], 3);
    auto limited = read([&](ReadTxn& t) {
        return t.to_device().pending(alice_, "PHONE", 0, store::kMaxPosition, 1);
    });
    EXPECT_EQ(limited.size(), 1u);

    EXPECT_EQ(write([&](WriteTxn& t) { return t.to_device().remove_through(alice_, "PHONE", 1); }), 1);
    phone = read([&](ReadTxn& t) {
        return t.to_device().pending(alice_, "PHONE", 0, store::kMaxPosition, 10);
    });
    ASSERT_EQ(phone.size(), 1u);
    EXPECT_EQ(phone[0].position, 3);
    // The laptop's message is untouched.
    EXPECT_EQ(read([&](ReadTxn& t) {
                  return t.to_device().pending(alice_, "LAPTOP", 0, store::kMaxPosition, 10);
              }).size(),
              1u);
}

TEST_F(StoreE2ee, ToDeviceTxnIdIsRecordedOncePerDevice) {
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.to_device().record_txn(alice_, "PHONE", "t1", 1); }));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.to_device().record_txn(alice_, "PHONE", "t1", 2); }));
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.to_device().record_txn(alice_, "LAPTOP", "t1", 2); }));
}

TEST_F(StoreE2ee, BackupVersionsCountUpAndDeletedOnesAreNotCurrent) {
    auto v1 = write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json{{"a", 1}}); });
    auto v2 = write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json{{"a", 2}}); });
    EXPECT_EQ(v1, 1);
    EXPECT_EQ(v2, 2);
    auto current = read([&](ReadTxn& t) { return t.key_backup().version(alice_, std::nullopt); });
    ASSERT_TRUE(current);
    EXPECT_EQ(current->version, 2);

    store::BackupKeyRow key{"!r:a.test", "s1", json{{"first_message_index", 1}}};
    write([&](WriteTxn& t) { return t.key_backup().put_key(alice_, 2, key); });
    write([&](WriteTxn& t) { return t.key_backup().bump_etag(alice_, 2); });
    current = read([&](ReadTxn& t) { return t.key_backup().version(alice_, std::nullopt); });
    EXPECT_EQ(current->count, 1);
    EXPECT_EQ(current->etag, 1);

    EXPECT_TRUE(write([&](WriteTxn& t) { return t.key_backup().delete_version(alice_, 2); }));
    current = read([&](ReadTxn& t) { return t.key_backup().version(alice_, std::nullopt); });
    ASSERT_TRUE(current);
    EXPECT_EQ(current->version, 1);
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 2, {}, {}); }).empty());
    // A new version never reuses a deleted number.
    EXPECT_EQ(write([&](WriteTxn& t) { return t.key_backup().create_version(alice_, "alg", json::object()); }), 3);
}

TEST_F(StoreE2ee, BackupKeysNarrowByRoomAndSession) {
    write([&](WriteTxn& t) -> Result<void> {
        auto v = t.key_backup().create_version(alice_, "alg", json::object());
        if (!v) return v.error();
        for (auto [room, session] : {std::pair{"!a:x", "s1"}, std::pair{"!a:x", "s2"},
                                     std::pair{"!b:x", "s1"}}) {
            if (auto r = t.key_backup().put_key(alice_, *v, {room, session, json{{"r", room}}}); !r)
                return r;
        }
        return ok();
    });
    EXPECT_EQ(read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 1, {}, {}); }).size(), 3u);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 1, "!a:x", {}); }).size(), 2u);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 1, "!b:x", "s1"); }).size(), 1u);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.key_backup().delete_keys(alice_, 1, "!a:x", {}); }), 2);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.key_backup().keys(alice_, 1, {}, {}); }).size(), 1u);
}

}  // namespace
}  // namespace chat
