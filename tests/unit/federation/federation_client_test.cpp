#include <chat/federation/client/federation_client.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chat/crypto/json_signing.hpp>
#include <chat/federation/client/x_matrix.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>

namespace chat::federation {
namespace {

template <typename T>
Task<std::optional<T>> optional_of(Task<T> task) {
    co_return co_await std::move(task);
}

template <typename T>
T run(Task<T> task) {
    boost::asio::io_context io;
    auto result = boost::asio::co_spawn(io, optional_of(std::move(task)), boost::asio::use_future);
    io.run();
    return std::move(*result.get());
}

ServerName name(std::string_view text) { return *ServerName::parse(text); }

// A homeserver stand-in on loopback that records what it was sent.
class RecordingServer {
public:
    RecordingServer() {
        port_ = static_cast<std::uint16_t>(server_.bind_to_any_port("127.0.0.1"));
        auto record = [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            authorization = req.get_header_value("Authorization");
            host = req.get_header_value("Host");
            target = req.target;
            body = req.body;
            res.set_content(R"({"ok": true})", "application/json");
        };
        server_.Get("/_matrix/test", record);
        server_.Post("/_matrix/test", record);
        server_.Get("/_matrix/missing", [](const httplib::Request&, httplib::Response& res) {
            res.status = 404;
            res.set_content(R"({"errcode": "M_NOT_FOUND", "error": "no"})", "application/json");
        });
        server_.Get("/_matrix/broken", [](const httplib::Request&, httplib::Response& res) {
            res.status = 500;
            res.set_content("oops", "text/plain");
        });
        server_.Get("/.well-known/matrix/server",
                    [this](const httplib::Request&, httplib::Response& res) {
                        ++well_known_hits;
                        res.set_content(
                            R"({"m.server": "127.0.0.1:)" + std::to_string(port_) + R"("})",
                            "text/plain");  // parsed as JSON whatever its type
                    });
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~RecordingServer() {
        server_.stop();
        thread_.join();
    }
    RecordingServer(const RecordingServer&) = delete;  // owns a thread
    RecordingServer& operator=(const RecordingServer&) = delete;

    std::uint16_t port() const { return port_; }

    std::mutex mutex_;
    std::string authorization, host, target, body;
    std::atomic<int> well_known_hits{0};

private:
    httplib::Server server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

class FederationClientTest : public ::testing::Test {
protected:
    FederationClientTest()
        : client_(name("us.example"), key_, pool_, clock_,
                  FederationClientOptions{.allow_insecure_http = true,
                                          .verify_tls = true,
                                          .well_known_port = server_.port(),
                                          .connect_timeout = std::chrono::seconds(5),
                                          .request_timeout = std::chrono::seconds(5)}) {}

    // The recorded request's signature, checked as a receiver would.
    bool signature_verifies(std::string_view method, std::string_view destination,
                            const nlohmann::json* content) {
        std::lock_guard lock(server_.mutex_);
        auto auth = parse_x_matrix(server_.authorization);
        if (!auth || auth->origin != "us.example" || auth->destination != destination) return false;
        auto object = x_matrix_signed_object(method, server_.target, auth->origin,
                                             destination, content);
        object["signatures"]["us.example"][auth->key] = auth->sig;
        return static_cast<bool>(crypto::verify_json(object, "us.example", key_.verify_key()));
    }

    RecordingServer server_;
    crypto::SigningKey key_ = crypto::SigningKey::generate("k1");
    BlockingPool pool_{2};
    SystemClock clock_;
    FederationClient client_;
};

TEST_F(FederationClientTest, SignsGetAndPostForAnIpLiteralWithPort) {
    const auto destination = "127.0.0.1:" + std::to_string(server_.port());
    auto got = run(client_.get(name(destination), "/_matrix/test?user_id=%40a%3Ab"));
    ASSERT_TRUE(got) << got.error().detail;
    EXPECT_EQ((*got)["ok"], true);
    EXPECT_EQ(server_.target, "/_matrix/test?user_id=%40a%3Ab");  // sent as signed
    EXPECT_EQ(server_.host, destination);
    EXPECT_TRUE(signature_verifies("GET", destination, nullptr));

    nlohmann::json body = {{"limit", 3}};
    auto posted = run(client_.post(name(destination), "/_matrix/test", body));
    ASSERT_TRUE(posted) << posted.error().detail;
    EXPECT_EQ(nlohmann::json::parse(server_.body), body);
    EXPECT_TRUE(signature_verifies("POST", destination, &body));
    nlohmann::json other = {{"limit", 4}};
    EXPECT_FALSE(signature_verifies("POST", destination, &other));
}

TEST_F(FederationClientTest, FollowsAndCachesWellKnownDelegation) {
    auto resolved = run(client_.resolve(name("localhost")));
    EXPECT_EQ(resolved.host, "127.0.0.1");
    EXPECT_EQ(resolved.port, server_.port());
    EXPECT_EQ(resolved.host_header, "127.0.0.1:" + std::to_string(server_.port()));
    ASSERT_TRUE(run(client_.get(name("localhost"), "/_matrix/test")));
    EXPECT_EQ(server_.well_known_hits.load(), 1);
    // The destination signed is the name before delegation.
    EXPECT_TRUE(signature_verifies("GET", "localhost", nullptr));
    EXPECT_EQ(server_.host, "127.0.0.1:" + std::to_string(server_.port()));
}

TEST_F(FederationClientTest, MapsRemoteErrorsAndUnreachableServers) {
    const auto destination = name("127.0.0.1:" + std::to_string(server_.port()));
    auto missing = run(client_.get(destination, "/_matrix/missing"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    auto broken = run(client_.get(destination, "/_matrix/broken"));
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, Errc::remote_unavailable);
    auto raw = run(client_.request(destination, "GET", "/_matrix/missing", nullptr));
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->status, 404);
    EXPECT_EQ(raw->body["errcode"], "M_NOT_FOUND");
    auto closed = run(client_.get(name("127.0.0.1:1"), "/_matrix/test"));
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().code, Errc::remote_unavailable);
}

}  // namespace
}  // namespace chat::federation
