// Accounts over HTTP against a real chatd: register (UIA), login, logout,
// whoami, password, deactivate, devices, profile, 3pid, shared secret.
#include <gtest/gtest.h>

#include <chat/accounts/shared_secret.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

constexpr std::string_view kSecret = "integration-test-shared-secret";

class Accounts : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(),
                                "registration:\n  shared_secret: " + std::string(kSecret) +
                                    "\nrate_limits:\n  login:\n    per_second: 1000\n    burst: "
                                    "1000\n  register:\n    per_second: 1000\n    burst: 1000\n");
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    MatrixClient anonymous() const { return MatrixClient(daemon_->port()); }
    MatrixClient user(std::string_view name) const {
        return MatrixClient::registered(daemon_->port(), name);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(Accounts, RegisterWithoutAuthGetsTheDummyFlowAndASession) {
    auto answer = anonymous().post("/_matrix/client/v3/register",
                                   {{"username", "alice"}, {"password", "pw-alice-1"}});
    ASSERT_EQ(answer.status, 401) << answer.text;
    EXPECT_EQ(answer.body["flows"][0]["stages"][0], "m.login.dummy") << answer.text;
    ASSERT_TRUE(answer.body["session"].is_string());
    auto session = answer.body["session"].get<std::string>();
    auto done = anonymous().post(
        "/_matrix/client/v3/register",
        {{"username", "alice"},
         {"password", "pw-alice-1"},
         {"auth", {{"type", "m.login.dummy"}, {"session", session}}}});
    ASSERT_EQ(done.status, 200) << done.text;
    EXPECT_EQ(done.body["user_id"], "@alice:localhost");
    EXPECT_TRUE(done.body["access_token"].is_string());
    EXPECT_TRUE(done.body["device_id"].is_string());
}

TEST_F(Accounts, RegisterWithDummyAuthAndNoSessionAsMatrixNioDoes) {
    auto alice = user("alice");
    auto whoami = alice.get("/_matrix/client/v3/account/whoami");
    ASSERT_EQ(whoami.status, 200) << whoami.text;
    EXPECT_EQ(whoami.body["user_id"], "@alice:localhost");
    EXPECT_EQ(whoami.body["device_id"], alice.device_id());
}

TEST_F(Accounts, UsernameRulesAndAvailability) {
    user("alice");
    auto taken = anonymous().get("/_matrix/client/v3/register/available?username=alice");
    EXPECT_EQ(taken.status, 400);
    EXPECT_EQ(taken.errcode(), "M_USER_IN_USE");
    auto free = anonymous().get("/_matrix/client/v3/register/available?username=bob");
    EXPECT_EQ(free.status, 200);
    EXPECT_EQ(free.body["available"], true);
    auto invalid = anonymous().get("/_matrix/client/v3/register/available?username=b%20b");
    EXPECT_EQ(invalid.errcode(), "M_INVALID_USERNAME");
    auto again = anonymous().post("/_matrix/client/v3/register",
                                  {{"username", "alice"}, {"auth", {{"type", "m.login.dummy"}}}});
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(again.errcode(), "M_USER_IN_USE");
    auto missing = anonymous().get("/_matrix/client/v3/register/available");
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM");
}

TEST_F(Accounts, InhibitLoginGivesNoToken) {
    auto answer = anonymous().post("/_matrix/client/v3/register",
                                   {{"username", "carol"},
                                    {"password", "pw"},
                                    {"inhibit_login", true},
                                    {"auth", {{"type", "m.login.dummy"}}}});
    ASSERT_EQ(answer.status, 200) << answer.text;
    EXPECT_EQ(answer.body["user_id"], "@carol:localhost");
    EXPECT_FALSE(answer.body.contains("access_token"));
}

TEST_F(Accounts, LoginWithIdentifierAndLegacyUserThenLogout) {
    user("alice");
    auto flows = anonymous().get("/_matrix/client/v3/login");
    EXPECT_EQ(flows.body["flows"][0]["type"], "m.login.password");
    auto login = anonymous().post("/_matrix/client/v3/login",
                                  {{"type", "m.login.password"},
                                   {"identifier", {{"type", "m.id.user"}, {"user", "alice"}}},
                                   {"password", "correct horse battery"}});
    ASSERT_EQ(login.status, 200) << login.text;
    EXPECT_EQ(login.body["user_id"], "@alice:localhost");
    auto legacy = anonymous().post("/_matrix/client/r0/login",
                                   {{"type", "m.login.password"},
                                    {"user", "@alice:localhost"},
                                    {"password", "correct horse battery"}});
    ASSERT_EQ(legacy.status, 200) << legacy.text;

    MatrixClient session(daemon_->port(), login.body["access_token"].get<std::string>());
    EXPECT_EQ(session.post("/_matrix/client/v3/logout", nlohmann::json::object()).status, 200);
    auto after = session.get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(after.status, 401);
    EXPECT_EQ(after.errcode(), "M_UNKNOWN_TOKEN");
    // The other session still works.
    MatrixClient other(daemon_->port(), legacy.body["access_token"].get<std::string>());
    EXPECT_EQ(other.get("/_matrix/client/v3/account/whoami").status, 200);
}

TEST_F(Accounts, WrongPasswordAndUnknownUserLookTheSame) {
    user("alice");
    for (const auto& name : {"alice", "nobody"}) {
        auto login = anonymous().post("/_matrix/client/v3/login",
                                      {{"type", "m.login.password"},
                                       {"identifier", {{"type", "m.id.user"}, {"user", name}}},
                                       {"password", "wrong"}});
        EXPECT_EQ(login.status, 403) << name;
        EXPECT_EQ(login.errcode(), "M_FORBIDDEN") << name;
    }
    auto unknown_type = anonymous().post("/_matrix/client/v3/login", {{"type", "m.login.sso"}});
    EXPECT_EQ(unknown_type.errcode(), "M_UNRECOGNIZED");
    auto bad_json = anonymous().send_raw("POST", "/_matrix/client/v3/login", "{not json");
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_EQ(bad_json.errcode(), "M_NOT_JSON");
}

TEST_F(Accounts, MissingAndBadTokens) {
    auto missing = anonymous().get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.errcode(), "M_MISSING_TOKEN");
    auto bad = MatrixClient(daemon_->port(), "nope").get("/_matrix/client/v3/account/whoami");
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.errcode(), "M_UNKNOWN_TOKEN");
    // A token in the query string (matrix-nio) is accepted.
    auto alice = user("alice");
    auto query = anonymous().get("/_matrix/client/r0/account/whoami?access_token=" +
                                 escape(alice.token()));
    EXPECT_EQ(query.status, 200) << query.text;
}

