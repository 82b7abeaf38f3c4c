#include <chat/accounts/shared_secret.hpp>

#include <gtest/gtest.h>

namespace chat::accounts {
namespace {

// Expected MACs computed independently with Python's hmac module, the way Synapse's
// register_new_matrix_user script builds them.
TEST(SharedSecret, MacMatchesSynapsesConstruction) {
    EXPECT_EQ(shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland", true),
              "9ab0c88717b2f6a5b7ce2615a8c75d20f0602a38");
    EXPECT_EQ(shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland", false),
              "fde60f8d072af5edc9e560e69bce0b4ac862bbdb");
    EXPECT_EQ(shared_secret_mac("shared_secret", "thisisanonce", "bob", "abc123", false, "bot"),
              "e0e44629dd046a6345b4aa3547d96223ea5700ae");
}

TEST(SharedSecret, AcceptsOnlyTheMacOfTheSameFields) {
    const auto mac = "9ab0c88717b2f6a5b7ce2615a8c75d20f0602a38";
    EXPECT_TRUE(
        check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland", true, mac));
    // Any field changed, the admin flag in particular, breaks it.
    EXPECT_FALSE(check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland",
                                         false, mac));
    EXPECT_FALSE(
        check_shared_secret_mac("other_secret", "thisisanonce", "alice", "wonderland", true, mac));
    EXPECT_FALSE(
        check_shared_secret_mac("shared_secret", "anothernonce", "alice", "wonderland", true, mac));
    EXPECT_FALSE(check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland",
                                         true, mac, "bot"));
    // Upper-case, truncated or empty MACs are refused.
    EXPECT_FALSE(check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland",
                                         true, "9AB0C88717B2F6A5B7CE2615A8C75D20F0602A38"));
    EXPECT_FALSE(check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland",
                                         true, "9ab0c88717b2f6a5b7ce2615a8c75d20f0602a3"));
    EXPECT_FALSE(
        check_shared_secret_mac("shared_secret", "thisisanonce", "alice", "wonderland", true, ""));
}

TEST(SharedSecret, AnEmptySecretNeverMatches) {
    const auto mac = shared_secret_mac("", "n", "alice", "pw", true);
    EXPECT_FALSE(check_shared_secret_mac("", "n", "alice", "pw", true, mac));
}

TEST(SharedSecret, FieldBoundariesMatter) {
    // The NUL separators keep "ab"+"c" apart from "a"+"bc".
    EXPECT_NE(shared_secret_mac("s", "n", "ab", "c", false),
              shared_secret_mac("s", "n", "a", "bc", false));
}

}  // namespace
}  // namespace chat::accounts
