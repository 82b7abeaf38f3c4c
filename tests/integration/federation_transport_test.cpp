// Federation transport (issue 9) between real chatd processes on loopback:
// keys and notary queries, X-Matrix authentication (accepted and forged),
// remote profile and alias lookups through the client API, and discovery
// through /.well-known/matrix/server.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/federation/client/x_matrix.hpp>
#include <chat/federation/keys/server_keys.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

ServerName name(std::string_view text) { return *ServerName::parse(text); }

// A stand-in homeserver run by the test itself: it publishes a signing key
// (so chatd can check the requests the test signs) and a .well-known.
class TestServer {
public:
    TestServer() : key_(crypto::SigningKey::generate("t1")) {
        port_ = static_cast<std::uint16_t>(server_.bind_to_any_port("127.0.0.1"));
        name_ = "127.0.0.1:" + std::to_string(port_);
        server_.Get("/_matrix/key/v2/server", [this](const httplib::Request&, httplib::Response& res) {
            auto keys = federation::make_server_keys(
                *ServerName::parse(name_), key_, {},
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count() + 3600 * 1000);
            res.set_content(keys->dump(), "application/json");
        });
        server_.Get("/.well-known/matrix/server",
                    [this](const httplib::Request&, httplib::Response& res) {
                        res.set_content(well_known_.dump(), "application/json");
                    });
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~TestServer() {
        server_.stop();
        thread_.join();
    }
    TestServer(const TestServer&) = delete;  // owns a listening thread
    TestServer& operator=(const TestServer&) = delete;

    const std::string& server_name() const { return name_; }
    std::uint16_t port() const { return port_; }
    const crypto::SigningKey& key() const { return key_; }
    void set_well_known(nlohmann::json body) { well_known_ = std::move(body); }

private:
    crypto::SigningKey key_;
    httplib::Server server_;
    std::uint16_t port_ = 0;
    std::string name_;
    nlohmann::json well_known_ = nlohmann::json::object();
    std::thread thread_;
};

// A request to chatd on `port` with the given Authorization headers.
Answer federation_request(std::uint16_t port, const std::string& method, const std::string& path,
                          const std::vector<std::string>& authorizations,
                          const std::optional<std::string>& body = std::nullopt) {
    httplib::Client client("127.0.0.1", port);
    client.set_url_encode(false);
    client.set_read_timeout(20, 0);
    httplib::Headers headers;
    for (const auto& value : authorizations) headers.emplace("Authorization", value);
    auto result = method == "GET" ? client.Get(path, headers)
                                  : client.Post(path, headers, body.value_or("{}"),
                                                "application/json");
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.text = result->body;
    answer.body = nlohmann::json::parse(result->body, nullptr, false);
    return answer;
}

std::string sign_header(const std::string& origin, const std::string& destination,
                        const crypto::SigningKey& key, const std::string& method,
                        const std::string& uri, const nlohmann::json* content) {
    auto header = federation::x_matrix_authorization(name(origin), name(destination), key, method,
                                                     uri, content);
    if (!header) throw std::runtime_error("cannot sign");
    return *header;
}

class FederationTransport : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        test_server_ = new TestServer();
        dirs_ = new TempDir[3];
        const auto a_port = free_port(), b_port = free_port(), c_port = free_port();
        // A: an IP literal with a port; B: a hostname with a port; C: a bare
        // hostname, reached through the test server's .well-known.
        a_name_ = new std::string("127.0.0.1:" + std::to_string(a_port));
        b_name_ = new std::string("localhost:" + std::to_string(b_port));
        test_server_->set_well_known({{"m.server", "127.0.0.1:" + std::to_string(c_port)}});
        old_key_ = new crypto::SigningKey(crypto::SigningKey::generate("old"));
        // A asks B for keys of servers that do not answer themselves.
        a_ = Daemon::start_federating(dirs_[0].path(), *a_name_, a_port, {},
                                      "well_known_port: " + std::to_string(test_server_->port()) +
                                          "\ntrusted_key_servers: [{server_name: \"" + *b_name_ +
                                          "\"}]")
                 .release();
        b_ = Daemon::start_federating(
                 dirs_[1].path(), *b_name_, b_port, {},
                 "key_validity_hours: 48\nold_signing_keys: {\"ed25519:old\": {key: \"" +
                     old_key_->verify_key().public_key_base64() + "\", expired_ts: 1234}}")
                 .release();
        c_ = Daemon::start_federating(dirs_[2].path(), "localhost", c_port, {},
                                      "well_known_server: \"127.0.0.1:" +
                                          std::to_string(c_port) + "\"")
                 .release();
    }
    static void TearDownTestSuite() {
        delete a_;
        delete b_;
        delete c_;
        delete[] dirs_;
        delete test_server_;
        delete a_name_;
        delete b_name_;
        delete old_key_;
    }

    static inline TestServer* test_server_ = nullptr;
    static inline TempDir* dirs_ = nullptr;
    static inline std::string* a_name_ = nullptr;
    static inline std::string* b_name_ = nullptr;
    static inline crypto::SigningKey* old_key_ = nullptr;
    static inline Daemon* a_ = nullptr;
    static inline Daemon* b_ = nullptr;
    static inline Daemon* c_ = nullptr;
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The verify key `key_id` published in a key response.
crypto::VerifyKey published_key(const nlohmann::json& response, const std::string& key_id) {
    auto key = crypto::VerifyKey::from_base64(
        key_id, response["verify_keys"][key_id]["key"].get<std::string>());
    if (!key) throw std::runtime_error("bad key in " + response.dump());
    return *key;
}