TEST_F(Accounts, LogoutAllEndsEverySession) {
    auto alice = user("alice");
    auto second = anonymous().post("/_matrix/client/v3/login",
                                   {{"type", "m.login.password"},
                                    {"user", "alice"},
                                    {"password", "correct horse battery"}});
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(alice.post("/_matrix/client/v3/logout/all", nlohmann::json::object()).status, 200);
    EXPECT_EQ(alice.get("/_matrix/client/v3/account/whoami").status, 401);
    MatrixClient other(daemon_->port(), second.body["access_token"].get<std::string>());
    EXPECT_EQ(other.get("/_matrix/client/v3/account/whoami").status, 401);
}

TEST_F(Accounts, PasswordChangeNeedsThePasswordStage) {
    auto alice = user("alice");
    auto challenge =
        alice.post("/_matrix/client/v3/account/password", {{"new_password", "new-pw-1"}});
    ASSERT_EQ(challenge.status, 401) << challenge.text;
    EXPECT_EQ(challenge.body["flows"][0]["stages"][0], "m.login.password");
    auto session = challenge.body["session"].get<std::string>();
    auto wrong = alice.post(
        "/_matrix/client/v3/account/password",
        {{"new_password", "new-pw-1"},
         {"auth",
          {{"type", "m.login.password"}, {"session", session}, {"user", "alice"}, {"password", "x"}}}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.errcode(), "M_FORBIDDEN");
    auto changed = alice.post(
        "/_matrix/client/v3/account/password",
        {{"new_password", "new-pw-1"},
         {"logout_devices", false},
         {"auth",
          {{"type", "m.login.password"},
           {"session", session},
           {"identifier", {{"type", "m.id.user"}, {"user", "@alice:localhost"}}},
           {"password", "correct horse battery"}}}});
    ASSERT_EQ(changed.status, 200) << changed.text;
    auto old_login = anonymous().post(
        "/_matrix/client/v3/login",
        {{"type", "m.login.password"}, {"user", "alice"}, {"password", "correct horse battery"}});
    EXPECT_EQ(old_login.status, 403);
    auto new_login = anonymous().post(
        "/_matrix/client/v3/login",
        {{"type", "m.login.password"}, {"user", "alice"}, {"password", "new-pw-1"}});
    EXPECT_EQ(new_login.status, 200);
}

TEST_F(Accounts, DevicesListRenameAndDeleteWithAuth) {
    auto alice = user("alice");
    auto list = alice.get("/_matrix/client/v3/devices");
    ASSERT_EQ(list.status, 200) << list.text;
    ASSERT_EQ(list.body["devices"].size(), 1u);
    auto path = "/_matrix/client/v3/devices/" + escape(alice.device_id());
    EXPECT_EQ(alice.put(path, {{"display_name", "laptop"}}).status, 200);
    EXPECT_EQ(alice.get(path).body["display_name"], "laptop");
    EXPECT_EQ(alice.get("/_matrix/client/v3/devices/NOPE").errcode(), "M_NOT_FOUND");
    auto challenge = alice.del(path);
    EXPECT_EQ(challenge.status, 401);
    auto deleted = alice.del(path, {{"auth",
                                     {{"type", "m.login.password"},
                                      {"user", "alice"},
                                      {"password", "correct horse battery"}}}});
    EXPECT_EQ(deleted.status, 200) << deleted.text;
    EXPECT_EQ(alice.get("/_matrix/client/v3/account/whoami").status, 401);
}

TEST_F(Accounts, ProfileIsPublicAndOnlyTheOwnerChangesIt) {
    auto alice = user("alice");
    auto bob = user("bob");
    EXPECT_EQ(alice.put("/_matrix/client/v3/profile/%40alice%3Alocalhost/displayname",
                        {{"displayname", "Alice A."}})
                  .status,
              200);
    auto profile = anonymous().get("/_matrix/client/v3/profile/%40alice%3Alocalhost");
    EXPECT_EQ(profile.body["displayname"], "Alice A.");
    auto other = bob.put("/_matrix/client/v3/profile/%40alice%3Alocalhost/displayname",
                         {{"displayname", "Mallory"}});
    EXPECT_EQ(other.status, 403);
    auto bad_avatar = alice.put("/_matrix/client/v3/profile/%40alice%3Alocalhost/avatar_url",
                                {{"avatar_url", "http://example.org/a.png"}});
    EXPECT_EQ(bad_avatar.status, 400);
    auto wrong_type = alice.put("/_matrix/client/v3/profile/%40alice%3Alocalhost/displayname",
                                {{"displayname", 5}});
    EXPECT_EQ(wrong_type.errcode(), "M_BAD_JSON");
    EXPECT_EQ(anonymous().get("/_matrix/client/v3/profile/%40ghost%3Alocalhost").status, 404);
}

TEST_F(Accounts, DisplaynameChangeReachesMemberEvents) {
    auto alice = user("alice");
    auto room = alice.create_room();
    ASSERT_EQ(alice.put("/_matrix/client/v3/profile/%40alice%3Alocalhost/displayname",
                        {{"displayname", "Alice Renamed"}})
                  .status,
              200);
    auto member = alice.get("/_matrix/client/v3/rooms/" + escape(room) +
                            "/state/m.room.member/%40alice%3Alocalhost");
    ASSERT_EQ(member.status, 200) << member.text;
    EXPECT_EQ(member.body["displayname"], "Alice Renamed");
    EXPECT_EQ(member.body["membership"], "join");
}

TEST_F(Accounts, DeactivateLeavesRoomsAndEndsLogin) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto room = alice.create_room({{"preset", "public_chat"}});
    bob.join(room);
    auto done = bob.post("/_matrix/client/v3/account/deactivate",
                         {{"auth",
                           {{"type", "m.login.password"},
                            {"user", "bob"},
                            {"password", "correct horse battery"}}}});
    ASSERT_EQ(done.status, 200) << done.text;
    auto login = anonymous().post(
        "/_matrix/client/v3/login",
        {{"type", "m.login.password"}, {"user", "bob"}, {"password", "correct horse battery"}});
    EXPECT_EQ(login.status, 403);
    auto members = alice.get("/_matrix/client/v3/rooms/" + escape(room) + "/joined_members");
    EXPECT_FALSE(members.body["joined"].contains("@bob:localhost")) << members.text;
}

