#include <chat/crypto/password.hpp>

#include <string>

#include <gtest/gtest.h>

namespace chat::crypto {
namespace {

// Well-formed PHC strings with made-up salt and hash, for the parameter checks.
const std::string kSalt = "c29tZXNhbHRzb21lc2FsdA";
const std::string kHash = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
std::string phc(const std::string& alg, const std::string& params) {
    return "$" + alg + "$v=19$" + params + "$" + kSalt + "$" + kHash;
}

TEST(Password, HashVerifiesWithTheRightPasswordOnly) {
    auto stored = hash_password("correct horse battery staple");
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << *stored;
    EXPECT_TRUE(verify_password(*stored, "correct horse battery staple"));
    EXPECT_FALSE(verify_password(*stored, "correct horse battery stapler"));
    EXPECT_FALSE(verify_password(*stored, "Correct horse battery staple"));
    EXPECT_FALSE(verify_password(*stored, ""));
    EXPECT_FALSE(password_needs_rehash(*stored));
}

TEST(Password, HashesAreSalted) {
    auto a = hash_password("same");
    auto b = hash_password("same");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_TRUE(verify_password(*a, "same"));
    EXPECT_TRUE(verify_password(*b, "same"));
}

TEST(Password, NonAsciiAndEmptyPasswordsWork) {
    auto stored = hash_password("pässwörd\xF0\x9F\x94\x91");
    ASSERT_TRUE(stored);
    EXPECT_TRUE(verify_password(*stored, "pässwörd\xF0\x9F\x94\x91"));
    EXPECT_FALSE(verify_password(*stored, "passwort"));

    auto empty = hash_password("");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(verify_password(*empty, ""));
    EXPECT_FALSE(verify_password(*empty, " "));
}

TEST(Password, MalformedStoredHashIsSimplyFalse) {
    auto stored = hash_password("pw");
    ASSERT_TRUE(stored);
    const std::string with_nul = *stored + std::string("\0", 1);
    for (const std::string& bad :
         {std::string(), std::string("garbage"), stored->substr(0, stored->size() - 5),
          stored->substr(1), *stored + "x", with_nul, std::string(200, '$'),
          std::string("$2b$12$abcdefghijklmnopqrstuv")}) {
        EXPECT_FALSE(verify_password(bad, "pw")) << bad;
    }
    for (const std::string& not_argon2id :
         {std::string(), std::string("garbage"), stored->substr(1), with_nul,
          std::string(200, '$'), std::string("$2b$12$abcdefghijklmnopqrstuv")})
        EXPECT_TRUE(password_needs_rehash(not_argon2id)) << not_argon2id;
    // Well formed, but not the hash of "pw".
    EXPECT_FALSE(verify_password(phc("argon2id", "m=65536,t=2,p=1"), "pw"));
}

TEST(Password, OverlongPasswordsAreRefused) {
    std::string huge(kMaxPasswordBytes + 1, 'p');
    auto stored = hash_password(huge);
    ASSERT_FALSE(stored);
    EXPECT_EQ(stored.error().code, Errc::invalid_param);
    EXPECT_TRUE(hash_password(std::string(kMaxPasswordBytes, 'p')));
}

TEST(Password, RehashIsNeededForOtherAlgorithmsAndParameters) {
    EXPECT_FALSE(password_needs_rehash(phc("argon2id", "m=65536,t=2,p=1")));
    EXPECT_TRUE(password_needs_rehash(phc("argon2id", "m=65536,t=3,p=1")));
    EXPECT_TRUE(password_needs_rehash(phc("argon2id", "m=32768,t=2,p=1")));
    EXPECT_TRUE(password_needs_rehash(phc("argon2i", "m=65536,t=2,p=1")));
    EXPECT_TRUE(password_needs_rehash(""));
}

}  // namespace
}  // namespace chat::crypto
