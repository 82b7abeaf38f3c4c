#include <chat/json/base64.hpp>

#include <string>

#include <gtest/gtest.h>

#include "support/spec_vectors.hpp"

namespace chat::json {
namespace {

TEST(Base64, SpecVectorsEncodeAndDecode) {
    const auto& vectors = test::spec_vectors()["unpadded_base64"]["vectors"];
    ASSERT_EQ(vectors.size(), 7u);
    for (const auto& v : vectors) {
        const auto input = v["input_ascii"].get<std::string>();
        const auto expected = v["expected"].get<std::string>();
        EXPECT_EQ(base64_encode(input), expected) << input;
        auto decoded = base64_decode(expected);
        ASSERT_TRUE(decoded) << expected;
        EXPECT_EQ(*decoded, input);
    }
}

TEST(Base64, DecoderAcceptsPadding) {
    auto one = base64_decode("Zg==");
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, "f");
    auto two = base64_decode("Zm8=");
    ASSERT_TRUE(two);
    EXPECT_EQ(*two, "fo");
}

TEST(Base64, UrlSafeUsesDashAndUnderscore) {
    const std::string bytes("\xfb\xff\xbf", 3);
    EXPECT_EQ(base64_encode(bytes), "+/+/");
    EXPECT_EQ(base64_url_encode(bytes), "-_-_");
    auto decoded = base64_url_decode("-_-_");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes);
}

TEST(Base64, AlphabetsAreNotMixed) {
    EXPECT_FALSE(base64_decode("-_-_"));
    EXPECT_FALSE(base64_url_decode("+/+/"));
}

TEST(Base64, RefusesMalformedInput) {
    EXPECT_FALSE(base64_decode("Z"));        // impossible length
    EXPECT_FALSE(base64_decode("Zm9v!"));    // outside the alphabet
    EXPECT_FALSE(base64_decode("Zg=a"));     // padding in the middle
    EXPECT_FALSE(base64_decode("Zg==="));    // too much padding
    EXPECT_FALSE(base64_decode(std::string("Zg\0A", 4)));
    EXPECT_EQ(base64_decode("Z").error().code, Errc::invalid_param);
}

TEST(Base64, IgnoresUnusedTrailingBitsLikeTheReferenceImplementations) {
    // "Zh" and "Zg" differ only in the 4 unused bits of the last character.
    EXPECT_EQ(*base64_decode("Zh"), "f");
    EXPECT_EQ(*base64_decode("Zm9"), *base64_decode("Zm8"));
    EXPECT_EQ(*base64_url_decode("-_-"), *base64_url_decode("-_8"));
    // The spec's published seed ends in such a character.
    auto seed = base64_decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
    ASSERT_TRUE(seed);
    EXPECT_EQ(seed->size(), 32u);
}

TEST(Base64, RoundTripsEveryByteValue) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= all.size(); len += 37) {
        const auto slice = all.substr(0, len);
        EXPECT_EQ(*base64_decode(base64_encode(slice)), slice);
        EXPECT_EQ(*base64_url_decode(base64_url_encode(slice)), slice);
    }
}

}  // namespace
}  // namespace chat::json
