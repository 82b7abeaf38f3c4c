#include "app/signing_key_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

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

TEST_F(SigningKeyFile, WorkersStartingTogetherAgreeOnOneKey) {
    // Several chatd workers on a new data_dir: exactly one key is generated.
    for (int round = 0; round < 20; ++round) {
        auto path = dir_ / ("key" + std::to_string(round));
        std::vector<std::string> ids(4);
        std::vector<bool> generated(4);
        std::vector<std::thread> starts;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            starts.emplace_back([&, i] {
                auto loaded = load_or_generate_signing_key(path);
                ASSERT_TRUE(loaded) << loaded.error().message;
                ids[i] = loaded->key.key_id();
                generated[i] = loaded->generated;
            });
        }
        for (auto& t : starts) t.join();
        for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
        EXPECT_EQ(std::count(generated.begin(), generated.end(), true), 1);
        EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                                std::filesystem::directory_iterator{}),
                  round + 1)
            << "a temporary file was left behind";
    }
}

}  // namespace
}  // namespace chat::daemon