TEST_F(FederationTransport, ServesSignedKeysWithValidityAndOldKeys) {
    auto keys = MatrixClient(b_->port()).get("/_matrix/key/v2/server");
    ASSERT_EQ(keys.status, 200) << keys.text;
    EXPECT_EQ(keys.body["server_name"], *b_name_);
    ASSERT_EQ(keys.body["verify_keys"].size(), 1u);
    const auto key_id = keys.body["verify_keys"].begin().key();
    EXPECT_TRUE(crypto::verify_json(keys.body, *b_name_, published_key(keys.body, key_id)));
    const auto until = keys.body["valid_until_ts"].get<std::int64_t>();
    EXPECT_GT(until, now_ms() + 47 * 3600 * 1000LL);
    EXPECT_LT(until, now_ms() + 49 * 3600 * 1000LL);
    EXPECT_EQ(keys.body["old_verify_keys"]["ed25519:old"]["expired_ts"], 1234);
    EXPECT_EQ(keys.body["old_verify_keys"]["ed25519:old"]["key"],
              old_key_->verify_key().public_key_base64());
    EXPECT_TRUE(federation::parse_server_keys(keys.body, name(*b_name_)));

    auto version = MatrixClient(b_->port()).get("/_matrix/federation/v1/version");
    ASSERT_EQ(version.status, 200);
    EXPECT_EQ(version.body["server"]["name"], "chatd");
}

TEST_F(FederationTransport, NotaryQueriesReturnKeysSignedByBothServers) {
    auto a_keys = MatrixClient(a_->port()).get("/_matrix/key/v2/server");
    ASSERT_EQ(a_keys.status, 200);
    const auto a_key_id = a_keys.body["verify_keys"].begin().key();
    const auto a_key = published_key(a_keys.body, a_key_id);

    auto check = [&](const Answer& answer) {
        ASSERT_EQ(answer.status, 200) << answer.text;
        ASSERT_EQ(answer.body["server_keys"].size(), 1u) << answer.text;
        const auto& response = answer.body["server_keys"][0];
        EXPECT_EQ(response["server_name"], *b_name_);
        const auto b_key_id = response["verify_keys"].begin().key();
        EXPECT_TRUE(crypto::verify_json(response, *b_name_, published_key(response, b_key_id)));
        EXPECT_TRUE(crypto::verify_json(response, *a_name_, a_key));
    };
    check(MatrixClient(a_->port()).get("/_matrix/key/v2/query/" + escape(*b_name_)));
    check(MatrixClient(a_->port())
              .post("/_matrix/key/v2/query",
                    {{"server_keys", {{*b_name_, nlohmann::json::object()}}}}));
    // A server nobody can reach: no keys, not an error.
    auto none = MatrixClient(a_->port()).get("/_matrix/key/v2/query/127.0.0.1:1");
    ASSERT_EQ(none.status, 200);
    EXPECT_TRUE(none.body["server_keys"].empty());
}

