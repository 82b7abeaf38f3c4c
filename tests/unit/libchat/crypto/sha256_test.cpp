#include <chat/crypto/sha256.hpp>

#include <string>
#include <thread>
#include <utility>
#include <vector>

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

// FIPS 180-2's long example: a million 'a's, more than any buffer inside.
TEST(Sha256, MatchesTheMillionCharacterExample) {
    EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Each thread reuses a digest context of its own: digests made at the same
// time on many threads, each after others of its own, are all right.
TEST(Sha256, ThreadsHashAtTheSameTimeAlike) {
    const std::string want_abc = sha256("abc");
    const std::string want_long = sha256(std::string(5000, 'x'));
    std::vector<int> wrong(8, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < wrong.size(); ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                if (sha256("abc") != want_abc) ++wrong[t];
                if (sha256(std::string(5000, 'x')) != want_long) ++wrong[t];
            }
        });
    for (auto& thread : threads) thread.join();
    for (std::size_t t = 0; t < wrong.size(); ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
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

TEST(Sha256Stream, AMovedStreamCarriesWhatItWasGiven) {
    Sha256Stream first;
    first.update("ab");
    Sha256Stream second(std::move(first));
    second.update("c");
    Sha256Stream third;
    third = std::move(second);
    EXPECT_EQ(to_hex(third.finish()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace chat::crypto
