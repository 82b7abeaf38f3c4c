// The user admin API against a real chatd: refusals for non-admins, listing
// with pagination and filters, create/modify, deactivate with erase, password
// reset, admin rights, devices and whois.
#include <gtest/gtest.h>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

class AdminUsers : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kAdminYaml);
        admin_ = std::make_unique<MatrixClient>(registered_admin(daemon_->port(), "root"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    MatrixClient user(std::string_view name) const {
        return MatrixClient::registered(daemon_->port(), name);
    }
    Answer login(std::string_view name, std::string_view password) const {
        return MatrixClient(daemon_->port())
            .post("/_matrix/client/v3/login",
                  {{"type", "m.login.password"},
                   {"identifier", {{"type", "m.id.user"}, {"user", name}}},
                   {"password", password}});
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> admin_;
};

TEST_F(AdminUsers, NonAdminTokensAreRefused) {
    auto alice = user("alice");
    for (const auto* path : {"/_synapse/admin/v2/users", "/_synapse/admin/v2/users/%40alice%3Alocalhost",
                             "/_synapse/admin/v1/rooms", "/_synapse/admin/v1/registration_tokens",
                             "/_chatd/admin/v1/statistics"}) {
        auto answer = alice.get(path);
        EXPECT_EQ(answer.status, 403) << path << " " << answer.text;
        EXPECT_EQ(answer.errcode(), "M_FORBIDDEN") << path;
        EXPECT_EQ(answer.body.value("error", ""), "You are not a server admin") << path;
    }
    auto promote = alice.put("/_synapse/admin/v1/users/%40alice%3Alocalhost/admin", {{"admin", true}});
    EXPECT_EQ(promote.status, 403) << promote.text;
    auto anonymous = MatrixClient(daemon_->port()).get("/_synapse/admin/v2/users");
    EXPECT_EQ(anonymous.status, 401) << anonymous.text;
    EXPECT_EQ(anonymous.errcode(), "M_MISSING_TOKEN");
}

TEST_F(AdminUsers, ListPaginatesWithNextTokenAndFilters) {
    user("bob");
    user("carol");
    auto dave = user("dave");
    ASSERT_EQ(admin_->post("/_synapse/admin/v1/deactivate/%40dave%3Alocalhost", nlohmann::json::object()).status, 200);

    auto first = admin_->get("/_synapse/admin/v2/users?limit=2");
    ASSERT_EQ(first.status, 200) << first.text;
    EXPECT_EQ(first.body["total"], 3);  // root, bob, carol: dave is deactivated
    ASSERT_EQ(first.body["users"].size(), 2u);
    EXPECT_EQ(first.body["users"][0]["name"], "@bob:localhost");
    EXPECT_EQ(first.body["users"][1]["name"], "@carol:localhost");
    ASSERT_EQ(first.body["next_token"], "2");
    auto second = admin_->get("/_synapse/admin/v2/users?limit=2&from=2");
    ASSERT_EQ(second.status, 200) << second.text;
    ASSERT_EQ(second.body["users"].size(), 1u);
    EXPECT_EQ(second.body["users"][0]["name"], "@root:localhost");
    EXPECT_EQ(second.body["users"][0]["admin"], 1);
    EXPECT_FALSE(second.body.contains("next_token"));

    auto with_deactivated = admin_->get("/_synapse/admin/v2/users?deactivated=true");
    EXPECT_EQ(with_deactivated.body["total"], 4);
    auto admins = admin_->get("/_synapse/admin/v2/users?admins=true");
    ASSERT_EQ(admins.body["users"].size(), 1u);
    EXPECT_EQ(admins.body["users"][0]["name"], "@root:localhost");
    auto named = admin_->get("/_synapse/admin/v2/users?name=CAR");
    ASSERT_EQ(named.body["users"].size(), 1u);
    EXPECT_EQ(named.body["users"][0]["name"], "@carol:localhost");
    auto backwards = admin_->get("/_synapse/admin/v2/users?dir=b&limit=1");
    EXPECT_EQ(backwards.body["users"][0]["name"], "@root:localhost");

    auto bad = admin_->get("/_synapse/admin/v2/users?limit=-1");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errcode(), "M_INVALID_PARAM");
    auto bad_flag = admin_->get("/_synapse/admin/v2/users?guests=maybe");
    EXPECT_EQ(bad_flag.status, 400);
}

TEST_F(AdminUsers, PutCreatesThenModifiesAnAccount) {
    auto created = admin_->put("/_synapse/admin/v2/users/%40erin%3Alocalhost",
                               {{"password", "erin-pass-1"}, {"displayname", "Erin"}});
    ASSERT_EQ(created.status, 201) << created.text;
    EXPECT_EQ(created.body["name"], "@erin:localhost");
    EXPECT_EQ(created.body["displayname"], "Erin");
    EXPECT_EQ(created.body["admin"], 0);
    EXPECT_EQ(login("erin", "erin-pass-1").status, 200);

    auto modified = admin_->put("/_synapse/admin/v2/users/%40erin%3Alocalhost",
                                {{"displayname", "Erin E."}, {"admin", true}});
    ASSERT_EQ(modified.status, 200) << modified.text;
    EXPECT_EQ(modified.body["displayname"], "Erin E.");
    EXPECT_EQ(modified.body["admin"], 1);
    auto shown = admin_->get("/_synapse/admin/v2/users/%40erin%3Alocalhost");
    ASSERT_EQ(shown.status, 200) << shown.text;
    EXPECT_EQ(shown.body["displayname"], "Erin E.");
    EXPECT_EQ(shown.body["threepids"], nlohmann::json::array());
    EXPECT_GT(shown.body["creation_ts"].get<std::int64_t>(), 0);

    auto missing = admin_->get("/_synapse/admin/v2/users/%40nobody%3Alocalhost");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.errcode(), "M_NOT_FOUND");
    auto remote = admin_->get("/_synapse/admin/v2/users/%40x%3Aelsewhere.test");
    EXPECT_EQ(remote.status, 400);
    auto wrong_type = admin_->put("/_synapse/admin/v2/users/%40erin%3Alocalhost", {{"admin", "yes"}});
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_EQ(wrong_type.errcode(), "M_BAD_JSON");
}

