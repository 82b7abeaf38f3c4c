#include <chat/events/server_acl.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::events {
namespace {

ServerName server(std::string_view text) {
    auto name = ServerName::parse(text);
    EXPECT_TRUE(name) << text;
    return *name;
}

// The example content of the spec's m.room.server_acl schema.
const nlohmann::json kSpecExample = {
    {"allow", {"*"}}, {"allow_ip_literals", false}, {"deny", {"*.evil.com", "evil.com"}}};

TEST(ServerAcl, SpecExampleDeniesEvilAndItsSubdomainsOnAnyPort) {
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("evil.com")));
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("evil.com:8448")));
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("sub.evil.com:1234")));
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("EVIL.com")));
    EXPECT_TRUE(server_allowed_by_acl(kSpecExample, server("good.org")));
    EXPECT_TRUE(server_allowed_by_acl(kSpecExample, server("notevil.com")));
}

TEST(ServerAcl, IpLiteralsFollowAllowIpLiterals) {
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("1.2.3.4")));
    EXPECT_FALSE(server_allowed_by_acl(kSpecExample, server("[::1]:8448")));
    auto allowed = kSpecExample;
    allowed["allow_ip_literals"] = true;
    EXPECT_TRUE(server_allowed_by_acl(allowed, server("1.2.3.4:80")));
    allowed.erase("allow_ip_literals");  // default true
    EXPECT_TRUE(server_allowed_by_acl(allowed, server("1.2.3.4")));
    allowed["allow_ip_literals"] = "false";  // not a boolean: counts as true
    EXPECT_TRUE(server_allowed_by_acl(allowed, server("1.2.3.4")));
}

TEST(ServerAcl, DenyWinsOverAllowAndAbsentAllowDeniesAll) {
    nlohmann::json both = {{"allow", {"*.example.org"}}, {"deny", {"bad.example.org"}}};
    EXPECT_TRUE(server_allowed_by_acl(both, server("good.example.org")));
    EXPECT_FALSE(server_allowed_by_acl(both, server("bad.example.org")));
    EXPECT_FALSE(server_allowed_by_acl(both, server("example.com")));
    nlohmann::json deny_only = {{"deny", {"bad.org"}}};
    EXPECT_FALSE(server_allowed_by_acl(deny_only, server("good.org")));
    EXPECT_FALSE(server_allowed_by_acl(nlohmann::json::object(), server("good.org")));
    nlohmann::json bad_types = {{"allow", {1, nullptr, "good.org"}}, {"deny", "bad.org"}};
    EXPECT_TRUE(server_allowed_by_acl(bad_types, server("good.org")));
    EXPECT_FALSE(server_allowed_by_acl(nlohmann::json::array(), server("good.org")));
}

TEST(ServerAcl, GlobsMatchStarAndQuestionMark) {
    EXPECT_TRUE(acl_glob_matches("*", ""));
    EXPECT_TRUE(acl_glob_matches("a?c", "abc"));
    EXPECT_FALSE(acl_glob_matches("a?c", "ac"));
    EXPECT_TRUE(acl_glob_matches("*.b.*", "x.b.y"));
    EXPECT_FALSE(acl_glob_matches("*.b.*", "x.c.y"));
    EXPECT_TRUE(acl_glob_matches("a*b*c", "aXXbYYbc"));
    EXPECT_FALSE(acl_glob_matches("a*b*c", "aXXbYYb"));
    EXPECT_TRUE(acl_glob_matches("MaTrIx.org", "matrix.ORG"));
    EXPECT_FALSE(acl_glob_matches("matrix.org", "matrix.org.evil"));
}

}  // namespace
}  // namespace chat::events
