#include <chat/core/room_alias.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(RoomAlias, ParsesAlias) {
    auto alias = RoomAlias::parse("#lobby:example.org:8448");
    ASSERT_TRUE(alias) << alias.error().message;
    EXPECT_EQ(alias->str(), "#lobby:example.org:8448");
    EXPECT_EQ(alias->localpart(), "lobby");
    EXPECT_EQ(alias->server(), "example.org:8448");
}

TEST(RoomAlias, AcceptsAnyLocalpart) {
    for (const std::string& text :
         std::vector<std::string>{"#:example.org", "#Caf\xC3\xA9 Lounge:example.org",
                                  "#\xF0\x9F\x98\x80:[::1]", "#a#b@c!d$:1.2.3.4"}) {
        SCOPED_TRACE(text);
        auto alias = RoomAlias::parse(text);
        ASSERT_TRUE(alias) << alias.error().message;
        EXPECT_EQ(alias->str(), text);
    }
}

TEST(RoomAlias, EnforcesByteLimit) {
    const std::string server = ":example.org";
    const auto longest = "#" + std::string(255 - 1 - server.size(), 'x') + server;
    ASSERT_EQ(longest.size(), 255u);
    EXPECT_TRUE(RoomAlias::parse(longest));
    auto too_long = RoomAlias::parse("#x" + longest.substr(1));
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, Errc::invalid_param);
}

TEST(RoomAlias, RefusesMalformedAliases) {
    for (const std::string& text : std::vector<std::string>{
             "",
             "#",
             "lobby:example.org",
             "@lobby:example.org",
             "#lobby",
             "#lobby:",
             "#lobby:example.org:99999",
             "#lobby:1.2.3.999",
             "#lobby:[::1",
             "#\xED\xA0\x80:example.org",
             "#\xF8\x88\x80\x80\x80:example.org",  // five-byte form
             std::string("#a\0:example.org", 15),
         }) {
        SCOPED_TRACE(text);
        auto alias = RoomAlias::parse(text);
        ASSERT_FALSE(alias);
        EXPECT_EQ(alias.error().code, Errc::invalid_param);
        EXPECT_EQ(alias.error().message.rfind("Room alias is not valid: ", 0), 0u);
    }
}

TEST(RoomAlias, ComparesCaseSensitively) {
    auto a = RoomAlias::parse("#lobby:example.org");
    auto b = RoomAlias::parse("#Lobby:example.org");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(*a, *RoomAlias::parse("#lobby:example.org"));
}

}  // namespace
}  // namespace chat
