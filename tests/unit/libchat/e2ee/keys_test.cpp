#include <chat/e2ee/keys.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/json/base64.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using nlohmann::json;
using store::ReadTxn;
using store::WriteTxn;
using test::uid;

constexpr std::string_view kServer = "a.test";

// Signs `object` as `user` with `key` under the key id `key_id` (cross-signing
// key ids hold the public key, which SigningKey's own key ids cannot).
void sign_as(json& object, std::string_view user, const crypto::SigningKey& key,
             const std::string& key_id) {
    auto bytes = crypto::signing_bytes(object).value();
    object["signatures"][std::string(user)][key_id] = chat::json::base64_encode(key.sign(bytes));
}

class E2eeKeys : public test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        const UserId users[] = {alice_, bob_};
        write([&](WriteTxn& t) { return test::create_users_with_device(t, users, "DEV1"); });
    }

    json device_keys(const UserId& user, const crypto::SigningKey& key) {
        json keys = {{"user_id", user.str()},
                     {"device_id", "DEV1"},
                     {"algorithms", {"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"}},
                     {"keys",
                      {{"ed25519:DEV1", key.verify_key().public_key_base64()},
                       {"curve25519:DEV1", "Y3VydmU"}}}};
        sign_as(keys, user.str(), key, "ed25519:DEV1");
        return keys;
    }
    json signed_otk(const UserId& user, const crypto::SigningKey& key, const std::string& value) {
        json otk = {{"key", value}};
        sign_as(otk, user.str(), key, "ed25519:DEV1");
        return otk;
    }
    Result<e2ee::UploadResult> upload(const UserId& user, const json& body) {
        return store_->write("t", [&](WriteTxn& t) { return e2ee::upload_keys(t, user, "DEV1", body); });
    }

    UserId alice_ = uid("@alice:a.test");
    UserId bob_ = uid("@bob:a.test");
    crypto::SigningKey alice_key_ = crypto::SigningKey::generate("DEV1");
};

TEST_F(E2eeKeys, UploadStoresSignedKeysAndCountsOneTimeKeys) {
    json body = {{"device_keys", device_keys(alice_, alice_key_)},
                 {"one_time_keys",
                  {{"signed_curve25519:AAAA", signed_otk(alice_, alice_key_, "k1")},
                   {"signed_curve25519:AAAB", signed_otk(alice_, alice_key_, "k2")}}}};
    auto result = upload(alice_, body);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->one_time_key_counts["signed_curve25519"], 2);
    EXPECT_TRUE(result->device_list_position);
    // The same upload again changes nothing.
    auto again = upload(alice_, body);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->device_list_position);
    EXPECT_EQ(again->one_time_key_counts["signed_curve25519"], 2);
}

