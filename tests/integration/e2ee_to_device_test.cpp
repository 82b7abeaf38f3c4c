// Send-to-device messaging against a real chatd: delivery in /sync to the
// right device, deletion once acknowledged, txnId idempotency, '*', and
// the long-poll wake-up.
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class E2eeToDevice : public testing::Test {
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

    // A second device of bob's, by logging in again.
    MatrixClient login_again(const MatrixClient& who) {
        MatrixClient anonymous(daemon_->port());
        auto login = anonymous.post("/_matrix/client/v3/login",
                                    json{{"type", "m.login.password"},
                                         {"identifier", {{"type", "m.id.user"}, {"user", who.user_id()}}},
                                         {"password", "correct horse battery"}});
        if (login.status != 200) throw std::runtime_error(login.body.dump());
        return MatrixClient(daemon_->port(), login.body["access_token"].get<std::string>());
    }
    static json events(const Answer& sync) { return sync.body["to_device"]["events"]; }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
    std::optional<MatrixClient> alice_;
    std::optional<MatrixClient> bob_;
};

TEST_F(E2eeToDevice, DeliveredOnceToTheDeviceAndDroppedWhenAcknowledged) {
    auto bob_phone = login_again(*bob_);
    auto since = bob_->sync().body["next_batch"].get<std::string>();
    json body = {{"messages", {{bob_->user_id(), {{bob_->device_id(), {{"hello", "bob"}}}}}}}};
    auto sent = alice_->put("/_matrix/client/v3/sendToDevice/m.test/txn1", body);
    ASSERT_EQ(sent.status, 200) << sent.body.dump();
    // A retry with the same txnId sends nothing more.
    ASSERT_EQ(alice_->put("/_matrix/client/v3/sendToDevice/m.test/txn1", body).status, 200);

    auto got = bob_->sync(since);
    ASSERT_EQ(events(got).size(), 1u) << got.body.dump();
    EXPECT_EQ(events(got)[0]["type"], "m.test");
    EXPECT_EQ(events(got)[0]["sender"], alice_->user_id());
    EXPECT_EQ(events(got)[0]["content"]["hello"], "bob");
    // Not for the other device.
    EXPECT_TRUE(events(bob_phone.sync()).empty());
    // Syncing again from the old token resends it (not acknowledged yet) ...
    EXPECT_EQ(events(bob_->sync(since)).size(), 1u);
    // ... and from the new one it is gone, also for an initial sync.
    const std::string next = got.body["next_batch"];
    EXPECT_TRUE(events(bob_->sync(next)).empty());
    EXPECT_TRUE(events(bob_->sync()).empty());
}

TEST_F(E2eeToDevice, StarReachesEveryDeviceAndUnknownTargetsAreDropped) {
    auto bob_phone = login_again(*bob_);
    json body = {{"messages",
                  {{bob_->user_id(), {{"*", {{"n", 1}}}}},
                   {"@nobody:" + bob_->user_id().substr(bob_->user_id().find(':') + 1), {{"X", {{"n", 2}}}}},
                   {alice_->user_id(), {{"NOSUCHDEVICE", {{"n", 3}}}}}}}};
    ASSERT_EQ(alice_->put("/_matrix/client/v3/sendToDevice/m.test/all", body).status, 200);
    EXPECT_EQ(events(bob_->sync()).size(), 1u);
    EXPECT_EQ(events(bob_phone.sync()).size(), 1u);
    EXPECT_TRUE(events(alice_->sync()).empty());
}

TEST_F(E2eeToDevice, MalformedMessagesAreRefused) {
    EXPECT_EQ(alice_->put("/_matrix/client/v3/sendToDevice/m.test/a", json::object()).status, 400);
    EXPECT_EQ(alice_->put("/_matrix/client/v3/sendToDevice/m.test/b",
                          json{{"messages", {{bob_->user_id(), {{"X", "not an object"}}}}}})
                  .status,
              400);
}

TEST_F(E2eeToDevice, SendingWakesTheRecipientsLongPoll) {
    auto since = bob_->sync().body["next_batch"].get<std::string>();
    const auto started = std::chrono::steady_clock::now();
    auto waiting = std::async(std::launch::async, [&] { return bob_->sync(since, 20000); });
    // Let the long-poll start waiting; the message wakes it either way.
    std::this_thread::sleep_for(200ms);
    json body = {{"messages", {{bob_->user_id(), {{bob_->device_id(), {{"wake", true}}}}}}}};
    ASSERT_EQ(alice_->put("/_matrix/client/v3/sendToDevice/m.test/w", body).status, 200);
    auto got = waiting.get();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
    EXPECT_EQ(events(got).size(), 1u) << got.body.dump();
}

}  // namespace
}  // namespace chat::test
