#include <chat/core/server_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/spec_vectors.hpp"

namespace chat {
namespace {

ServerName::Kind kind_named(const std::string& name) {
    if (name == "ipv4") return ServerName::Kind::ipv4;
    if (name == "ipv6") return ServerName::Kind::ipv6;
    EXPECT_EQ(name, "dns");
    return ServerName::Kind::dns;
}

TEST(ServerName, AcceptsSpecExamples) {
    const auto& vectors = test::spec_vectors().at("server_names_valid").at("vectors");
    ASSERT_EQ(vectors.size(), 6u);
    for (const auto& v : vectors) {
        const auto input = v.at("input").get<std::string>();
        SCOPED_TRACE(input);
        auto name = ServerName::parse(input);
        ASSERT_TRUE(name) << name.error().message;
        EXPECT_EQ(name->str(), input);
        EXPECT_EQ(name->host(), v.at("hostname").get<std::string>());
        if (v.at("port").is_null())
            EXPECT_EQ(name->port(), std::nullopt);
        else
            EXPECT_EQ(name->port(), v.at("port").get<std::uint16_t>());
        EXPECT_EQ(name->kind(), kind_named(v.at("kind").get<std::string>()));
    }
}

TEST(ServerName, AcceptsGrammarEdges) {
    for (const char* text :
         {"a", "localhost", "LOCALHOST", "a-b.c", "xn--bcher-kva.example", "0.0.0.0",
          "255.255.255.255", "010.001.0.00", "example.org:1", "example.org:65535", "example.org:0",
          "example.org:08448", "[::]", "[::1]", "[::1]:8448", "[::ffff:1.2.3.4]",
          "[ABCD:ef01:2345:6789:abcd:ef01:2345:6789]", "1.2.3.4:65535"}) {
        SCOPED_TRACE(text);
        auto name = ServerName::parse(text);
        ASSERT_TRUE(name) << name.error().message;
        EXPECT_EQ(name->str(), text);
    }
}

TEST(ServerName, SplitsHostAndPort) {
    auto name = ServerName::parse("[2001:db8::1]:443");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->host(), "[2001:db8::1]");
    EXPECT_EQ(name->port(), 443);
    EXPECT_EQ(name->kind(), ServerName::Kind::ipv6);

    auto dns = ServerName::parse("chat.example.org:08448");
    ASSERT_TRUE(dns);
    EXPECT_EQ(dns->host(), "chat.example.org");
    EXPECT_EQ(dns->port(), 8448);
    EXPECT_EQ(dns->kind(), ServerName::Kind::dns);

    auto ipv4 = ServerName::parse("10.0.0.1");
    ASSERT_TRUE(ipv4);
    EXPECT_EQ(ipv4->host(), "10.0.0.1");
    EXPECT_EQ(ipv4->port(), std::nullopt);
    EXPECT_EQ(ipv4->kind(), ServerName::Kind::ipv4);
}

TEST(ServerName, AcceptsLongestDnsName) {
    const std::string host(ServerName::kMaxDnsNameBytes, 'a');
    EXPECT_TRUE(ServerName::parse(host));
    EXPECT_TRUE(ServerName::parse(host + ":65535"));
    EXPECT_FALSE(ServerName::parse(host + "a"));
}

TEST(ServerName, RefusesMalformedNames) {
    for (const std::string& text : std::vector<std::string>{
             "",              // empty
             ":8448",         // empty host
             "example.org:",  // empty port
             "example.org:65536",
             "example.org:99999",
             "example.org:123456",  // six digits
             "example.org:000080",  // six digits, small value
             "example.org:-1",
             "example.org:80a",
             "example.org:+80",
             "example.org:80:81",
             "exa_mple.org",  // '_' is not a dns-char
             "exa mple.org",
             "example.org/",
             "ex@mple.org",
             "bücher.example",  // non-ASCII
             "1.2.3.999",       // digest §2.1 rule 6
             "256.0.0.1",
             "1.2.3",
             "1.2.3.4.5",
             "1..2.3",
             "1.2.3.4.",
             "0001.2.3.4",
             "127",
             "...",
             "[::1",  // unclosed
             "[::1]x",
             "[::1]x80",
             "[::1]]:80",
             "[::1]:",
             "[::1]:65536",
             "[]",
             "[:]",  // one character
             "[1]",
             "[::g]",
             "[1:2:3:4:5:6:7:8:9]",
             "[12345::]",
             "[1::2::3]",
             "[::1%eth0]",  // zone ids are outside the grammar
             "[1.2.3.4]",
             "[[::1]]",
             "::1",                                           // unbracketed IPv6
             "[0000:0000:0000:0000:0000:0000:0000:0000:00]",  // 46 characters
             std::string("a\0b", 3),
         }) {
        SCOPED_TRACE(text);
        auto name = ServerName::parse(text);
        ASSERT_FALSE(name);
        EXPECT_EQ(name.error().code, Errc::invalid_param);
        EXPECT_NE(name.error().message.find("Server name is not valid"), std::string::npos);
    }
}

TEST(ServerName, ComparesCaseSensitively) {
    auto lower = ServerName::parse("matrix.org");
    auto upper = ServerName::parse("MATRIX.ORG");
    auto lower_again = ServerName::parse("matrix.org");
    ASSERT_TRUE(lower && upper && lower_again);
    EXPECT_NE(*lower, *upper);
    EXPECT_EQ(*lower, *lower_again);
    EXPECT_LT(*upper, *lower);  // byte order: 'M' < 'm'
}

}  // namespace
}  // namespace chat
