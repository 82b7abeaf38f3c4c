// Issue 11 point 4: end-to-end encryption keys and to-device messages across
// two real chatd processes. The federation endpoints are also called
// directly, signed by a stand-in server the test runs, for the bad inputs a
// chatd client would never send.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/signing_key.hpp>
#include <chat/federation/client/x_matrix.hpp>
#include <chat/federation/keys/server_keys.hpp>

#include "support/daemon.hpp"
#include "support/device_keys.hpp"
#include "support/matrix_client.hpp"
#include "support/two_servers.hpp"

namespace chat::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Publishes a signing key so that chatd accepts the requests this test signs.
class SigningServer {
public:
    SigningServer() : key_(crypto::SigningKey::generate("s1")) {
        port_ = static_cast<std::uint16_t>(server_.bind_to_any_port("127.0.0.1"));
        name_ = "127.0.0.1:" + std::to_string(port_);
        server_.Get("/_matrix/key/v2/server", [this](const httplib::Request&, httplib::Response& res) {
            const auto in_an_hour = std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count() +
                                    3600 * 1000;
            auto keys = federation::make_server_keys(*ServerName::parse(name_), key_, {}, in_an_hour);
            res.set_content(keys->dump(), "application/json");
        });
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~SigningServer() {
        server_.stop();
        thread_.join();
    }
    SigningServer(const SigningServer&) = delete;  // owns a listening thread
    SigningServer& operator=(const SigningServer&) = delete;

    const std::string& name() const { return name_; }

    // A request to the chatd named `destination` on `port`, signed by us.
    Answer request(std::uint16_t port, const std::string& destination, const std::string& method,
                   const std::string& path, const std::optional<std::string>& body = {}) const {
        std::optional<json> parsed;
        if (body) parsed = json::parse(*body, nullptr, false);
        const bool signable = parsed && !parsed->is_discarded();
        auto header = federation::x_matrix_authorization(
            *ServerName::parse(name_), *ServerName::parse(destination), key_, method, path,
            signable ? &*parsed : nullptr);
        httplib::Client client("127.0.0.1", port);
        client.set_url_encode(false);
        client.set_read_timeout(20, 0);
        httplib::Headers headers{{"Authorization", header.value()}};
        httplib::Result result =
            method == "GET"  ? client.Get(path, headers)
            : method == "PUT" ? client.Put(path, headers, body.value_or("{}"), "application/json")
                              : client.Post(path, headers, body.value_or("{}"), "application/json");
        Answer answer;
        if (!result) return answer;
        answer.status = result->status;
        answer.text = result->body;
        answer.body = json::parse(result->body, nullptr, false);
        return answer;
    }

private:
    crypto::SigningKey key_;
    httplib::Server server_;
    std::uint16_t port_ = 0;
    std::string name_;
    std::thread thread_;
};

// Both servers by IP literal.
class E2eeFederation : public TwoServers {
protected:
    E2eeFederation() { b_host_ = "127.0.0.1"; }

