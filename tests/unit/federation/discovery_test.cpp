#include <chat/federation/client/discovery.hpp>

#include <gtest/gtest.h>

#include <chat/federation/client/federation_client.hpp>

namespace chat::federation {
namespace {

ServerName name(std::string_view text) { return *ServerName::parse(text); }

TEST(Discovery, IpLiteralsAndExplicitPortsNeedNoLookup) {
    EXPECT_TRUE(resolves_directly(name("1.2.3.4")));
    EXPECT_TRUE(resolves_directly(name("[::1]:99")));
    EXPECT_TRUE(resolves_directly(name("example.org:8000")));
    EXPECT_FALSE(resolves_directly(name("example.org")));

    EXPECT_EQ(resolve_literally(name("1.2.3.4")),
              (ResolvedServer{"1.2.3.4", 8448, "1.2.3.4", ""}));
    EXPECT_EQ(resolve_literally(name("[::1]:99")), (ResolvedServer{"[::1]", 99, "[::1]:99", ""}));
    EXPECT_EQ(resolve_literally(name("example.org:8000")),
              (ResolvedServer{"example.org", 8000, "example.org:8000", "example.org"}));
    EXPECT_EQ(resolve_literally(name("example.org")),
              (ResolvedServer{"example.org", 8448, "example.org", "example.org"}));
}

TEST(Discovery, WellKnownBodies) {
    EXPECT_EQ(parse_well_known(R"({"m.server": "matrix.example.org:443"})"),
              name("matrix.example.org:443"));
    EXPECT_EQ(parse_well_known(R"({"m.server": "1.2.3.4"})"), name("1.2.3.4"));
    EXPECT_FALSE(parse_well_known("not json"));
    EXPECT_FALSE(parse_well_known(R"({"m.server": 5})"));
    EXPECT_FALSE(parse_well_known(R"({"m.server": "bad name!"})"));
    EXPECT_FALSE(parse_well_known(R"(["m.server"])"));
}

TEST(Discovery, WellKnownCacheLifetime) {
    constexpr std::int64_t kHour = 3600 * 1000;
    EXPECT_EQ(well_known_cache_ms(""), 24 * kHour);
    EXPECT_EQ(well_known_cache_ms("max-age=60"), 60 * 1000);
    EXPECT_EQ(well_known_cache_ms("public, Max-Age=3600"), kHour);
    EXPECT_EQ(well_known_cache_ms("max-age=99999999999"), 48 * kHour);
    EXPECT_EQ(well_known_cache_ms("no-store"), 0);
    EXPECT_EQ(well_known_cache_ms("max-age=x"), 24 * kHour);
}

TEST(FederationClientMapping, SuccessAllowlistAndRetryLater) {
    auto ok_reply = map_remote_reply({200, {{"a", 1}}}, "b.org", "GET /x");
    ASSERT_TRUE(ok_reply);
    EXPECT_EQ((*ok_reply)["a"], 1);
    auto not_found =
        map_remote_reply({404, {{"errcode", "M_NOT_FOUND"}, {"error", "no"}}}, "b.org", "GET /x");
    ASSERT_FALSE(not_found);
    EXPECT_EQ(not_found.error().code, Errc::not_found);
    EXPECT_NE(not_found.error().detail.find("404"), std::string::npos);
    auto odd = map_remote_reply({400, {{"errcode", "M_WEIRD"}}}, "b.org", "GET /x");
    ASSERT_FALSE(odd);
    EXPECT_EQ(odd.error().code, Errc::remote_unavailable);
    auto server_error = map_remote_reply({500, {{"errcode", "M_NOT_FOUND"}}}, "b.org", "GET /x");
    ASSERT_FALSE(server_error);
    EXPECT_EQ(server_error.error().code, Errc::remote_unavailable);
    auto not_object = map_remote_reply({200, nlohmann::json::array()}, "b.org", "GET /x");
    ASSERT_FALSE(not_object);
    EXPECT_EQ(not_object.error().code, Errc::remote_unavailable);
}

TEST(FederationClientMapping, PercentEncodesAllButUnreserved) {
    EXPECT_EQ(percent_encode("#a:b.org"), "%23a%3Ab.org");
    EXPECT_EQ(percent_encode("@u-1_x~:h"), "%40u-1_x~%3Ah");
    EXPECT_EQ(percent_encode("a b/c"), "a%20b%2Fc");
}

}  // namespace
}  // namespace chat::federation
