#include <chat/core/room_id.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace chat {
namespace {

// Url-safe unpadded base64 of SHA-256("0"), and its standard-alphabet twin.
constexpr const char* kUrlSafeHash = "X-zrZv_IbzjZUnhsbWlsecLbwjndTpG0ZynXOif7V-k";
constexpr const char* kStandardHash = "X+zrZv/IbzjZUnhsbWlsecLbwjndTpG0ZynXOif7V+k";

TEST(RoomId, ParsesServerForm) {
    auto id = RoomId::parse("!OGEhHVWSdvArJzumhm:matrix.org");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->str(), "!OGEhHVWSdvArJzumhm:matrix.org");
    EXPECT_FALSE(id->is_hash_form());
    EXPECT_EQ(id->server(), "matrix.org");
}

TEST(RoomId, SplitsAtFirstColon) {
    auto id = RoomId::parse("!abc:[::1]:8448");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->server(), "[::1]:8448");
}

TEST(RoomId, AcceptsAnyOpaquePartInServerForm) {
    for (const std::string& text :
         std::vector<std::string>{"!:example.org", "!caf\xC3\xA9:example.org",
                                  "!\x7F\x01 ~:example.org", "!a+b/c=:1.2.3.4:80"}) {
        SCOPED_TRACE(text);
        auto id = RoomId::parse(text);
        ASSERT_TRUE(id) << id.error().message;
        EXPECT_FALSE(id->is_hash_form());
    }
}

TEST(RoomId, ParsesRoomVersion12Form) {
    const auto text = std::string("!") + kUrlSafeHash;
    auto id = RoomId::parse(text);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->str(), text);
    EXPECT_TRUE(id->is_hash_form());
    EXPECT_EQ(id->server(), std::nullopt);
}

TEST(RoomId, EnforcesByteLimit) {
    const std::string server = ":example.org";
    const auto longest = "!" + std::string(255 - 1 - server.size(), 'x') + server;
    ASSERT_EQ(longest.size(), 255u);
    EXPECT_TRUE(RoomId::parse(longest));
    auto too_long = RoomId::parse("!x" + longest.substr(1));
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, Errc::invalid_param);
}

TEST(RoomId, RefusesMalformedIds) {
    const std::string hash = kUrlSafeHash;
    for (const std::string& text : std::vector<std::string>{
             "",
             "!",
             "abc:example.org",     // no sigil
             "$abc:example.org",    // wrong sigil
             "!abc",                // no ':' and not a hash
             "!" + hash.substr(1),  // 42 characters
             "!" + hash + "A",      // 44 characters
             "!" + hash.substr(0, 42) + "=",
             std::string("!") + kStandardHash,  // v3 alphabet is not a room ID
             "!" + hash.substr(0, 42) + "l",    // trailing bits set
             "!" + hash.substr(0, 41) + "*A",
             "!" + hash.substr(0, 41) + "\xC3\xA9",
             "!abc:",  // empty server
             "!abc:example.org:",
             "!abc:example.org:65536",
             "!abc:1.2.3.999",
             "!abc:[::1",
             "!\xED\xA0\x80:example.org",          // lone surrogate
             "!\xC0\xAF:example.org",              // overlong
             std::string("!a\0:example.org", 15),  // NUL
         }) {
        SCOPED_TRACE(text);
        auto id = RoomId::parse(text);
        ASSERT_FALSE(id);
        EXPECT_EQ(id.error().code, Errc::invalid_param);
        EXPECT_EQ(id.error().message.rfind("Room ID is not valid: ", 0), 0u);
    }
}

TEST(RoomId, ComparesCaseSensitively) {
    auto a = RoomId::parse("!abc:example.org");
    auto b = RoomId::parse("!ABC:example.org");
    auto c = RoomId::parse("!abc:EXAMPLE.org");
    ASSERT_TRUE(a && b && c);
    EXPECT_NE(*a, *b);
    EXPECT_NE(*a, *c);
    EXPECT_EQ(*a, *RoomId::parse("!abc:example.org"));
    EXPECT_LT(*b, *a);
}

}  // namespace
}  // namespace chat
