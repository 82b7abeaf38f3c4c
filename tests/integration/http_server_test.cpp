// The HTTP layer of the real chatd: errors, limits, CORS, keep-alive and
// pipelining, seen from a client on loopback.
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/raw_http.hpp"

namespace chat::test {
namespace {

constexpr std::string_view kVersions = "GET /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n\r\n";

class HttpServer : public testing::Test {
protected:
    // Small limits, so that tests can cross them cheaply.
    void SetUp() override {
        daemon_ =
            Daemon::start(dir_.path(), "max_request_body_bytes: 1024\nrequest_timeout_seconds: 2");
    }
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

    static nlohmann::json json_of(const std::string& body) { return nlohmann::json::parse(body); }

    // The server still serves a well-behaved client.
    void expect_still_serving() const {
        auto res = client().Get("/_matrix/client/versions");
        ASSERT_TRUE(res) << httplib::to_string(res.error()) << daemon_->log_tail();
        EXPECT_EQ(res->status, 200);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

TEST_F(HttpServer, UnknownPathIs404Unrecognized) {
    auto res = client().Get("/_matrix/client/v3/no_such_endpoint");
    ASSERT_TRUE(res) << daemon_->log_tail();
    EXPECT_EQ(res->status, 404);
    EXPECT_EQ(json_of(res->body),
              (nlohmann::json{{"errcode", "M_UNRECOGNIZED"}, {"error", "Unrecognized request"}}));
}

TEST_F(HttpServer, WrongMethodIs405UnrecognizedWithAllow) {
    auto res = client().Post("/_matrix/client/versions", "{}", "application/json");
    ASSERT_TRUE(res) << daemon_->log_tail();
    EXPECT_EQ(res->status, 405);
    EXPECT_EQ(json_of(res->body)["errcode"], "M_UNRECOGNIZED");
    EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(HttpServer, GarbageGetsA400OrIsClosedAndTheServerGoesOn) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(
        raw.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", 22)));
    auto response = raw.read_response();
    if (response) {
        EXPECT_EQ(response->status, 400);
    }
    EXPECT_TRUE(raw.wait_closed());
    expect_still_serving();
}

TEST_F(HttpServer, MalformedRequestLineIs400Json) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send("GET /a b c HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto response = raw.read_response();
    ASSERT_TRUE(response) << daemon_->log_tail();
    EXPECT_EQ(response->status, 400);
    EXPECT_EQ(json_of(response->body)["errcode"], "M_UNKNOWN");
    EXPECT_EQ(response->headers["connection"], "close");
    EXPECT_TRUE(raw.wait_closed());
    expect_still_serving();
}

TEST_F(HttpServer, AnotherHttpVersionIs400) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send("GET /_matrix/client/versions HTTP/2.0\r\nHost: t\r\n\r\n"));
    auto response = raw.read_response();
    ASSERT_TRUE(response) << daemon_->log_tail();
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(raw.wait_closed());
    expect_still_serving();
}

TEST_F(HttpServer, OverLimitBodyIs413TooLarge) {
    auto res =
        client().Post("/_matrix/client/versions", std::string(4096, 'x'), "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error()) << daemon_->log_tail();
    EXPECT_EQ(res->status, 413);
    EXPECT_EQ(json_of(res->body)["errcode"], "M_TOO_LARGE");
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
    expect_still_serving();
}

TEST_F(HttpServer, OverLimitChunkedBodyIs413TooLarge) {
    RawConnection raw(daemon_->port());
    std::string chunk(1000, 'x');
    ASSERT_TRUE(
        raw.send("POST /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n"));
    raw.send("3e8\r\n" + chunk + "\r\n3e8\r\n" + chunk + "\r\n0\r\n\r\n");
    auto response = raw.read_response();
    ASSERT_TRUE(response) << daemon_->log_tail();
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(json_of(response->body)["errcode"], "M_TOO_LARGE");
}

TEST_F(HttpServer, OversizedHeadersAre431) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: t\r\nX-Big: " +
                         std::string(32 * 1024, 'a') + "\r\n\r\n"));
    auto response = raw.read_response();
    ASSERT_TRUE(response) << daemon_->log_tail();
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(json_of(response->body)["errcode"], "M_TOO_LARGE");
    expect_still_serving();
}

TEST_F(HttpServer, EveryResponseCarriesCors) {
    auto c = client();
    std::vector<httplib::Result> results;
    results.push_back(c.Get("/_matrix/client/versions"));
    results.push_back(c.Get("/.well-known/matrix/client"));
    results.push_back(c.Get("/nowhere"));
    results.push_back(c.Delete("/_matrix/client/versions"));
    for (const auto& res : results) {
        ASSERT_TRUE(res) << daemon_->log_tail();
        EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*") << res->status;
        EXPECT_EQ(res->get_header_value("Access-Control-Allow-Methods"),
                  "GET, HEAD, POST, PUT, DELETE, OPTIONS");
        EXPECT_EQ(res->get_header_value("Access-Control-Allow-Headers"),
                  "X-Requested-With, Content-Type, Authorization");
    }
}

TEST_F(HttpServer, OptionsPreflightIsAnsweredOnAnyPath) {
    auto c = client();
    httplib::Headers preflight = {
        {"Origin", "https://app.element.io"},
        {"Access-Control-Request-Method", "PUT"},
        {"Access-Control-Request-Headers", "authorization, content-type"}};
    for (const char* path :
         {"/_matrix/client/versions", "/_matrix/client/v3/rooms/!r:x/send/m.room.message/1"}) {
        auto res = c.Options(path, preflight);
        ASSERT_TRUE(res) << daemon_->log_tail();
        EXPECT_TRUE(res->status == 204 || res->status == 200) << path << " " << res->status;
        EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
        EXPECT_EQ(res->get_header_value("Access-Control-Allow-Headers"),
                  "X-Requested-With, Content-Type, Authorization");
    }
}

TEST_F(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send(kVersions));
    auto first = raw.read_response();
    ASSERT_TRUE(first) << daemon_->log_tail();
    EXPECT_EQ(first->status, 200);
    EXPECT_NE(first->headers["connection"], "close");