    // Uploads signed device keys and one one-time key for the client's device.
    void upload_keys(const MatrixClient& client, const std::string& otk) {
        auto key = device_signing_key(client.device_id());
        json body = {{"device_keys", signed_device_keys(client.user_id(), client.device_id(), key)},
                     {"one_time_keys",
                      {{"signed_curve25519:" + otk,
                        signed_one_time_key(client.user_id(), client.device_id(), key, otk)}}}};
        auto answer = client.post("/_matrix/client/v3/keys/upload", body);
        ASSERT_EQ(answer.status, 200) << answer.text;
    }
};

TEST_F(E2eeFederation, FederationEndpointsAnswerForLocalUsersOnly) {
    upload_keys(*bob_, "AAAAAQ");
    SigningServer other;
    const auto& bob = bob_->user_id();

    const auto devices_path = "/_matrix/federation/v1/user/devices/" + escape(bob);
    auto devices = other.request(b_->port(), b_name_, "GET", devices_path);
    ASSERT_EQ(devices.status, 200) << devices.text;
    EXPECT_EQ(devices.body["user_id"], bob);
    EXPECT_TRUE(devices.body["stream_id"].is_number_integer());
    ASSERT_EQ(devices.body["devices"].size(), 1u) << devices.text;
    EXPECT_EQ(devices.body["devices"][0]["device_id"], bob_->device_id());
    EXPECT_EQ(devices.body["devices"][0]["keys"]["device_id"], bob_->device_id());

    auto unknown = other.request(b_->port(), b_name_, "GET",
                                 "/_matrix/federation/v1/user/devices/" +
                                     escape("@nobody:" + b_name_));
    EXPECT_EQ(unknown.status, 404) << unknown.text;
    auto foreign = other.request(b_->port(), b_name_, "GET",
                                 "/_matrix/federation/v1/user/devices/" +
                                     escape("@alice:" + a_name_));
    EXPECT_EQ(foreign.status, 400) << foreign.text;

    const std::string query = "/_matrix/federation/v1/user/keys/query";
    json wanted = {{"device_keys", {{bob, json::array()}, {alice_->user_id(), json::array()}}}};
    auto answer = other.request(b_->port(), b_name_, "POST", query, wanted.dump());
    ASSERT_EQ(answer.status, 200) << answer.text;
    EXPECT_TRUE(answer.body["device_keys"][bob].contains(bob_->device_id())) << answer.text;
    EXPECT_FALSE(answer.body["device_keys"].contains(alice_->user_id())) << answer.text;
    EXPECT_FALSE(answer.body.contains("failures"));

    auto not_object = other.request(b_->port(), b_name_, "POST", query, R"({"device_keys":5})");
    EXPECT_EQ(not_object.status, 400);
    EXPECT_EQ(not_object.errcode(), "M_BAD_JSON") << not_object.text;
    auto missing = other.request(b_->port(), b_name_, "POST", query, "{}");
    EXPECT_EQ(missing.errcode(), "M_MISSING_PARAM") << missing.text;
    auto not_json = other.request(b_->port(), b_name_, "POST", query, "{not json");
    EXPECT_EQ(not_json.status / 100, 4) << not_json.text;

    const std::string claim = "/_matrix/federation/v1/user/keys/claim";
    json claim_body = {{"one_time_keys", {{bob, {{bob_->device_id(), "signed_curve25519"}}}}}};
    auto first = other.request(b_->port(), b_name_, "POST", claim, claim_body.dump());
    ASSERT_EQ(first.status, 200) << first.text;
    EXPECT_TRUE(first.body["one_time_keys"][bob][bob_->device_id()].contains(
        "signed_curve25519:AAAAAQ"))
        << first.text;
    // A one-time key goes out once.
    auto second = other.request(b_->port(), b_name_, "POST", claim, claim_body.dump());
    ASSERT_EQ(second.status, 200) << second.text;
    EXPECT_FALSE(second.body["one_time_keys"].contains(bob)) << second.text;
    auto bad_claim = other.request(b_->port(), b_name_, "POST", claim, R"({"one_time_keys":[]})");
    EXPECT_EQ(bad_claim.errcode(), "M_BAD_JSON") << bad_claim.text;
}

TEST_F(E2eeFederation, ClientKeyQueriesAndClaimsReachTheOtherServer) {
    upload_keys(*bob_, "AAAAAg");
    const auto& bob = bob_->user_id();
    const auto nowhere = "@ghost:127.0.0.1:" + std::to_string(free_port());
    json wanted = {{"device_keys", {{bob, json::array()}, {nowhere, json::array()}}}};
    auto answer = alice_->post("/_matrix/client/v3/keys/query", wanted);
    ASSERT_EQ(answer.status, 200) << answer.text;
    EXPECT_EQ(answer.body["device_keys"][bob][bob_->device_id()]["user_id"], bob) << answer.text;
    EXPECT_TRUE(answer.body["failures"].contains(nowhere.substr(nowhere.find(':') + 1)))
        << answer.text;

    json claim = {{"one_time_keys", {{bob, {{bob_->device_id(), "signed_curve25519"}}}}}};
    auto claimed = alice_->post("/_matrix/client/v3/keys/claim", claim);
    ASSERT_EQ(claimed.status, 200) << claimed.text;
    EXPECT_TRUE(claimed.body["one_time_keys"][bob][bob_->device_id()].contains(
        "signed_curve25519:AAAAAg"))
        << claimed.text;
}

TEST_F(E2eeFederation, ToDeviceMessagesAndDeviceListChangesCrossServers) {
    const auto room = shared_room();
    auto first = bob_->sync();
    ASSERT_EQ(first.status, 200);

    json messages;
    messages["messages"][bob_->user_id()]["*"] = json{{"secret", "for bob"}};
    auto sent = alice_->put("/_matrix/client/v3/sendToDevice/m.test/txn1", messages);
    ASSERT_EQ(sent.status, 200) << sent.text;
    auto seen = sync_until(*bob_, [&](const json& s) {
        return s.contains("to_device") && !s["to_device"]["events"].empty();
    }, first.body["next_batch"].get<std::string>());
    ASSERT_EQ(seen.body["to_device"]["events"].size(), 1u) << seen.text;
    EXPECT_EQ(seen.body["to_device"]["events"][0]["sender"], alice_->user_id());
    EXPECT_EQ(seen.body["to_device"]["events"][0]["content"]["secret"], "for bob");

    // Bob's new keys reach alice's sync as a device list change.
    auto before = alice_->sync();
    ASSERT_EQ(before.status, 200);
    upload_keys(*bob_, "AAAAAw");
    sync_until(*alice_, [&](const json& s) {
        if (!s.contains("device_lists")) return false;
        for (const auto& u : s["device_lists"].value("changed", json::array()))
            if (u == bob_->user_id()) return true;
        return false;
    }, before.body["next_batch"].get<std::string>());
}

TEST_F(E2eeFederation, DirectToDeviceEdusAreDeliveredOnceAndOnlyFromTheirOrigin) {
    SigningServer other;
    const auto sender = "@carol:" + other.name();
    auto first = bob_->sync();
    ASSERT_EQ(first.status, 200);
    auto edu = [&](const std::string& from, const std::string& id, const std::string& text) {
        json messages;
        messages[bob_->user_id()]["*"] = json{{"text", text}};
        json content = {{"sender", from}, {"type", "m.test"}, {"message_id", id}};
        content["messages"] = std::move(messages);
        return json{{"edu_type", "m.direct_to_device"}, {"content", std::move(content)}};
    };
    auto send = [&](const std::string& txn, const json& e) {
        json body = {{"origin", other.name()},
                     {"origin_server_ts", 1},
                     {"pdus", json::array()},
                     {"edus", json::array({e})}};
        auto answer = other.request(b_->port(), b_name_, "PUT", "/_matrix/federation/v1/send/" + txn,
                                    body.dump());
        ASSERT_EQ(answer.status, 200) << answer.text;
    };
    send("t1", edu(sender, "m1", "once"));
    send("t2", edu(sender, "m1", "once"));                     // a repeat
    send("t3", edu("@mallory:" + a_name_, "m2", "forged"));    // not the origin's user
    send("t4", edu(sender, "m3", "last"));
    auto seen = sync_until(*bob_, [&](const json& s) {
        for (const auto& e : s.value("to_device", json::object()).value("events", json::array()))
            if (e["content"]["text"] == "last") return true;
        return false;
    }, first.body["next_batch"].get<std::string>());
    std::vector<std::string> texts;
    for (const auto& e : seen.body["to_device"]["events"]) texts.push_back(e["content"]["text"]);
    EXPECT_EQ(texts, (std::vector<std::string>{"once", "last"})) << seen.text;
}

}  // namespace
}  // namespace chat::test
