#include "app/database_bootstrap.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

class DatabaseBootstrapTest : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::path(testing::TempDir()) /
               ("database_bootstrap_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(DatabaseBootstrapTest, CreatesTheFileInWalMode) {
    auto path = dir_ / "chatd.db";
    {
        auto db = DatabaseBootstrap::open(path);
        ASSERT_TRUE(db) << db.error().message;
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    // WAL mode is persistent: the header's read/write versions are 2.
    std::ifstream in(path, std::ios::binary);
    char header[20] = {};
    in.read(header, sizeof header);
    EXPECT_EQ(header[18], 2);
    EXPECT_EQ(header[19], 2);
}

TEST_F(DatabaseBootstrapTest, RefusesAFileThatIsNotADatabase) {
    auto path = dir_ / "not-a.db";
    std::ofstream(path) << "this is not SQLite, but long enough to have a header ......... ";
    auto db = DatabaseBootstrap::open(path);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::storage);
    EXPECT_NE(db.error().message.find(path.string()), std::string::npos);
}

TEST_F(DatabaseBootstrapTest, RefusesAMissingDirectory) {
    auto db = DatabaseBootstrap::open(dir_ / "missing" / "chatd.db");
    EXPECT_FALSE(db);
}

}  // namespace
}  // namespace chat::daemon