TEST_F(E2eeKeys, UploadRefusesBadDeviceKeys) {
    auto other_user = device_keys(bob_, alice_key_);
    auto r = upload(alice_, json{{"device_keys", other_user}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);

    auto tampered = device_keys(alice_, alice_key_);
    tampered["keys"]["curve25519:DEV1"] = "b3RoZXI";
    r = upload(alice_, json{{"device_keys", tampered}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_signature);

    auto unknown_algorithm = device_keys(alice_, alice_key_);
    unknown_algorithm["keys"]["rsa:DEV1"] = "eA";
    sign_as(unknown_algorithm, alice_.str(), alice_key_, "ed25519:DEV1");
    r = upload(alice_, json{{"device_keys", unknown_algorithm}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);

    // The identity key of a device cannot change once uploaded.
    ASSERT_TRUE(upload(alice_, json{{"device_keys", device_keys(alice_, alice_key_)}}));
    auto other_key = crypto::SigningKey::generate("DEV1");
    r = upload(alice_, json{{"device_keys", device_keys(alice_, other_key)}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);
}

TEST_F(E2eeKeys, UploadRefusesBadOneTimeKeys) {
    ASSERT_TRUE(upload(alice_, json{{"device_keys", device_keys(alice_, alice_key_)}}));
    auto forged = signed_otk(alice_, crypto::SigningKey::generate("DEV1"), "k");
    auto r = upload(alice_, json{{"one_time_keys", {{"signed_curve25519:A", forged}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_signature);
    r = upload(alice_, json{{"one_time_keys", {{"rot13:A", "x"}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);
    r = upload(alice_, json{{"one_time_keys", {{"signed_curve25519", signed_otk(alice_, alice_key_, "k")}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);
    ASSERT_TRUE(upload(alice_, json{{"one_time_keys", {{"signed_curve25519:A", signed_otk(alice_, alice_key_, "k")}}}}));
    r = upload(alice_, json{{"one_time_keys", {{"signed_curve25519:A", signed_otk(alice_, alice_key_, "changed")}}}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_param);
}

TEST_F(E2eeKeys, ClaimTakesOneTimeKeysThenTheFallbackKey) {
    ASSERT_TRUE(upload(alice_, json{{"device_keys", device_keys(alice_, alice_key_)},
                                    {"one_time_keys", {{"signed_curve25519:A", signed_otk(alice_, alice_key_, "otk")}}},
                                    {"fallback_keys", {{"signed_curve25519:F", signed_otk(alice_, alice_key_, "fb")}}}}));
    json wanted = {{alice_.str(), {{"DEV1", "signed_curve25519"}}},
                   {"@carol:a.test", {{"DEV1", "signed_curve25519"}}},
                   {"@dave:b.test", {{"X", "signed_curve25519"}}}};
    auto claim = [&] {
        return store_->write("t", [&](WriteTxn& t) { return e2ee::claim_keys(t, kServer, wanted); }).value();
    };
    auto first = claim();
    EXPECT_EQ(first.body["one_time_keys"][alice_.str()]["DEV1"]["signed_curve25519:A"]["key"], "otk");
    EXPECT_FALSE(first.body["one_time_keys"].contains("@carol:a.test"));
    EXPECT_TRUE(first.body["failures"].contains("b.test"));
    auto second = claim();
    EXPECT_EQ(second.body["one_time_keys"][alice_.str()]["DEV1"]["signed_curve25519:F"]["key"], "fb");
    auto unused = read([&](ReadTxn& t) { return t.e2ee_keys().unused_fallback_algorithms(alice_, "DEV1"); });
    EXPECT_TRUE(unused.empty());
}

TEST_F(E2eeKeys, QueryMergesSelfSigningSignaturesAndHidesUserSigningKeys) {
    ASSERT_TRUE(upload(alice_, json{{"device_keys", device_keys(alice_, alice_key_)}}));
    auto master = crypto::SigningKey::generate("m");
    auto ssk = crypto::SigningKey::generate("s");
    auto usk = crypto::SigningKey::generate("u");
    auto key_json = [&](const crypto::SigningKey& k, const char* usage) {
        auto pub = k.verify_key().public_key_base64();
        return json{{"user_id", alice_.str()}, {"usage", {usage}}, {"keys", {{"ed25519:" + pub, pub}}}};
    };
    const auto master_id = "ed25519:" + master.verify_key().public_key_base64();
    auto master_json = key_json(master, "master");
    auto ssk_json = key_json(ssk, "self_signing");
    auto usk_json = key_json(usk, "user_signing");
    sign_as(ssk_json, alice_.str(), master, master_id);
    sign_as(usk_json, alice_.str(), master, master_id);
    json cs = {{"master_key", master_json}, {"self_signing_key", ssk_json}, {"user_signing_key", usk_json}};

    EXPECT_FALSE(read([&](ReadTxn& t) { return e2ee::cross_signing_needs_auth(t, alice_, cs); }));
    ASSERT_TRUE(store_->write("t", [&](WriteTxn& t) { return e2ee::upload_cross_signing(t, alice_, cs); }));
    // A repeat needs no auth; a new key does.
    EXPECT_FALSE(read([&](ReadTxn& t) { return e2ee::cross_signing_needs_auth(t, alice_, cs); }));
    json other = {{"master_key", key_json(crypto::SigningKey::generate("x"), "master")}};
    EXPECT_TRUE(read([&](ReadTxn& t) { return e2ee::cross_signing_needs_auth(t, alice_, other); }));

    // The self-signing key signs the device.
    const auto ssk_id = "ed25519:" + ssk.verify_key().public_key_base64();
    auto signed_device = device_keys(alice_, alice_key_);
    sign_as(signed_device, alice_.str(), ssk, ssk_id);
    json sigs = {{alice_.str(), {{"DEV1", signed_device}}}};
    auto result = store_->write("t", [&](WriteTxn& t) { return e2ee::upload_signatures(t, alice_, kServer, sigs); });
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->failures.empty()) << result->failures.dump();

    json wanted = {{alice_.str(), json::array()}};
    auto as_bob = read([&](ReadTxn& t) { return e2ee::query_keys(t, bob_, kServer, wanted); });
    EXPECT_TRUE(as_bob["device_keys"][alice_.str()]["DEV1"]["signatures"][alice_.str()].contains(ssk_id));
    EXPECT_TRUE(as_bob["master_keys"].contains(alice_.str()));
    EXPECT_TRUE(as_bob["self_signing_keys"].contains(alice_.str()));
    EXPECT_FALSE(as_bob["user_signing_keys"].contains(alice_.str()));
    auto as_alice = read([&](ReadTxn& t) { return e2ee::query_keys(t, alice_, kServer, wanted); });
    EXPECT_TRUE(as_alice["user_signing_keys"].contains(alice_.str()));
}

TEST_F(E2eeKeys, CrossSigningKeysMustBeSignedByTheMasterKey) {
    auto master = crypto::SigningKey::generate("m");
    auto ssk = crypto::SigningKey::generate("s");
    auto pub = [](const crypto::SigningKey& k) { return k.verify_key().public_key_base64(); };
    json master_json = {{"user_id", alice_.str()}, {"usage", {"master"}}, {"keys", {{"ed25519:" + pub(master), pub(master)}}}};
    json ssk_json = {{"user_id", alice_.str()}, {"usage", {"self_signing"}}, {"keys", {{"ed25519:" + pub(ssk), pub(ssk)}}}};
    sign_as(ssk_json, alice_.str(), ssk, "ed25519:" + pub(master));  // wrong signer
    json cs = {{"master_key", master_json}, {"self_signing_key", ssk_json}};
    auto r = store_->write("t", [&](WriteTxn& t) { return e2ee::upload_cross_signing(t, alice_, cs); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_signature);
    json only_ssk = {{"self_signing_key", ssk_json}};
    r = store_->write("t", [&](WriteTxn& t) { return e2ee::upload_cross_signing(t, alice_, only_ssk); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::missing_param);
}

TEST_F(E2eeKeys, SignatureThatDoesNotVerifyIsAFailure) {
    ASSERT_TRUE(upload(alice_, json{{"device_keys", device_keys(alice_, alice_key_)}}));
    auto master = crypto::SigningKey::generate("m");
    auto pub = master.verify_key().public_key_base64();
    json master_json = {{"user_id", alice_.str()}, {"usage", {"master"}}, {"keys", {{"ed25519:" + pub, pub}}}};
    json cs = {{"master_key", master_json}};
    ASSERT_TRUE(store_->write("t", [&](WriteTxn& t) { return e2ee::upload_cross_signing(t, alice_, cs); }));
    // The device signs the master key, but with a wrong key.
    auto signed_master = master_json;
    sign_as(signed_master, alice_.str(), crypto::SigningKey::generate("z"), "ed25519:DEV1");
    json sigs = {{alice_.str(), {{pub, signed_master}}}};
    auto result = store_->write("t", [&](WriteTxn& t) { return e2ee::upload_signatures(t, alice_, kServer, sigs); });
    ASSERT_TRUE(result);
    EXPECT_EQ(result->failures[alice_.str()][pub]["errcode"], "M_INVALID_SIGNATURE");
    EXPECT_FALSE(result->device_list_position);
    // With the right key it is stored.
    signed_master = master_json;
    sign_as(signed_master, alice_.str(), alice_key_, "ed25519:DEV1");
    sigs = {{alice_.str(), {{pub, signed_master}}}};
    result = store_->write("t", [&](WriteTxn& t) { return e2ee::upload_signatures(t, alice_, kServer, sigs); });
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->failures.empty());
    EXPECT_EQ(read([&](ReadTxn& t) { return t.e2ee_keys().signatures_of(alice_, pub); }).size(), 1u);
}

}  // namespace
}  // namespace chat