TEST_F(AdminUsers, DeactivateWithEraseClearsTheProfileAndLogin) {
    auto frank = user("frank");
    ASSERT_EQ(frank.put("/_matrix/client/v3/profile/%40frank%3Alocalhost/displayname",
                        {{"displayname", "Frank"}}).status, 200);
    auto done = admin_->post("/_synapse/admin/v1/deactivate/%40frank%3Alocalhost", {{"erase", true}});
    ASSERT_EQ(done.status, 200) << done.text;
    EXPECT_EQ(done.body["id_server_unbind_result"], "success");
    auto shown = admin_->get("/_synapse/admin/v2/users/%40frank%3Alocalhost");
    EXPECT_EQ(shown.body["deactivated"], 1);
    EXPECT_EQ(shown.body["erased"], true);
    EXPECT_TRUE(shown.body["displayname"].is_null()) << shown.text;
    EXPECT_EQ(frank.get("/_matrix/client/v3/account/whoami").status, 401);
    EXPECT_EQ(login("frank", "correct horse battery").status, 403);

    // Reactivating needs a password; with one, the account logs in again.
    auto refused = admin_->put("/_synapse/admin/v2/users/%40frank%3Alocalhost", {{"deactivated", false}});
    EXPECT_EQ(refused.status, 400) << refused.text;
    auto back = admin_->put("/_synapse/admin/v2/users/%40frank%3Alocalhost",
                            {{"deactivated", false}, {"password", "frank-again"}});
    ASSERT_EQ(back.status, 200) << back.text;
    EXPECT_EQ(back.body["deactivated"], 0);
    EXPECT_EQ(back.body["erased"], false);
    EXPECT_EQ(login("frank", "frank-again").status, 200);

    auto unknown = admin_->post("/_synapse/admin/v1/deactivate/%40ghost%3Alocalhost", nlohmann::json::object());
    EXPECT_EQ(unknown.status, 404);
}

