// End-to-end encryption keys against a real chatd: /keys/upload, query,
// claim, changes, device_signing/upload, signatures/upload, the key counts
// and device lists in /sync, and bad input.
#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/device_keys.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;

class E2eeKeys : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path());
        alice_.emplace(MatrixClient::registered(daemon_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(daemon_->port(), "bob"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    Answer upload_device(const MatrixClient& c, const crypto::SigningKey& key, json extra = json::object()) {
        extra["device_keys"] = signed_device_keys(c.user_id(), c.device_id(), key);
        return c.post("/_matrix/client/v3/keys/upload", extra);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_;
    std::optional<MatrixClient> bob_;
};

TEST_F(E2eeKeys, UploadQueryAndClaim) {
    auto key = device_signing_key(alice_->device_id());
    const auto& user = alice_->user_id();
    const auto& dev = alice_->device_id();
    auto up = upload_device(*alice_, key,
                            json{{"one_time_keys",
                                  {{"signed_curve25519:AAAA", signed_one_time_key(user, dev, key, "otk1")}}},
                                 {"fallback_keys",
                                  {{"signed_curve25519:FFFF", signed_one_time_key(user, dev, key, "fb", true)}}}});
    ASSERT_EQ(up.status, 200) << up.body.dump();
    EXPECT_EQ(up.body["one_time_key_counts"]["signed_curve25519"], 1);

    auto sync = alice_->sync();
    EXPECT_EQ(sync.body["device_one_time_keys_count"]["signed_curve25519"], 1);
    EXPECT_EQ(sync.body["device_unused_fallback_key_types"], json::array({"signed_curve25519"}));

    auto query = bob_->post("/_matrix/client/v3/keys/query", json{{"device_keys", {{user, json::array()}}}});
    ASSERT_EQ(query.status, 200) << query.body.dump();
    const auto& device = query.body["device_keys"][user][dev];
    EXPECT_EQ(device["keys"]["ed25519:" + dev], public_key(key));
    EXPECT_TRUE(device["unsigned"].is_object());
    auto one = bob_->post("/_matrix/client/v3/keys/query", json{{"device_keys", {{user, {"NOSUCH"}}}}});
    EXPECT_TRUE(one.body["device_keys"][user].empty()) << one.body.dump();

    json wanted = {{"one_time_keys", {{user, {{dev, "signed_curve25519"}}}}}};
    auto first = bob_->post("/_matrix/client/v3/keys/claim", wanted);
    ASSERT_EQ(first.status, 200) << first.body.dump();
    EXPECT_EQ(first.body["one_time_keys"][user][dev]["signed_curve25519:AAAA"]["key"], "otk1");
    auto second = bob_->post("/_matrix/client/v3/keys/claim", wanted);
    EXPECT_EQ(second.body["one_time_keys"][user][dev]["signed_curve25519:FFFF"]["key"], "fb");

    sync = alice_->sync();
    EXPECT_EQ(sync.body["device_one_time_keys_count"]["signed_curve25519"], 0);
    EXPECT_EQ(sync.body["device_unused_fallback_key_types"], json::array());
}

TEST_F(E2eeKeys, ClaimFromUnknownUsersAndDevicesGivesNothing) {
    json wanted = {{"one_time_keys",
                    {{"@nobody:" + alice_->user_id().substr(alice_->user_id().find(':') + 1), {{"X", "signed_curve25519"}}},
                     {alice_->user_id(), {{"NODEVICE", "signed_curve25519"}}},
                     {"@carol:elsewhere.test", {{"X", "signed_curve25519"}}}}}};
    auto claim = bob_->post("/_matrix/client/v3/keys/claim", wanted);
    ASSERT_EQ(claim.status, 200) << claim.body.dump();
    EXPECT_TRUE(claim.body["one_time_keys"].empty());
    EXPECT_TRUE(claim.body["failures"].contains("elsewhere.test"));
    auto bad = bob_->post("/_matrix/client/v3/keys/claim",
                          json{{"one_time_keys", {{alice_->user_id(), {{"X", 5}}}}}});
    EXPECT_EQ(bad.status, 400);
}

TEST_F(E2eeKeys, BadUploadsAreRefused) {
    auto key = device_signing_key(alice_->device_id());
    const auto& user = alice_->user_id();
    const auto& dev = alice_->device_id();

    // Keys for another user's device.
    auto bobs = signed_device_keys(bob_->user_id(), bob_->device_id(), key);
    auto r = alice_->post("/_matrix/client/v3/keys/upload", json{{"device_keys", bobs}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_PARAM");
    // Keys for another of one's own devices.
    auto other_device = signed_device_keys(user, "OTHERDEV", key);
    r = alice_->post("/_matrix/client/v3/keys/upload", json{{"device_keys", other_device}});
    EXPECT_EQ(r.status, 400);

    // A signature that does not verify.
    auto forged = signed_device_keys(user, dev, key);
    forged["keys"]["curve25519:" + dev] = "Y2hhbmdlZA";
    r = alice_->post("/_matrix/client/v3/keys/upload", json{{"device_keys", forged}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_SIGNATURE");

    ASSERT_EQ(upload_device(*alice_, key).status, 200);
    // Unknown algorithms and malformed key ids.
    for (const auto& [id, value] :
         {std::pair<std::string, json>{"rot13:AAAA", "x"},
          std::pair<std::string, json>{"signed_curve25519", signed_one_time_key(user, dev, key, "k")},
          std::pair<std::string, json>{"signed_curve25519:", signed_one_time_key(user, dev, key, "k")},
          std::pair<std::string, json>{"signed_curve25519:A B", signed_one_time_key(user, dev, key, "k")}}) {
        r = alice_->post("/_matrix/client/v3/keys/upload", json{{"one_time_keys", {{id, value}}}});
        EXPECT_EQ(r.status, 400) << id << " " << r.body.dump();
    }
    // A one-time key signed by some other key.
    auto stranger = crypto::SigningKey::generate("X");
    r = alice_->post("/_matrix/client/v3/keys/upload",
                     json{{"one_time_keys",
                           {{"signed_curve25519:B", signed_one_time_key(user, dev, stranger, "k")}}}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.errcode(), "M_INVALID_SIGNATURE");
    // Changing the device's identity key.
    r = upload_device(*alice_, crypto::SigningKey::generate(dev));
    EXPECT_EQ(r.status, 400);
    // Not an object.
    r = alice_->post("/_matrix/client/v3/keys/upload", json{{"one_time_keys", {1, 2}}});
    EXPECT_EQ(r.status, 400);
}

TEST_F(E2eeKeys, DeviceListChangesReachUsersSharingARoom) {
    auto room = alice_->create_room(json{{"preset", "public_chat"}});
    bob_->join(room);
    auto bob_sync = bob_->sync();
    const std::string from = bob_sync.body["next_batch"];

    ASSERT_EQ(upload_device(*alice_, device_signing_key(alice_->device_id())).status, 200);
    auto next = bob_->sync(from);
    ASSERT_EQ(next.status, 200);
    EXPECT_EQ(next.body["device_lists"]["changed"], json::array({alice_->user_id()})) << next.body.dump();
    const std::string to = next.body["next_batch"];
    auto changes = bob_->get("/_matrix/client/v3/keys/changes?from=" + from + "&to=" + to);
    ASSERT_EQ(changes.status, 200) << changes.body.dump();
    EXPECT_EQ(changes.body["changed"], json::array({alice_->user_id()}));
    auto missing = bob_->get("/_matrix/client/v3/keys/changes?from=" + from);
    EXPECT_EQ(missing.status, 400);

    // Bob leaves: alice no longer shares a room with him.
    auto alice_from = alice_->sync().body["next_batch"].get<std::string>();
    ASSERT_EQ(bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/leave", json::object()).status, 200);
    auto after = alice_->sync(alice_from);
    EXPECT_EQ(after.body["device_lists"]["left"], json::array({bob_->user_id()})) << after.body.dump();
}

TEST_F(E2eeKeys, CrossSigningUploadAndSignatures) {
    const auto& user = alice_->user_id();
    auto device_key = device_signing_key(alice_->device_id());
    ASSERT_EQ(upload_device(*alice_, device_key).status, 200);
    auto master = crypto::SigningKey::generate("m");
    auto ssk = crypto::SigningKey::generate("s");
    auto usk = crypto::SigningKey::generate("u");
    const auto master_id = "ed25519:" + public_key(master);
    auto ssk_json = cross_signing_key(user, "self_signing", ssk);
    auto usk_json = cross_signing_key(user, "user_signing", usk);
    sign_as(ssk_json, user, master, master_id);
    sign_as(usk_json, user, master, master_id);
    json body = {{"master_key", cross_signing_key(user, "master", master)},
                 {"self_signing_key", ssk_json},
                 {"user_signing_key", usk_json}};
    // The first upload needs no auth.
    auto first = alice_->post("/_matrix/client/v3/keys/device_signing/upload", body);
    ASSERT_EQ(first.status, 200) << first.body.dump();

    // Replacing the master key does: 401 with the password flow, then 200.
    auto master2 = crypto::SigningKey::generate("n");
    json replace = {{"master_key", cross_signing_key(user, "master", master2)}};
    auto challenge = alice_->post("/_matrix/client/v3/keys/device_signing/upload", replace);
    ASSERT_EQ(challenge.status, 401) << challenge.body.dump();
    ASSERT_TRUE(challenge.body.contains("session"));
    replace["auth"] = {{"type", "m.login.password"},
                       {"session", challenge.body["session"]},
                       {"identifier", {{"type", "m.id.user"}, {"user", user}}},
                       {"password", "correct horse battery"}};
    auto replaced = alice_->post("/_matrix/client/v3/keys/device_signing/upload", replace);
    EXPECT_EQ(replaced.status, 200) << replaced.body.dump();

    // A self-signing key not signed by the master key (bob's first upload:
    // no UIA, so the signature check answers).
    const auto& bob = bob_->user_id();
    auto bad_ssk = cross_signing_key(bob, "self_signing", ssk);
    sign_as(bad_ssk, bob, ssk, master_id);
    json bad = {{"master_key", cross_signing_key(bob, "master", master)}, {"self_signing_key", bad_ssk}};
    auto refused = bob_->post("/_matrix/client/v3/keys/device_signing/upload", bad);
    EXPECT_EQ(refused.status, 400) << refused.body.dump();
    EXPECT_EQ(refused.errcode(), "M_INVALID_SIGNATURE");

    // The device signs the (new) master key: stored and shown to bob.
    const auto pub2 = public_key(master2);
    auto signed_master = cross_signing_key(user, "master", master2);
    sign_as(signed_master, user, device_key, "ed25519:" + alice_->device_id());
    auto sigs = alice_->post("/_matrix/client/v3/keys/signatures/upload", json{{user, {{pub2, signed_master}}}});
    ASSERT_EQ(sigs.status, 200) << sigs.body.dump();
    EXPECT_TRUE(sigs.body["failures"].empty()) << sigs.body.dump();
    auto query = bob_->post("/_matrix/client/v3/keys/query", json{{"device_keys", {{user, json::array()}}}});
    EXPECT_TRUE(query.body["master_keys"][user]["signatures"][user].contains("ed25519:" + alice_->device_id()))
        << query.body.dump();
    EXPECT_FALSE(query.body["user_signing_keys"].contains(user));

    // A signature that does not verify is a failure, not an error.
    auto forged = cross_signing_key(user, "master", master2);
    sign_as(forged, user, crypto::SigningKey::generate("z"), "ed25519:" + alice_->device_id());
    auto failed = alice_->post("/_matrix/client/v3/keys/signatures/upload", json{{user, {{pub2, forged}}}});
    ASSERT_EQ(failed.status, 200);
    EXPECT_EQ(failed.body["failures"][user][pub2]["errcode"], "M_INVALID_SIGNATURE") << failed.body.dump();
    // Signing a key that does not exist.
    auto unknown = alice_->post("/_matrix/client/v3/keys/signatures/upload",
                                json{{user, {{"NOSUCHKEY", forged}}}});
    EXPECT_TRUE(unknown.body["failures"][user].contains("NOSUCHKEY"));
}

}  // namespace
}  // namespace chat::test
