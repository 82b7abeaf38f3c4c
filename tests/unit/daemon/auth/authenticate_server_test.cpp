#include "auth/authenticate_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::daemon {
namespace {

ServerName name(std::string_view text) { return *ServerName::parse(text); }

TEST(AuthenticateServer, RefusalsAre401Unauthorized) {
    for (auto code : {Errc::missing_token, Errc::unknown_token, Errc::remote_unavailable}) {
        auto reply = server_auth_error_reply(make_error(code, "why"));
        EXPECT_EQ(reply.status, 401u);
        auto body = nlohmann::json::parse(reply.body);
        EXPECT_EQ(body["errcode"], "M_UNAUTHORIZED");
        EXPECT_EQ(body["error"], "why");
    }
    // A body that is not JSON is the client's mistake, not an auth failure.
    EXPECT_EQ(server_auth_error_reply(make_error(Errc::not_json, "x")).status, 400u);
    EXPECT_EQ(server_auth_error_reply(make_error(Errc::storage, "x")).status, 500u);
}

TEST(AuthenticateServer, AclCheckAllowsWithoutAclAndForbidsDenied) {
    EXPECT_TRUE(check_server_acl(std::nullopt, name("evil.com")));
    nlohmann::json acl = {{"allow", {"*"}}, {"deny", {"evil.com"}}};
    EXPECT_TRUE(check_server_acl(acl, name("good.org")));
    auto denied = check_server_acl(acl, name("evil.com:8448"));
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, Errc::forbidden);
}

}  // namespace
}  // namespace chat::daemon
