#include "media/media_files.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include <chat/crypto/sha256.hpp>

#include <chat/crypto/random.hpp>

namespace chat::daemon {
namespace {

// A fresh directory under gtest's temp dir, removed afterwards.
class ScratchDir {
public:
    ScratchDir()
        : path_(std::filesystem::path(testing::TempDir()) /
                ("media_files_" + crypto::random_alphanumeric(12))) {
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

TEST(MediaFiles, IdsOutsideTheGrammarAreInvalid) {
    EXPECT_TRUE(MediaFiles::is_valid_media_id("abcdEFGH0123_-"));
    for (auto bad : {"", "abc", "..", "....", "ab/cd", "ab\\cd", "abcd.png", "abc\0d", "ab cd"})
        EXPECT_FALSE(MediaFiles::is_valid_media_id(bad)) << bad;
    EXPECT_FALSE(MediaFiles::is_valid_media_id(std::string(256, 'a')));
    auto fresh = MediaFiles::new_media_id();
    EXPECT_TRUE(MediaFiles::is_valid_media_id(fresh));
    EXPECT_NE(fresh, MediaFiles::new_media_id());
}

TEST(MediaFiles, CommitShardsAndRemoveTakesThumbnailsToo) {
    ScratchDir dir;
    MediaFiles files(dir.path() / "media");
    ASSERT_TRUE(files.prepare());
    auto upload = files.upload_dir() / "upload-x";
    std::ofstream(upload) << "content";
    auto digest = MediaFiles::sha256_of(upload);
    ASSERT_TRUE(digest);
    EXPECT_EQ(*digest, crypto::sha256("content"));
    ASSERT_TRUE(files.commit(upload, "AbCdEf"));
    EXPECT_FALSE(std::filesystem::exists(upload));
    auto stored = files.content_path("AbCdEf");
    EXPECT_EQ(stored, dir.path() / "media" / "local" / "Ab" / "Cd" / "AbCdEf");
    EXPECT_TRUE(std::filesystem::exists(stored));
    std::filesystem::create_directories(files.thumbnail_dir("AbCdEf"));
    std::ofstream(files.thumbnail_dir("AbCdEf") / "32x32-crop.png") << "t";
    ASSERT_TRUE(files.remove("AbCdEf"));
    EXPECT_FALSE(std::filesystem::exists(stored));
    EXPECT_FALSE(std::filesystem::exists(files.thumbnail_dir("AbCdEf")));
}

TEST(MediaFiles, PrepareClearsUploadsLeftByACrash) {
    ScratchDir dir;
    MediaFiles files(dir.path() / "media");
    ASSERT_TRUE(files.prepare());
    std::ofstream(files.upload_dir() / "upload-left") << "half";
    ASSERT_TRUE(files.prepare());
    EXPECT_TRUE(std::filesystem::is_empty(files.upload_dir()));
}

TEST(MediaFiles, RemoteMediaLiveUnderOneSafeFolderPerOrigin) {
    MediaFiles files("/data/media");
    EXPECT_EQ(files.remote_content_path("127.0.0.1:8448", "abcdef"),
              std::filesystem::path("/data/media/remote/127%2E0%2E0%2E1%3A8448/ab/cd/abcdef"));
    EXPECT_EQ(files.remote_thumbnail_dir("[::1]", "abcdef"),
              std::filesystem::path("/data/media/remote_thumbnails/%5B%3A%3A1%5D/ab/cd/abcdef"));
    // Names that mean something to a file system are one plain component.
    EXPECT_EQ(files.remote_content_path("..", "abcdef").parent_path().parent_path().parent_path(),
              std::filesystem::path("/data/media/remote/%2E%2E"));
    // Case is kept apart, and never meets the local tree.
    EXPECT_NE(files.remote_content_path("Example.org", "abcdef"),
              files.remote_content_path("example.org", "abcdef"));
    EXPECT_NE(files.remote_content_path("local", "abcdef"), files.content_path("abcdef"));
}

}  // namespace
}  // namespace chat::daemon
