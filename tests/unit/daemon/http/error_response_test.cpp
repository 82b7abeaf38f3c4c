#include "http/error_response.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

struct Mapping {
    Errc code;
    unsigned status;
    const char* errcode;
};

class ErrorResponseMapping : public testing::TestWithParam<Mapping> {};

TEST_P(ErrorResponseMapping, GivesTheStatusAndErrcode) {
    auto http = to_http(make_error(GetParam().code, "message"));
    EXPECT_EQ(http.status, GetParam().status);
    EXPECT_EQ(http.errcode, GetParam().errcode);
}

// One line per Errc: a new code must be added here as well as in to_http().
INSTANTIATE_TEST_SUITE_P(EveryErrc, ErrorResponseMapping,
                         testing::Values(Mapping{Errc::bad_json, 400, "M_BAD_JSON"},
                                         Mapping{Errc::not_json, 400, "M_NOT_JSON"},
                                         Mapping{Errc::invalid_param, 400, "M_INVALID_PARAM"},
                                         Mapping{Errc::missing_param, 400, "M_MISSING_PARAM"},
                                         Mapping{Errc::forbidden, 403, "M_FORBIDDEN"},
                                         Mapping{Errc::not_found, 404, "M_NOT_FOUND"},
                                         Mapping{Errc::too_large, 413, "M_TOO_LARGE"},
                                         Mapping{Errc::missing_token, 401, "M_MISSING_TOKEN"},
                                         Mapping{Errc::unknown_token, 401, "M_UNKNOWN_TOKEN"},
                                         Mapping{Errc::limit_exceeded, 429, "M_LIMIT_EXCEEDED"},
                                         Mapping{Errc::unrecognized, 404, "M_UNRECOGNIZED"},
                                         Mapping{Errc::invalid_username, 400, "M_INVALID_USERNAME"},
                                         Mapping{Errc::user_in_use, 400, "M_USER_IN_USE"},
                                         Mapping{Errc::unsupported_room_version, 400,
                                                 "M_UNSUPPORTED_ROOM_VERSION"},
                                         Mapping{Errc::room_in_use, 409, "M_ROOM_IN_USE"},
                                         Mapping{Errc::cannot_overwrite_media, 409,
                                                 "M_CANNOT_OVERWRITE_MEDIA"},
                                         Mapping{Errc::not_yet_uploaded, 504,
                                                 "M_NOT_YET_UPLOADED"},
                                         Mapping{Errc::invalid_signature, 400,
                                                 "M_INVALID_SIGNATURE"},
                                         Mapping{Errc::storage, 500, "M_UNKNOWN"},
                                         Mapping{Errc::crypto, 500, "M_UNKNOWN"},
                                         Mapping{Errc::remote_unavailable, 502, "M_UNKNOWN"},
                                         Mapping{Errc::internal, 500, "M_UNKNOWN"}),
                         [](const testing::TestParamInfo<Mapping>& param_info) {
                             return std::to_string(param_info.index) + "_" +
                                    param_info.param.errcode + "_" +
                                    std::to_string(param_info.param.status);
                         });

TEST(ErrorResponse, ClientErrorsKeepTheirMessage) {
    EXPECT_EQ(to_http(make_error(Errc::forbidden, "You are not invited")).message,
              "You are not invited");
}

TEST(ErrorResponse, ServerErrorsHideTheirMessageAndDetail) {
    auto http = to_http(make_error(Errc::storage, "disk I/O error", "INSERT INTO events ..."));
    EXPECT_EQ(http.message, "Internal server error.");
}

TEST(ErrorResponse, AnEmptyMessageGetsAGenericOne) {
    EXPECT_FALSE(to_http(make_error(Errc::not_found, "")).message.empty());
}

TEST(ErrorResponse, ReplyIsMatrixErrorJson) {
    auto reply = error_reply(make_error(Errc::too_large, "Too big"));
    EXPECT_EQ(reply.status, 413u);
    EXPECT_EQ(reply.header("content-type"), "application/json");
    auto body = nlohmann::json::parse(reply.body);
    EXPECT_EQ(body, (nlohmann::json{{"errcode", "M_TOO_LARGE"}, {"error", "Too big"}}));
}

TEST(ErrorResponse, InvalidUtf8InAMessageIsReplacedNotThrown) {
    auto reply = error_reply(make_error(Errc::invalid_param, "bad \xff byte"));
    EXPECT_TRUE(nlohmann::json::accept(reply.body));
}

}  // namespace
}  // namespace chat::daemon
