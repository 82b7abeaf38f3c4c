#include <chat/crypto/sha256.hpp>

#include <string>

#include <gtest/gtest.h>

namespace chat::crypto {
namespace {

std::string to_hex(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

// FIPS 180-2 examples.
TEST(Sha256, MatchesTheStandardExamples) {
    EXPECT_EQ(to_hex(sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, HashesEmbeddedNulBytes) {
    std::string with_nul("a\0b", 3);
    EXPECT_EQ(sha256(with_nul).size(), kSha256Bytes);
    EXPECT_NE(sha256(with_nul), sha256("a"));
}

}  // namespace
}  // namespace chat::crypto

namespace chat::crypto {
namespace {

TEST(Sha256Stream, PiecesHashLikeTheWhole) {
    std::string text(100000, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7 + 3);
    Sha256Stream stream;
    for (std::size_t at = 0; at < text.size(); at += 4093)
        stream.update(std::string_view(text).substr(at, 4093));
    EXPECT_EQ(stream.finish(), sha256(text));
    EXPECT_EQ(Sha256Stream().finish(), sha256(""));
}

}  // namespace
}  // namespace chat::crypto