TEST_F(AdminUsers, ResetPasswordLogsDevicesOutUnlessAskedNotTo) {
    auto gina = user("gina");
    auto reset = admin_->post("/_synapse/admin/v1/reset_password/%40gina%3Alocalhost",
                              {{"new_password", "gina-new-1"}, {"logout_devices", false}});
    ASSERT_EQ(reset.status, 200) << reset.text;
    EXPECT_EQ(gina.get("/_matrix/client/v3/account/whoami").status, 200);
    EXPECT_EQ(login("gina", "gina-new-1").status, 200);

    reset = admin_->post("/_synapse/admin/v1/reset_password/%40gina%3Alocalhost",
                         {{"new_password", "gina-new-2"}});
    ASSERT_EQ(reset.status, 200) << reset.text;
    EXPECT_EQ(gina.get("/_matrix/client/v3/account/whoami").status, 401);
    EXPECT_EQ(login("gina", "gina-new-1").status, 403);
    EXPECT_EQ(login("gina", "gina-new-2").status, 200);

    auto missing = admin_->post("/_synapse/admin/v1/reset_password/%40gina%3Alocalhost", nlohmann::json::object());
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM");
}

TEST_F(AdminUsers, AdminRightsAreGrantedAndRevokedButNeverSelfRevoked) {
    auto hank = user("hank");
    const std::string path = "/_synapse/admin/v1/users/%40hank%3Alocalhost/admin";
    EXPECT_EQ(admin_->get(path).body["admin"], false);
    ASSERT_EQ(admin_->put(path, {{"admin", true}}).status, 200);
    EXPECT_EQ(admin_->get(path).body["admin"], true);
    // The new admin's existing token now passes the admin check.
    EXPECT_EQ(hank.get("/_synapse/admin/v2/users").status, 200);
    ASSERT_EQ(admin_->put(path, {{"admin", false}}).status, 200);
    EXPECT_EQ(hank.get("/_synapse/admin/v2/users").status, 403);

    auto self = admin_->put("/_synapse/admin/v1/users/%40root%3Alocalhost/admin", {{"admin", false}});
    EXPECT_EQ(self.status, 403) << self.text;
    EXPECT_EQ(admin_->put(path, nlohmann::json::object()).status, 400);
}

TEST_F(AdminUsers, DevicesAndWhoisListEveryDevice) {
    auto ivy = user("ivy");
    ASSERT_EQ(login("ivy", "correct horse battery").status, 200);  // a second device
    auto devices = admin_->get("/_synapse/admin/v2/users/%40ivy%3Alocalhost/devices");
    ASSERT_EQ(devices.status, 200) << devices.text;
    EXPECT_EQ(devices.body["total"], 2);
    ASSERT_EQ(devices.body["devices"].size(), 2u);
    EXPECT_EQ(devices.body["devices"][0]["user_id"], "@ivy:localhost");
    EXPECT_TRUE(devices.body["devices"][0].contains("last_seen_ip"));

    auto whois = admin_->get("/_synapse/admin/v1/whois/%40ivy%3Alocalhost");
    ASSERT_EQ(whois.status, 200) << whois.text;
    EXPECT_EQ(whois.body["user_id"], "@ivy:localhost");
    EXPECT_EQ(whois.body["devices"].size(), 2u);
    EXPECT_TRUE(whois.body["devices"].contains(ivy.device_id())) << whois.text;
    // A user may ask about themselves, not about others.
    EXPECT_EQ(ivy.get("/_synapse/admin/v1/whois/%40ivy%3Alocalhost").status, 200);
    EXPECT_EQ(ivy.get("/_synapse/admin/v1/whois/%40root%3Alocalhost").status, 403);
}

}  // namespace
}  // namespace chat::test