TEST_F(Accounts, ThirdPartyIdentifiersAreEmptyAndRefused) {
    auto alice = user("alice");
    auto list = alice.get("/_matrix/client/v3/account/3pid");
    EXPECT_EQ(list.status, 200);
    EXPECT_EQ(list.body["threepids"], nlohmann::json::array());
    auto add = alice.post("/_matrix/client/v3/account/3pid/add", nlohmann::json::object());
    EXPECT_EQ(add.status, 403);
    EXPECT_EQ(add.errcode(), "M_THREEPID_DENIED");
}

TEST_F(Accounts, SharedSecretRegistrationCreatesAnAdmin) {
    auto nonce = anonymous().get("/_synapse/admin/v1/register");
    ASSERT_EQ(nonce.status, 200) << nonce.text;
    auto n = nonce.body["nonce"].get<std::string>();
    auto mac = accounts::shared_secret_mac(kSecret, n, "root", "root-password", true);
    auto made = anonymous().post("/_synapse/admin/v1/register", {{"nonce", n},
                                                                  {"username", "root"},
                                                                  {"password", "root-password"},
                                                                  {"admin", true},
                                                                  {"mac", mac}});
    ASSERT_EQ(made.status, 200) << made.text;
    EXPECT_EQ(made.body["user_id"], "@root:localhost");
    // A nonce is single use, and a wrong MAC is refused.
    auto reused = anonymous().post("/_synapse/admin/v1/register", {{"nonce", n},
                                                                   {"username", "root2"},
                                                                   {"password", "pw"},
                                                                   {"mac", mac}});
    EXPECT_EQ(reused.status, 400);
    auto fresh = anonymous().get("/_synapse/admin/v1/register").body["nonce"].get<std::string>();
    auto forged = anonymous().post("/_synapse/admin/v1/register", {{"nonce", fresh},
                                                                   {"username", "root3"},
                                                                   {"password", "pw"},
                                                                   {"mac", "00"}});
    EXPECT_EQ(forged.status, 403);
}