TEST_F(FederationTransport, SignedRequestsAreAcceptedAndForgeriesRefused) {
    auto bob = MatrixClient::registered(b_->port(), "signed_bob");
    ASSERT_EQ(bob.put("/_matrix/client/v3/profile/" + escape(bob.user_id()) + "/displayname",
                      {{"displayname", "Bob"}})
                  .status,
              200);
    const auto& origin = test_server_->server_name();
    const auto path = "/_matrix/federation/v1/query/profile?user_id=" + escape(bob.user_id());
    const auto& key = test_server_->key();

    auto good = federation_request(b_->port(), "GET", path,
                                   {sign_header(origin, *b_name_, key, "GET", path, nullptr)});
    ASSERT_EQ(good.status, 200) << good.text;
    EXPECT_EQ(good.body["displayname"], "Bob");

    auto expect_refused = [&](const Answer& answer, const char* what) {
        EXPECT_EQ(answer.status, 401) << what << ": " << answer.text;
        EXPECT_EQ(answer.errcode(), "M_UNAUTHORIZED") << what;
    };
    expect_refused(federation_request(b_->port(), "GET", path, {}), "no header");
    auto impostor = crypto::SigningKey::generate("t1");  // same key id, other key
    expect_refused(federation_request(b_->port(), "GET", path,
                                      {sign_header(origin, *b_name_, impostor, "GET", path, nullptr)}),
                   "wrong signature");
    auto unknown = crypto::SigningKey::generate("nope");
    expect_refused(federation_request(b_->port(), "GET", path,
                                      {sign_header(origin, *b_name_, unknown, "GET", path, nullptr)}),
                   "unknown key id");
    expect_refused(federation_request(b_->port(), "GET", path,
                                      {sign_header(*a_name_, *b_name_, key, "GET", path, nullptr)}),
                   "someone else's origin");
    expect_refused(federation_request(b_->port(), "GET", path,
                                      {sign_header(origin, "other.example", key, "GET", path, nullptr)}),
                   "wrong destination");
    expect_refused(federation_request(b_->port(), "GET", path + "&field=displayname",
                                      {sign_header(origin, *b_name_, key, "GET", path, nullptr)}),
                   "changed uri");
    expect_refused(federation_request(b_->port(), "GET", path, {"X-Matrix origin=broken"}),
                   "malformed header");
    // One good header among bad ones is enough.
    auto mixed = federation_request(
        b_->port(), "GET", path,
        {sign_header(origin, *b_name_, impostor, "GET", path, nullptr),
         sign_header(origin, *b_name_, key, "GET", path, nullptr)});
    EXPECT_EQ(mixed.status, 200) << mixed.text;

    // Bodies are signed too.
    const std::string rooms = "/_matrix/federation/v1/publicRooms";
    nlohmann::json body = {{"limit", 1}};
    auto header = sign_header(origin, *b_name_, key, "POST", rooms, &body);
    auto listed = federation_request(b_->port(), "POST", rooms, {header}, body.dump());
    ASSERT_EQ(listed.status, 200) << listed.text;
    EXPECT_TRUE(listed.body["chunk"].is_array());
    expect_refused(federation_request(b_->port(), "POST", rooms, {header}, R"({"limit":2})"),
                   "tampered body");
}

TEST_F(FederationTransport, KeysOfAServerThatIsDownComeFromTheNotary) {
    auto gone = std::make_unique<TestServer>();
    const auto origin = gone->server_name();
    const auto key = gone->key();
    // B, A's notary, learns the server's keys while it is up...
    auto cached = MatrixClient(b_->port()).get("/_matrix/key/v2/query/" + escape(origin));
    ASSERT_EQ(cached.status, 200);
    ASSERT_EQ(cached.body["server_keys"].size(), 1u) << cached.text;
    gone.reset();
    // ...so A accepts its signed request although it cannot reach it.
    const std::string path = "/_matrix/federation/v1/publicRooms";
    auto answer = federation_request(a_->port(), "GET", path,
                                     {sign_header(origin, *a_name_, key, "GET", path, nullptr)});
    EXPECT_EQ(answer.status, 200) << answer.text << a_->log_tail();
    // A server unknown to everyone stays refused.
    auto stranger = crypto::SigningKey::generate("t1");
    auto refused = federation_request(
        a_->port(), "GET", path,
        {sign_header("127.0.0.1:1", *a_name_, stranger, "GET", path, nullptr)});
    EXPECT_EQ(refused.status, 401) << refused.text;
}

