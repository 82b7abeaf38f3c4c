#include "http/dispatch.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include <gtest/gtest.h>

#include "daemon/support/run_task.hpp"
#include "routing/router.hpp"
#include "services/services.hpp"

namespace chat::daemon {
namespace {

Task<Result<Reply>> echo_room(Request& request) {
    co_return Reply::json({{"room_id", request.path_param("roomId")}});
}
Task<Result<Reply>> refuse(Request&) { co_return make_error(Errc::forbidden, "Not in room"); }
Task<Result<Reply>> fail_storage(Request&) {
    co_return make_error(Errc::storage, "Database failed", "SQLITE_FULL");
}
Task<Result<Reply>> must_not_run(Request&) { throw std::logic_error("endpoint logic ran"); }

class Dispatch : public testing::Test {
protected:
    Dispatch() {
        router_.add(Method::get, "/rooms/{roomId}", echo_room);
        router_.add(Method::put, "/rooms/{roomId}/refuse", refuse);
        router_.add(Method::get, "/broken", fail_storage);
        router_.add(Method::post, "/options-target", must_not_run);
    }

    Reply run(Method method, std::string target) {
        Request request(method, std::move(target), {}, {}, services_);
        return test::run_task(dispatch(router_, request, log_));
    }

    static void expect_cors(const Reply& reply) {
        EXPECT_EQ(reply.header("Access-Control-Allow-Origin"), "*");
        EXPECT_EQ(reply.header("Access-Control-Allow-Methods"),
                  "GET, HEAD, POST, PUT, DELETE, OPTIONS");
        EXPECT_EQ(reply.header("Access-Control-Allow-Headers"),
                  "X-Requested-With, Content-Type, Authorization");
    }

    static nlohmann::json body(const Reply& reply) { return nlohmann::json::parse(reply.body); }

    Router router_;
    Services services_{.server_name = "a.test", .public_baseurl = "http://127.0.0.1:1/"};
    spdlog::logger log_{"test"};  // no sinks: discards
};

TEST_F(Dispatch, PassesDecodedParametersToTheHandler) {
    auto reply = run(Method::get, "/rooms/%21r%3Aa.test?since=1");
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(body(reply), (nlohmann::json{{"room_id", "!r:a.test"}}));
    expect_cors(reply);
}

TEST_F(Dispatch, AcceptsAnAbsoluteFormTarget) {
    auto reply = run(Method::get, "http://a.test:8008/rooms/r1");
    EXPECT_EQ(reply.status, 200u);
    EXPECT_EQ(body(reply)["room_id"], "r1");
}

TEST_F(Dispatch, UnknownPathIs404Unrecognized) {
    auto reply = run(Method::get, "/nowhere");
    EXPECT_EQ(reply.status, 404u);
    EXPECT_EQ(body(reply),
              (nlohmann::json{{"errcode", "M_UNRECOGNIZED"}, {"error", "Unrecognized request"}}));
    expect_cors(reply);
}

TEST_F(Dispatch, WrongMethodIs405UnrecognizedWithAllow) {
    auto reply = run(Method::delete_, "/rooms/r1");
    EXPECT_EQ(reply.status, 405u);
    EXPECT_EQ(body(reply)["errcode"], "M_UNRECOGNIZED");
    EXPECT_EQ(reply.header("Allow"), "GET, HEAD, OPTIONS");
    expect_cors(reply);
}

TEST_F(Dispatch, OptionsAnswersAnyPathWithoutRunningTheEndpoint) {
    for (const char* target : {"/options-target", "/nowhere", "*"}) {
        auto reply = run(Method::options, target);
        EXPECT_EQ(reply.status, 204u) << target;
        EXPECT_TRUE(reply.body.empty());
        expect_cors(reply);
    }
}

TEST_F(Dispatch, HandlerErrorsBecomeMatrixErrors) {
    auto reply = run(Method::put, "/rooms/r1/refuse");
    EXPECT_EQ(reply.status, 403u);
    EXPECT_EQ(body(reply), (nlohmann::json{{"errcode", "M_FORBIDDEN"}, {"error", "Not in room"}}));
    expect_cors(reply);
}

TEST_F(Dispatch, ServerErrorsDoNotLeakTheirDetail) {
    auto reply = run(Method::get, "/broken");
    EXPECT_EQ(reply.status, 500u);
    EXPECT_EQ(body(reply)["errcode"], "M_UNKNOWN");
    EXPECT_EQ(reply.body.find("SQLITE"), std::string::npos);
}

TEST_F(Dispatch, MalformedPercentEncodingIs400) {
    auto reply = run(Method::get, "/rooms/%zz");
    EXPECT_EQ(reply.status, 400u);
    EXPECT_EQ(body(reply)["errcode"], "M_INVALID_PARAM");
}

TEST_F(Dispatch, ATargetThatIsNotAPathIs400) {
    auto reply = run(Method::get, "*");
    EXPECT_EQ(reply.status, 400u);
    expect_cors(reply);
}

TEST_F(Dispatch, HandlerExceptionsReachTheCaller) {
    // The session catches them (log, 500, close): see server_test.cpp.
    EXPECT_THROW(run(Method::post, "/options-target"), std::logic_error);
}

}  // namespace
}  // namespace chat::daemon
