// Registration tokens (admin API and the m.login.registration_token stage)
// and the server endpoints, against a real chatd.
#include <gtest/gtest.h>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

constexpr std::string_view kTokenYaml =
    "registration:\n  enabled: token\n  shared_secret: admin-integration-shared-secret\n"
    "rate_limits:\n  register:\n    per_second: 1000\n    burst: 1000\n";

class AdminTokens : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kTokenYaml);
        admin_ = std::make_unique<MatrixClient>(registered_admin(daemon_->port(), "root"));
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    Answer register_with(std::string_view name, const nlohmann::json& auth) const {
        nlohmann::json body = {{"username", name}, {"password", "pw-" + std::string(name)}};
        if (!auth.is_null()) body["auth"] = auth;
        return MatrixClient(daemon_->port()).post("/_matrix/client/v3/register", body);
    }
    bool valid(std::string_view token) const {
        auto answer = MatrixClient(daemon_->port())
                          .get("/_matrix/client/v1/register/m.login.registration_token/validity?token=" +
                               std::string(token));
        EXPECT_EQ(answer.status, 200) << answer.text;
        return answer.body.value("valid", false);
    }
    static nlohmann::json token_auth(std::string_view token) {
        return {{"type", "m.login.registration_token"}, {"token", token}};
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::unique_ptr<MatrixClient> admin_;
};

TEST_F(AdminTokens, RegistrationAsksForATokenAndCountsItsUses) {
    auto challenge = register_with("alice", nullptr);
    ASSERT_EQ(challenge.status, 401) << challenge.text;
    EXPECT_EQ(challenge.body["flows"][0]["stages"][0], "m.login.registration_token");
    auto dummy = register_with("alice", {{"type", "m.login.dummy"}});
    EXPECT_EQ(dummy.status, 401) << dummy.text;

    auto made = admin_->post("/_synapse/admin/v1/registration_tokens/new",
                             {{"token", "let-me-in"}, {"uses_allowed", 1}});
    ASSERT_EQ(made.status, 200) << made.text;
    EXPECT_EQ(made.body["token"], "let-me-in");
    EXPECT_EQ(made.body["uses_allowed"], 1);
    EXPECT_EQ(made.body["completed"], 0);
    EXPECT_TRUE(valid("let-me-in"));
    EXPECT_FALSE(valid("wrong-token"));

    auto wrong = register_with("alice", token_auth("wrong-token"));
    EXPECT_EQ(wrong.status, 401) << wrong.text;
    EXPECT_EQ(wrong.errcode(), "M_FORBIDDEN");
    auto ok = register_with("alice", token_auth("let-me-in"));
    ASSERT_EQ(ok.status, 200) << ok.text;
    EXPECT_EQ(ok.body["user_id"], "@alice:localhost");

    // Used up: refused, listed as invalid, and counted.
    EXPECT_FALSE(valid("let-me-in"));
    EXPECT_EQ(register_with("bob", token_auth("let-me-in")).status, 401);
    auto shown = admin_->get("/_synapse/admin/v1/registration_tokens/let-me-in");
    ASSERT_EQ(shown.status, 200) << shown.text;
    EXPECT_EQ(shown.body["completed"], 1);
    EXPECT_EQ(shown.body["pending"], 0);
    auto invalid = admin_->get("/_synapse/admin/v1/registration_tokens?valid=false");
    ASSERT_EQ(invalid.body["registration_tokens"].size(), 1u);
    EXPECT_EQ(admin_->get("/_synapse/admin/v1/registration_tokens?valid=true")
                  .body["registration_tokens"].size(), 0u);

    // One more use makes it valid again.
    auto updated = admin_->put("/_synapse/admin/v1/registration_tokens/let-me-in", {{"uses_allowed", 2}});
    ASSERT_EQ(updated.status, 200) << updated.text;
    EXPECT_EQ(updated.body["uses_allowed"], 2);
    EXPECT_EQ(updated.body["completed"], 1);
    EXPECT_EQ(register_with("bob", token_auth("let-me-in")).status, 200);
}

TEST_F(AdminTokens, CreateGetUpdateDeleteAndRefusals) {
    auto random = admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"length", 24}});
    ASSERT_EQ(random.status, 200) << random.text;
    EXPECT_EQ(random.body["token"].get<std::string>().size(), 24u);
    EXPECT_TRUE(random.body["uses_allowed"].is_null());
    EXPECT_TRUE(random.body["expiry_time"].is_null());
    auto empty_body = admin_->post("/_synapse/admin/v1/registration_tokens/new", nlohmann::json::object());
    ASSERT_EQ(empty_body.status, 200) << empty_body.text;
    EXPECT_EQ(empty_body.body["token"].get<std::string>().size(), 16u);

    auto listed = admin_->get("/_synapse/admin/v1/registration_tokens");
    EXPECT_EQ(listed.body["registration_tokens"].size(), 2u);

    auto dup = admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"token", random.body["token"]}});
    EXPECT_EQ(dup.status, 400);
    EXPECT_EQ(dup.errcode(), "M_INVALID_PARAM");
    EXPECT_EQ(admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"token", "has space"}}).status, 400);
    EXPECT_EQ(admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"length", 65}}).status, 400);
    EXPECT_EQ(admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"uses_allowed", -1}}).status, 400);
    EXPECT_EQ(admin_->post("/_synapse/admin/v1/registration_tokens/new", {{"expiry_time", 1000}}).status, 400);

    // No uses left: not valid (an expiry in the past cannot be set at all).
    auto soon = admin_->put("/_synapse/admin/v1/registration_tokens/" + random.body["token"].get<std::string>(),
                            {{"expiry_time", nullptr}, {"uses_allowed", 0}});
    ASSERT_EQ(soon.status, 200) << soon.text;
    EXPECT_FALSE(valid(random.body["token"].get<std::string>()));

    const auto path = "/_synapse/admin/v1/registration_tokens/" + random.body["token"].get<std::string>();
    ASSERT_EQ(admin_->del(path).status, 200);
    EXPECT_EQ(admin_->get(path).status, 404);
    EXPECT_EQ(admin_->del(path).status, 404);
    EXPECT_EQ(admin_->put(path, {{"uses_allowed", 1}}).status, 404);
}

TEST_F(AdminTokens, ServerVersionAndStatistics) {
    auto version = MatrixClient(daemon_->port()).get("/_synapse/admin/v1/server_version");
    ASSERT_EQ(version.status, 200) << version.text;
    EXPECT_TRUE(version.body["server_version"].is_string());
    auto stats = admin_->get("/_chatd/admin/v1/statistics");
    ASSERT_EQ(stats.status, 200) << stats.text;
    EXPECT_EQ(stats.body["users"], 1);
    EXPECT_EQ(stats.body["rooms"], 0);
    admin_->create_room();
    stats = admin_->get("/_chatd/admin/v1/statistics");
    EXPECT_EQ(stats.body["rooms"], 1);
    EXPECT_GT(stats.body["events"].get<int>(), 3);
}

}  // namespace
}  // namespace chat::test

// Validity is refused where registration does not use tokens.
namespace chat::test {
namespace {
TEST(RegistrationTokenValidity, IsForbiddenWithoutTokenRegistration) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path(), kAdminYaml);
    auto answer = MatrixClient(daemon->port())
                      .get("/_matrix/client/v1/register/m.login.registration_token/validity?token=x");
    EXPECT_EQ(answer.status, 403) << answer.text;
    EXPECT_EQ(answer.errcode(), "M_FORBIDDEN");
    EXPECT_EQ(daemon->stop(), 0);
}
}  // namespace
}  // namespace chat::test