TEST(AccountsClosed, PublicListenerStartsWithRegistrationClosed) {
    TempDir dir;
    // Registration closed explicitly, as a public bind would have it.
    auto daemon = Daemon::start(dir.path(), "registration:\n  enabled: false\n");
    auto answer = MatrixClient(daemon->port())
                      .post("/_matrix/client/v3/register",
                            {{"username", "x"}, {"auth", {{"type", "m.login.dummy"}}}});
    EXPECT_EQ(answer.status, 403);
    EXPECT_EQ(answer.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(daemon->stop(), 0);
}

TEST(AccountsRateLimit, LoginIsRateLimited) {
    TempDir dir;
    auto daemon =
        Daemon::start(dir.path(), "rate_limits:\n  login:\n    per_second: 0.01\n    burst: 2\n");
    MatrixClient client(daemon->port());
    Answer last;
    for (int i = 0; i < 3; ++i)
        last = client.post("/_matrix/client/v3/login",
                           {{"type", "m.login.password"}, {"user", "a"}, {"password", "b"}});
    EXPECT_EQ(last.status, 429) << last.text;
    EXPECT_EQ(last.errcode(), "M_LIMIT_EXCEEDED");
    EXPECT_GT(last.body.value("retry_after_ms", 0), 0);
    EXPECT_EQ(daemon->stop(), 0);
}

}  // namespace
}  // namespace chat::test