    ASSERT_TRUE(raw.send("GET /.well-known/matrix/client HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto second = raw.read_response();
    ASSERT_TRUE(second) << daemon_->log_tail();
    EXPECT_EQ(second->status, 200);
    EXPECT_TRUE(json_of(second->body).contains("m.homeserver"));
}

TEST_F(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send(
        std::string(kVersions) + "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n" +
        "GET /.well-known/matrix/client HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    auto first = raw.read_response();
    auto second = raw.read_response();
    auto third = raw.read_response();
    ASSERT_TRUE(first && second && third) << daemon_->log_tail();
    EXPECT_TRUE(json_of(first->body).contains("versions"));
    EXPECT_EQ(second->status, 404);
    EXPECT_TRUE(json_of(third->body).contains("m.homeserver"));
    EXPECT_EQ(third->headers["connection"], "close");
    EXPECT_TRUE(raw.wait_closed());
}

TEST_F(HttpServer, HeadGivesTheLengthButNoBody) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send("HEAD /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto head = raw.read_response(/*head_request=*/true);
    ASSERT_TRUE(head) << daemon_->log_tail();
    EXPECT_EQ(head->status, 200);
    EXPECT_NE(head->headers["content-length"], "0");
    // No body bytes follow: the next response starts right away.
    ASSERT_TRUE(raw.send(kVersions));
    auto next = raw.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(std::to_string(next->body.size()), head->headers["content-length"]);
}

TEST_F(HttpServer, ExpectContinueGetsTheGoAhead) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(
        raw.send("PUT /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n"
                 "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
    auto go_ahead = raw.read_response();
    ASSERT_TRUE(go_ahead) << daemon_->log_tail();
    EXPECT_EQ(go_ahead->status, 100);
    ASSERT_TRUE(raw.send("{}"));
    auto final_response = raw.read_response();
    ASSERT_TRUE(final_response);
    EXPECT_EQ(final_response->status, 405);
}

TEST_F(HttpServer, ASlowClientIsDisconnectedAfterTheRequestTimeout) {
    RawConnection raw(daemon_->port());
    ASSERT_TRUE(raw.send("GET /_matrix/client/versions HTTP/1.1\r\nHost: t\r\n"));  // never ends
    EXPECT_TRUE(raw.wait_closed(std::chrono::seconds(15))) << daemon_->log_tail();
    expect_still_serving();
}

TEST_F(HttpServer, AnIdleConnectionDoesNotBlockOthers) {
    RawConnection idle(daemon_->port());
    ASSERT_TRUE(idle.send("GET /_matrix/"));
    expect_still_serving();
}

}  // namespace
}  // namespace chat::test
