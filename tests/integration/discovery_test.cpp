#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"

namespace chat::test {
namespace {

class Discovery : public testing::Test {
protected:
    void SetUp() override { daemon_ = Daemon::start(dir_.path()); }
    // A clean exit also shows that no sanitizer fired inside chatd.
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }

    httplib::Client client() const {
        httplib::Client c("127.0.0.1", daemon_->port());
        c.set_read_timeout(5, 0);
        return c;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(Discovery, VersionsAnswersJsonWithAVersionsArray) {
    auto res = client().Get("/_matrix/client/versions");
    ASSERT_TRUE(res) << httplib::to_string(res.error()) << daemon_->log_tail();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    auto body = nlohmann::json::parse(res->body);
    EXPECT_TRUE(body["versions"].is_array()) << res->body;
    EXPECT_TRUE(body["unstable_features"].is_object()) << res->body;
}

TEST_F(Discovery, WellKnownGivesTheBaseUrlOfTheBoundPort) {
    auto res = client().Get("/.well-known/matrix/client");
    ASSERT_TRUE(res) << httplib::to_string(res.error()) << daemon_->log_tail();
    EXPECT_EQ(res->status, 200);
    auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["m.homeserver"]["base_url"],
              "http://127.0.0.1:" + std::to_string(daemon_->port()) + "/");
}

TEST(DiscoveryConfigured, WellKnownGivesTheConfiguredPublicBaseurl) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path(), "public_baseurl: https://matrix.example.org/");
    httplib::Client c("127.0.0.1", daemon->port());
    auto res = c.Get("/.well-known/matrix/client");
    ASSERT_TRUE(res) << daemon->log_tail();
    EXPECT_EQ(nlohmann::json::parse(res->body)["m.homeserver"]["base_url"],
              "https://matrix.example.org/");
}

}  // namespace
}  // namespace chat::test
