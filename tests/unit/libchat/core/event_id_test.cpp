#include <chat/core/event_id.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace chat {
namespace {

// Unpadded base64 of SHA-256("0") in both alphabets, and of SHA-256("10"),
// whose encoding has only letters and digits.
constexpr const char* kStandardHash = "X+zrZv/IbzjZUnhsbWlsecLbwjndTpG0ZynXOif7V+k";
constexpr const char* kUrlSafeHash = "X-zrZv_IbzjZUnhsbWlsecLbwjndTpG0ZynXOif7V-k";
constexpr const char* kAlnumHash = "SkTcFTZCBKgP6A6QOUVcwWCCgYIP4rJPHlIzreavHdU";

using Format = EventId::Format;

TEST(EventId, ParsesDomainForm) {
    auto id = EventId::parse("$a1b2C3:example.org:8448");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->str(), "$a1b2C3:example.org:8448");
    EXPECT_FALSE(id->is_hash_form());
    EXPECT_EQ(id->server(), "example.org:8448");
    EXPECT_TRUE(id->fits(Format::domain));
    EXPECT_FALSE(id->fits(Format::base64));
    EXPECT_FALSE(id->fits(Format::url_safe_base64));
}

TEST(EventId, AcceptsAnyOpaquePartInDomainForm) {
    for (const std::string& text : std::vector<std::string>{
             "$:example.org", "$caf\xC3\xA9:example.org", "$a+b/c-d_e=:example.org",
             "$\x01:example.org", std::string("$") + kStandardHash + ":example.org"}) {
        SCOPED_TRACE(text);
        auto id = EventId::parse(text);
        ASSERT_TRUE(id) << id.error().message;
        EXPECT_TRUE(id->fits(Format::domain));
    }
}

TEST(EventId, ParsesRoomVersion3Hash) {
    auto id = EventId::parse(std::string("$") + kStandardHash);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(id->is_hash_form());
    EXPECT_EQ(id->server(), std::nullopt);
    EXPECT_TRUE(id->fits(Format::base64));
    EXPECT_FALSE(id->fits(Format::url_safe_base64));
    EXPECT_FALSE(id->fits(Format::domain));
}

TEST(EventId, ParsesRoomVersion4Hash) {
    auto id = EventId::parse(std::string("$") + kUrlSafeHash);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(id->is_hash_form());
    EXPECT_EQ(id->server(), std::nullopt);
    EXPECT_TRUE(id->fits(Format::url_safe_base64));
    EXPECT_FALSE(id->fits(Format::base64));
}

TEST(EventId, AlphanumericHashFitsBothAlphabets) {
    auto id = EventId::parse(std::string("$") + kAlnumHash);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(id->fits(Format::base64));
    EXPECT_TRUE(id->fits(Format::url_safe_base64));
    EXPECT_FALSE(id->fits(Format::domain));
}

TEST(EventId, EnforcesByteLimit) {
    const std::string server = ":example.org";
    const auto longest = "$" + std::string(255 - 1 - server.size(), 'x') + server;
    ASSERT_EQ(longest.size(), 255u);
    EXPECT_TRUE(EventId::parse(longest));
    auto too_long = EventId::parse("$x" + longest.substr(1));
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, Errc::invalid_param);
}

TEST(EventId, RefusesMalformedIds) {
    const std::string url_safe = kUrlSafeHash;
    for (const std::string& text : std::vector<std::string>{
             "",
             "$",
             std::string(kUrlSafeHash),           // no sigil
             "!" + url_safe,                      // wrong sigil
             "$" + url_safe.substr(1),            // 42 characters
             "$" + url_safe + "A",                // 44 characters
             "$" + url_safe + "=",                // padded
             "$" + url_safe.substr(0, 42) + "l",  // trailing bits set
             "$" + url_safe.substr(0, 42) + "_",
             "$" + url_safe.substr(0, 41) + "+A",  // '-' and '+' mixed
             "$" + url_safe.substr(0, 41) + ".A",  // not base64
             "$" + url_safe.substr(0, 41) + " A",
             "$" + url_safe.substr(0, 41) + "\xC3\xA9",  // two bytes, 43 total
             "$abc",                                     // neither form
             "$abc:",                                    // empty server
             "$abc:example.org:65536",
             "$abc:1.2.3.999",
             "$\xED\xA0\x80:example.org",  // lone surrogate
             "$\xFF:example.org",
             std::string("$a\0:example.org", 15),  // NUL
         }) {
        SCOPED_TRACE(text);
        auto id = EventId::parse(text);
        ASSERT_FALSE(id);
        EXPECT_EQ(id.error().code, Errc::invalid_param);
        EXPECT_EQ(id.error().message.rfind("Event ID is not valid: ", 0), 0u);
    }
}

TEST(EventId, ComparesCaseSensitively) {
    auto lower = EventId::parse("$abc:example.org");
    auto upper = EventId::parse("$ABC:example.org");
    ASSERT_TRUE(lower && upper);
    EXPECT_NE(*lower, *upper);
    EXPECT_EQ(*lower, *EventId::parse("$abc:example.org"));
    EXPECT_LT(*upper, *lower);
}

}  // namespace
}  // namespace chat
