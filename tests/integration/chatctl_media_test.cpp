// chatctl's media commands against a real chatd with the media admin API
// (POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId},
// DELETE /_synapse/admin/v1/media/{serverName}/{mediaId},
// GET /_synapse/admin/v1/users/{userId}/media). Listed in CMakeLists.txt
// once the media branch, which serves those routes, is merged.
#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/run_program.hpp"

namespace chat::test {
namespace {

class ChatctlMedia : public testing::Test {
protected:
    void SetUp() override {
        daemon_ = Daemon::start(dir_.path(), kAdminYaml);
        server_ = "http://127.0.0.1:" + std::to_string(daemon_->port());
        admin_token_ = registered_admin(daemon_->port(), "root").token();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        }
    }
    ProgramRun ctl(std::vector<std::string> args, const std::string& token) const {
        args.insert(args.begin(), {"--server", server_, "--token", token});
        return run_program(CHATCTL_BINARY, args, work_.path());
    }
    // Uploads `bytes` as `token`'s user; returns the mxc:// URI.
    std::string upload(const std::string& token, const std::string& bytes) const {
        httplib::Client client("127.0.0.1", daemon_->port());
        httplib::Headers headers{{"Authorization", "Bearer " + token}};
        auto answer = client.Post("/_matrix/media/v3/upload?filename=note.txt", headers, bytes,
                                  "text/plain");
        if (!answer || answer->status != 200) return {};
        return nlohmann::json::parse(answer->body).value("content_uri", "");
    }
    // Through the authenticated endpoint: the legacy one is off by default
    // and would answer 404 whatever the item's fate.
    int download_status(const std::string& mxc) const {
        httplib::Client client("127.0.0.1", daemon_->port());
        auto path =
            "/_matrix/client/v1/media/download/" + mxc.substr(std::string("mxc://").size());
        auto answer = client.Get(path, {{"Authorization", "Bearer " + admin_token_}});
        return answer ? answer->status : 0;
    }

    TempDir dir_;
    TempDir work_;
    std::unique_ptr<Daemon> daemon_;
    std::string server_;
    std::string admin_token_;
};

std::string show(const ProgramRun& run) {
    return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" + run.err;
}

TEST_F(ChatctlMedia, ListQuarantineAndDelete) {
    auto alice = MatrixClient::registered(daemon_->port(), "alice");
    auto first = upload(alice.token(), "first file");
    auto second = upload(alice.token(), "second file");
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());
    const auto first_id = first.substr(first.rfind('/') + 1);
    const auto second_id = second.substr(second.rfind('/') + 1);

    auto list = ctl({"media", "list", "@alice:localhost"}, admin_token_);
    ASSERT_EQ(list.exit_code, 0) << show(list);
    EXPECT_NE(list.out.find(first_id), std::string::npos) << show(list);
    EXPECT_NE(list.out.find("total: 2"), std::string::npos) << show(list);
    auto json = ctl({"--json", "media", "list", "@alice:localhost"}, admin_token_);
    ASSERT_EQ(json.exit_code, 0) << show(json);
    EXPECT_EQ(nlohmann::json::parse(json.out)["total"], 2);

    auto quarantined = ctl({"media", "quarantine", first}, admin_token_);
    ASSERT_EQ(quarantined.exit_code, 0) << show(quarantined);
    EXPECT_EQ(download_status(first), 404);
    EXPECT_EQ(download_status(second), 200);

    // SERVER and MEDIA_ID given apart.
    auto deleted = ctl({"media", "delete", "localhost", second_id}, admin_token_);
    ASSERT_EQ(deleted.exit_code, 0) << show(deleted);
    EXPECT_NE(deleted.out.find(second_id), std::string::npos) << show(deleted);
    EXPECT_EQ(download_status(second), 404);
    auto again = ctl({"media", "delete", second}, admin_token_);
    EXPECT_EQ(again.exit_code, 1) << show(again);
}

TEST_F(ChatctlMedia, NonAdminsAndBadArgumentsAreRefused) {
    auto alice = MatrixClient::registered(daemon_->port(), "alice");
    auto mxc = upload(alice.token(), "a file");
    ASSERT_FALSE(mxc.empty());
    for (std::vector<std::string> args : {std::vector<std::string>{"media", "list", "@alice:localhost"},
                                          {"media", "quarantine", mxc},
                                          {"media", "delete", mxc}}) {
        auto run = ctl(args, alice.token());
        EXPECT_EQ(run.exit_code, 1) << show(run);
        EXPECT_NE(run.err.find("403 M_FORBIDDEN"), std::string::npos) << show(run);
    }
    EXPECT_EQ(download_status(mxc), 200);
    EXPECT_EQ(ctl({"media", "delete", "mxc://onlyserver"}, admin_token_).exit_code, 2);
    EXPECT_EQ(ctl({"media", "list"}, admin_token_).exit_code, 2);
}

}  // namespace
}  // namespace chat::test
