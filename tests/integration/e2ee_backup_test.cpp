// Server-side key backups (/room_keys) against a real chatd: versions,
// keys in all three scopes, the version and etag rules.
#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;

constexpr const char* kAlgorithm = "m.megolm_backup.v1.curve25519-aes-sha2";

json key_data(int index, bool verified = false, const std::string& tag = "c") {
    return json{{"first_message_index", index},
                {"forwarded_count", 0},
                {"is_verified", verified},
                {"session_data", {{"ephemeral", "e"}, {"ciphertext", tag}, {"mac", "m"}}}};
}

class E2eeBackup : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path());
        alice_.emplace(MatrixClient::registered(daemon_->port(), "alice"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    std::string create_version() {
        auto r = alice_->post("/_matrix/client/v3/room_keys/version",
                              json{{"algorithm", kAlgorithm}, {"auth_data", {{"public_key", "abc"}}}});
        if (r.status != 200) throw std::runtime_error(r.body.dump());
        return r.body["version"];
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_;
};

TEST_F(E2eeBackup, VersionsLifecycle) {
    auto none = alice_->get("/_matrix/client/v3/room_keys/version");
    EXPECT_EQ(none.status, 404);
    EXPECT_EQ(none.errcode(), "M_NOT_FOUND");

    auto v1 = create_version();
    auto current = alice_->get("/_matrix/client/v3/room_keys/version");
    ASSERT_EQ(current.status, 200) << current.body.dump();
    EXPECT_EQ(current.body["version"], v1);
    EXPECT_EQ(current.body["algorithm"], kAlgorithm);
    EXPECT_EQ(current.body["count"], 0);
    EXPECT_TRUE(current.body["etag"].is_string());

    auto put = alice_->put("/_matrix/client/v3/room_keys/version/" + v1,
                           json{{"algorithm", kAlgorithm}, {"auth_data", {{"public_key", "new"}}}, {"version", v1}});
    EXPECT_EQ(put.status, 200) << put.body.dump();
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version/" + v1).body["auth_data"]["public_key"], "new");
    auto mismatch = alice_->put("/_matrix/client/v3/room_keys/version/" + v1,
                                json{{"algorithm", "other"}, {"auth_data", json::object()}});
    EXPECT_EQ(mismatch.status, 400);
    auto wrong_version = alice_->put("/_matrix/client/v3/room_keys/version/" + v1,
                                     json{{"algorithm", kAlgorithm}, {"auth_data", json::object()}, {"version", "99"}});
    EXPECT_EQ(wrong_version.status, 400);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version/99").status, 404);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version/abc").status, 404);

    auto v2 = create_version();
    EXPECT_NE(v2, v1);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version").body["version"], v2);
    EXPECT_EQ(alice_->del("/_matrix/client/v3/room_keys/version/" + v2).status, 200);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version").body["version"], v1);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version/" + v2).status, 404);
    EXPECT_EQ(alice_->del("/_matrix/client/v3/room_keys/version/99").status, 404);
    EXPECT_EQ(alice_->post("/_matrix/client/v3/room_keys/version", json{{"algorithm", kAlgorithm}}).status, 400);
}

TEST_F(E2eeBackup, KeysInEveryScope) {
    auto v = create_version();
    const std::string room = "!room:example.org";
    const std::string base = "/_matrix/client/v3/room_keys/keys";
    const std::string q = "?version=" + v;

    auto all = alice_->put(base + q, json{{"rooms", {{room, {{"sessions", {{"s1", key_data(5)}}}}}}}});
    ASSERT_EQ(all.status, 200) << all.body.dump();
    EXPECT_EQ(all.body["count"], 1);
    auto etag1 = all.body["etag"];
    auto by_room = alice_->put(base + "/" + escape(room) + q, json{{"sessions", {{"s2", key_data(0)}}}});
    ASSERT_EQ(by_room.status, 200) << by_room.body.dump();
    EXPECT_EQ(by_room.body["count"], 2);
    EXPECT_NE(by_room.body["etag"], etag1);
    auto by_session = alice_->put(base + "/" + escape(room) + "/s1" + q, key_data(2, false, "better"));
    ASSERT_EQ(by_session.status, 200);
    EXPECT_EQ(by_session.body["count"], 2);

    // The replacement rule: a worse key leaves the stored one and the etag.
    auto etag = by_session.body["etag"];
    auto worse = alice_->put(base + "/" + escape(room) + "/s1" + q, key_data(9, false, "worse"));
    EXPECT_EQ(worse.body["etag"], etag);
    auto session = alice_->get(base + "/" + escape(room) + "/s1" + q);
    ASSERT_EQ(session.status, 200);
    EXPECT_EQ(session.body["session_data"]["ciphertext"], "better");
    auto verified = alice_->put(base + "/" + escape(room) + "/s1" + q, key_data(9, true, "verified"));
    EXPECT_NE(verified.body["etag"], etag);

    auto everything = alice_->get(base + q);
    EXPECT_EQ(everything.body["rooms"][room]["sessions"].size(), 2u) << everything.body.dump();
    EXPECT_EQ(alice_->get(base + "/" + escape(room) + q).body["sessions"].size(), 2u);
    EXPECT_EQ(alice_->get(base + "/" + escape("!other:example.org") + q).body, json({{"sessions", json::object()}}));
    EXPECT_EQ(alice_->get(base + "/" + escape(room) + "/nope" + q).status, 404);
    EXPECT_EQ(alice_->get("/_matrix/client/v3/room_keys/version").body["count"], 2);

    auto removed = alice_->del(base + "/" + escape(room) + "/s2" + q);
    ASSERT_EQ(removed.status, 200);
    EXPECT_EQ(removed.body["count"], 1);
    removed = alice_->del(base + q);
    EXPECT_EQ(removed.body["count"], 0);
    EXPECT_EQ(alice_->get(base + q).body, json({{"rooms", json::object()}}));
}

TEST_F(E2eeBackup, VersionRules) {
    auto v1 = create_version();
    auto v2 = create_version();
    const std::string base = "/_matrix/client/v3/room_keys/keys";
    json body = {{"rooms", {{"!r:x", {{"sessions", {{"s", key_data(0)}}}}}}}};
    auto old = alice_->put(base + "?version=" + v1, body);
    EXPECT_EQ(old.status, 403);
    EXPECT_EQ(old.errcode(), "M_WRONG_ROOM_KEYS_VERSION");
    EXPECT_EQ(old.body["current_version"], v2);
    EXPECT_EQ(alice_->put(base, body).status, 400);  // version is required
    EXPECT_EQ(alice_->get(base).status, 400);
    EXPECT_EQ(alice_->put(base + "?version=77", body).status, 404);
    EXPECT_EQ(alice_->get(base + "?version=77").status, 404);
    auto malformed = alice_->put(base + "?version=" + v2,
                                 json{{"rooms", {{"!r:x", {{"sessions", {{"s", {{"is_verified", 1}}}}}}}}}});
    EXPECT_EQ(malformed.status, 400);
}

}  // namespace
}  // namespace chat::test