TEST_F(FederationTransport, RemoteProfilesAndAliasesThroughTheClientApi) {
    auto bob = MatrixClient::registered(b_->port(), "remote_bob");
    ASSERT_EQ(bob.put("/_matrix/client/v3/profile/" + escape(bob.user_id()) + "/displayname",
                      {{"displayname", "Bob of B"}})
                  .status,
              200);
    auto room_id = bob.create_room({{"room_alias_name", "fedroom"}, {"visibility", "public"}});
    auto alice = MatrixClient::registered(a_->port(), "remote_alice");

    auto profile = alice.get("/_matrix/client/v3/profile/" + escape(bob.user_id()));
    ASSERT_EQ(profile.status, 200) << profile.text << a_->log_tail();
    EXPECT_EQ(profile.body["displayname"], "Bob of B");
    auto displayname =
        alice.get("/_matrix/client/v3/profile/" + escape(bob.user_id()) + "/displayname");
    ASSERT_EQ(displayname.status, 200);
    EXPECT_EQ(displayname.body["displayname"], "Bob of B");
    auto nobody = alice.get("/_matrix/client/v3/profile/" + escape("@nobody:" + *b_name_));
    EXPECT_EQ(nobody.status, 404) << nobody.text;
    EXPECT_EQ(nobody.errcode(), "M_NOT_FOUND");

    auto alias = alice.get("/_matrix/client/v3/directory/room/" + escape("#fedroom:" + *b_name_));
    ASSERT_EQ(alias.status, 200) << alias.text << a_->log_tail();
    EXPECT_EQ(alias.body["room_id"], room_id);
    EXPECT_EQ(alias.body["servers"][0], *b_name_);
    auto missing =
        alice.get("/_matrix/client/v3/directory/room/" + escape("#nothere:" + *b_name_));
    EXPECT_EQ(missing.status, 404) << missing.text;
    EXPECT_EQ(missing.errcode(), "M_NOT_FOUND");

    // B's published directory, read by a user of A (GET and POST).
    auto listed = alice.get("/_matrix/client/v3/publicRooms?limit=50&server=" + escape(*b_name_));
    ASSERT_EQ(listed.status, 200) << listed.text << a_->log_tail();
    bool found = false;
    for (const auto& entry : listed.body["chunk"]) found = found || entry["room_id"] == room_id;
    EXPECT_TRUE(found) << listed.text;
    auto searched = alice.post("/_matrix/client/v3/publicRooms?server=" + escape(*b_name_),
                               {{"filter", {{"generic_search_term", "no such room anywhere"}}}});
    ASSERT_EQ(searched.status, 200) << searched.text;
    EXPECT_TRUE(searched.body["chunk"].empty()) << searched.text;

    // An unreachable server: 502, not a hang or a crash.
    auto down = alice.get("/_matrix/client/v3/profile/" + escape("@x:127.0.0.1:1"));
    EXPECT_EQ(down.status, 502) << down.text;
}

TEST_F(FederationTransport, WellKnownDelegationIsFollowed) {
    auto carol = MatrixClient::registered(c_->port(), "carol");
    EXPECT_EQ(carol.user_id(), "@carol:localhost");
    ASSERT_EQ(carol.put("/_matrix/client/v3/profile/" + escape(carol.user_id()) + "/displayname",
                        {{"displayname", "Carol"}})
                  .status,
              200);
    auto alice = MatrixClient::registered(a_->port(), "wk_alice");
    // A knows "localhost" only by name: the test server's .well-known sends
    // it to C's port.
    auto profile = alice.get("/_matrix/client/v3/profile/" + escape(carol.user_id()));
    ASSERT_EQ(profile.status, 200) << profile.text << a_->log_tail();
    EXPECT_EQ(profile.body["displayname"], "Carol");

    // chatd serves its own delegation when configured, and 404 otherwise.
    auto own = MatrixClient(c_->port()).get("/.well-known/matrix/server");
    ASSERT_EQ(own.status, 200);
    EXPECT_EQ(own.body["m.server"], "127.0.0.1:" + std::to_string(c_->port()));
    EXPECT_EQ(MatrixClient(b_->port()).get("/.well-known/matrix/server").status, 404);
}

}  // namespace
}  // namespace chat::test
