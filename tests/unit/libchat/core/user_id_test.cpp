#include <chat/core/user_id.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/spec_vectors.hpp"

namespace chat {
namespace {

// "@" + localpart + ":" + server, exactly `size` bytes long.
std::string user_id_of_size(std::size_t size, const std::string& server = "example.org") {
    return "@" + std::string(size - 2 - server.size(), 'a') + ":" + server;
}

TEST(UserId, ParsesCompliantId) {
    auto id = UserId::parse("@alice.b=c_d/e+f-1:example.org:8448");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->str(), "@alice.b=c_d/e+f-1:example.org:8448");
    EXPECT_EQ(id->localpart(), "alice.b=c_d/e+f-1");
    EXPECT_EQ(id->server(), "example.org:8448");
    EXPECT_TRUE(id->is_compliant());
    EXPECT_TRUE(id->has_historical_grammar());
    EXPECT_TRUE(UserId::parse_strict(id->str()));
}

TEST(UserId, SplitsAtFirstColon) {
    auto id = UserId::parse("@bob:[1234:5678::abcd]:5678");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->localpart(), "bob");
    EXPECT_EQ(id->server(), "[1234:5678::abcd]:5678");
}

TEST(UserId, AcceptsHistoricalIdsButNotStrictly) {
    for (const std::string& text : std::vector<std::string>{
             "@Alice:example.org",             // upper case: historical grammar
             "@a!b~c:example.org",             // printable ASCII outside the grammar
             "@:example.org",                  // empty localpart
             "@caf\xC3\xA9:example.org",       // non-ASCII
             "@\xF0\x9F\x98\x80:example.org",  // four-byte code point
             "@tab\there:example.org",         // control character
             "@a b:example.org",               // space
             "@@:example.org",
         }) {
        SCOPED_TRACE(text);
        auto id = UserId::parse(text);
        ASSERT_TRUE(id) << id.error().message;
        EXPECT_EQ(id->str(), text);
        EXPECT_FALSE(id->is_compliant());
        auto strict = UserId::parse_strict(text);
        ASSERT_FALSE(strict);
        EXPECT_EQ(strict.error().code, Errc::invalid_param);
    }
}

TEST(UserId, TellsHistoricalGrammarFromNonCompliant) {
    EXPECT_TRUE(UserId::parse("@Alice:example.org")->has_historical_grammar());
    EXPECT_TRUE(UserId::parse("@a!~:example.org")->has_historical_grammar());
    EXPECT_FALSE(UserId::parse("@:example.org")->has_historical_grammar());
    EXPECT_FALSE(UserId::parse("@a b:example.org")->has_historical_grammar());
    EXPECT_FALSE(UserId::parse("@caf\xC3\xA9:example.org")->has_historical_grammar());
    EXPECT_FALSE(UserId::parse("@\x7F:example.org")->has_historical_grammar());
}

TEST(UserId, EnforcesByteLimit) {
    auto longest = UserId::parse(user_id_of_size(255));
    ASSERT_TRUE(longest);
    EXPECT_EQ(longest->str().size(), 255u);

    auto too_long = UserId::parse(user_id_of_size(256));
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, Errc::invalid_param);
}

TEST(UserId, RefusesMalformedIds) {
    for (const std::string& text : std::vector<std::string>{
             "",
             "@",
             "alice:example.org",   // no sigil
             "#alice:example.org",  // wrong sigil
             "!alice:example.org",
             " @alice:example.org",
             "@alice",               // missing ':'
             "@alice:",              // empty server
             "@alice:example.org:",  // empty port
             "@alice:example.org:65536",
             "@alice:1.2.3.999",
             "@alice:[::1",
             "@alice:[::g]",
             "@alice:exa_mple.org",
             "@al\xFFice:example.org",              // not UTF-8
             "@\xED\xA0\x80:example.org",           // lone surrogate U+D800
             "@\xC0\x80:example.org",               // overlong NUL
             "@\xE0\x80\xAF:example.org",           // overlong '/'
             "@\xF4\x90\x80\x80:example.org",       // above U+10FFFF
             "@\xC3:example.org",                   // truncated sequence
             "@\xE2\x82\x41:example.org",           // bad third byte
             "@\x80:example.org",                   // stray continuation byte
             std::string("@a\0b:example.org", 16),  // NUL
         }) {
        SCOPED_TRACE(text);
        auto id = UserId::parse(text);
        ASSERT_FALSE(id);
        EXPECT_EQ(id.error().code, Errc::invalid_param);
        EXPECT_EQ(id.error().message.rfind("User ID is not valid: ", 0), 0u);
    }
}

TEST(UserId, NamesTheMissingColon) {
    auto id = UserId::parse("@alice");
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().message, "User ID is not valid: missing ':'");
}

TEST(UserId, ComparesServerCaseSensitively) {
    const auto& example =
        test::spec_vectors().at("server_names_valid").at("case_sensitivity_example");
    auto a = UserId::parse(example.at("a").get<std::string>());
    auto b = UserId::parse(example.at("b").get<std::string>());
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a == *b, example.at("same_user").get<bool>());
    EXPECT_NE(*a, *b);
    EXPECT_EQ(*a, *UserId::parse("@user:matrix.org"));
}

TEST(UserId, OrdersByBytes) {
    auto a = UserId::parse("@a:z.org");
    auto b = UserId::parse("@b:a.org");
    ASSERT_TRUE(a && b);
    EXPECT_LT(*a, *b);
    EXPECT_GT(*b, *a);
}

TEST(UserId, ValidatesNewLocalparts) {
    auto server = ServerName::parse("example.org");
    ASSERT_TRUE(server);

    EXPECT_TRUE(validate_new_localpart("alice", *server));
    EXPECT_TRUE(validate_new_localpart("a.b=c_d/e+f-0", *server));

    // 255 bytes in all with "@" and ":example.org" is the longest allowed.
    const auto longest = std::string(255 - 2 - server->str().size(), 'a');
    EXPECT_TRUE(validate_new_localpart(longest, *server));

    for (const std::string& localpart :
         {std::string(), std::string("Alice"), std::string("al ice"), std::string("al:ice"),
          std::string("al@ice"), std::string("caf\xC3\xA9"), std::string("a#b"), longest + "a"}) {
        SCOPED_TRACE(localpart);
        auto checked = validate_new_localpart(localpart, *server);
        ASSERT_FALSE(checked);
        EXPECT_EQ(checked.error().code, Errc::invalid_username);
    }
}

TEST(UserId, CountsThePortInTheNewIdLimit) {
    auto with_port = ServerName::parse("example.org:8448");
    ASSERT_TRUE(with_port);
    const auto fits = std::string(255 - 2 - with_port->str().size(), 'a');
    EXPECT_TRUE(validate_new_localpart(fits, *with_port));
    EXPECT_FALSE(validate_new_localpart(fits + "a", *with_port));
}

}  // namespace
}  // namespace chat
