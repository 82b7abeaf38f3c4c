#include "app/signing_key_file.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

class SigningKeyFile : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::path(testing::TempDir()) /
               ("signing_key_file_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static std::string read(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::filesystem::path dir_;
};

TEST_F(SigningKeyFile, GeneratesOnceThenKeepsTheKey) {
    auto path = dir_ / "signing.key";
    auto first = load_or_generate_signing_key(path);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->generated);
    EXPECT_EQ(first->key.key_id().rfind("ed25519:a_", 0), 0u);
    auto perms = std::filesystem::status(path).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);

    auto second = load_or_generate_signing_key(path);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->generated);
    EXPECT_EQ(second->key.key_id(), first->key.key_id());
    EXPECT_EQ(second->key.verify_key().public_key(), first->key.verify_key().public_key());
}

TEST_F(SigningKeyFile, NeverOverwritesAnUnreadableKey) {
    auto path = dir_ / "signing.key";
    std::ofstream(path) << "ed25519 a_bad not-base64!\n";
    auto loaded = load_or_generate_signing_key(path);
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message.find(path.string()), std::string::npos);
    EXPECT_EQ(read(path), "ed25519 a_bad not-base64!\n");
}

}  // namespace
}  // namespace chat::daemon
