// The session on real loopback sockets, with handlers the daemon does not
// ship (one that throws). Whole-daemon behaviour is in tests/integration.
#include "http/server.hpp"

#include <future>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include <gtest/gtest.h>

#include "routing/router.hpp"
#include "services/services.hpp"

namespace chat::daemon {
namespace {

Task<Result<Reply>> ok_handler(Request&) { co_return Reply::json({{"ok", true}}); }
Task<Result<Reply>> throwing_handler(Request&) { throw std::runtime_error("handler bug"); }

class SessionOnLoopback : public testing::Test {
protected:
    void SetUp() override {
        router_.add(Method::get, "/ok", ok_handler);
        router_.add(Method::get, "/throw", throwing_handler);
        server_ = std::make_unique<Server>(io_, router_, services_, limits_, log_);
        auto port = server_->listen("127.0.0.1", 0);
        ASSERT_TRUE(port) << port.error().message;
        port_ = *port;
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    void TearDown() override {
        if (thread_.joinable()) {
            EXPECT_TRUE(shutdown());
            thread_.join();
        }
    }

    bool shutdown() {
        auto drained = boost::asio::co_spawn(boost::asio::make_strand(io_),
                                             server_->shutdown(std::chrono::seconds(5)),
                                             boost::asio::use_future);
        return drained.get();
    }

    httplib::Client client() {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(5, 0);
        return c;
    }

    boost::asio::io_context io_;
    Router router_;
    Services services_{.server_name = "a.test", .public_baseurl = "http://127.0.0.1/"};
    spdlog::logger log_{"test"};
    HttpLimits limits_{.max_body_bytes = 1024, .request_timeout = std::chrono::seconds(5)};
    std::unique_ptr<Server> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

TEST_F(SessionOnLoopback, AHandlerExceptionIs500AndTheServerGoesOn) {
    auto c = client();
    auto thrown = c.Get("/throw");
    ASSERT_TRUE(thrown) << httplib::to_string(thrown.error());
    EXPECT_EQ(thrown->status, 500);
    EXPECT_EQ(nlohmann::json::parse(thrown->body),
              (nlohmann::json{{"errcode", "M_UNKNOWN"}, {"error", "Internal server error."}}));
    EXPECT_EQ(thrown->get_header_value("Connection"), "close");
    EXPECT_EQ(thrown->get_header_value("Access-Control-Allow-Origin"), "*");

    auto next = client().Get("/ok");
    ASSERT_TRUE(next) << httplib::to_string(next.error());
    EXPECT_EQ(next->status, 200);
}

TEST_F(SessionOnLoopback, ShutdownClosesIdleKeptAliveConnections) {
    auto c = client();
    c.set_keep_alive(true);
    ASSERT_TRUE(c.Get("/ok"));
    EXPECT_EQ(server_->session_count(), 1u);
    EXPECT_TRUE(shutdown());
    thread_.join();  // the io_context ran out of work: nothing was left behind
    EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(SessionOnLoopback, ListenReportsABusyPort) {
    boost::asio::io_context other_io;
    Server other(other_io, router_, services_, limits_, log_);
    auto port = other.listen("127.0.0.1", port_);
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().message.rfind("cannot listen on 127.0.0.1:" + std::to_string(port_), 0),
              0u)
        << port.error().message;
}

}  // namespace
}  // namespace chat::daemon
