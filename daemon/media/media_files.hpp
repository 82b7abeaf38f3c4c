#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat::daemon {

// Where local media live on disk, and the file operations on them.
//
// Layout under `root` (<data_dir>/media):
//   local/ab/cd/<media_id>                  the content, named by its id
//   thumbnails/ab/cd/<media_id>/<w>x<h>-<method>.<ext>
//   remote/<origin>/ab/cd/<media_id>        cached remote media (federation)
//   remote_thumbnails/<origin>/ab/cd/<media_id>/...
//   tmp/                                    uploads being received
// "ab" and "cd" are the id's first four characters, so no folder grows past
// 62^2 entries. Paths are built only from ids that passed is_valid_media_id,
// so a request cannot name a file outside `root`. Thread-safe (no state
// beyond the root); every call blocks on the file system.
class MediaFiles {
public:
    explicit MediaFiles(std::filesystem::path root) : root_(std::move(root)) {}

    // Creates root, local/, thumbnails/ and tmp/, and empties tmp/ of uploads
    // a crash left behind. Errors: Errc::internal naming the directory.
    Result<void> prepare() const;

    // Media ids we hand out are 32 characters of [A-Za-z0-9]; ids from
    // requests are accepted when they are 4 to 255 characters of
    // [A-Za-z0-9_-] (the spec's grammar), which excludes '/', '.' and '\0'.
    static bool is_valid_media_id(std::string_view media_id) noexcept;
    // A new random, unguessable media id (libsodium CSPRNG).
    static std::string new_media_id();

    const std::filesystem::path& upload_dir() const noexcept { return tmp_; }
    // Both require is_valid_media_id(media_id) (asserted).
    std::filesystem::path content_path(std::string_view media_id) const;
    std::filesystem::path thumbnail_dir(std::string_view media_id) const;

    // The same for another server's media cached here. `origin` is a parsed
    // server name; its characters other than [a-z0-9-] are written %XX, so
    // it is one safe path component ('.' included: never "..").
    std::filesystem::path remote_content_path(std::string_view origin,
                                              std::string_view media_id) const;
    std::filesystem::path remote_thumbnail_dir(std::string_view origin,
                                               std::string_view media_id) const;

    // The SHA-256 (32 raw bytes) of a file, read in chunks. Errors:
    // Errc::internal when it cannot be read.
    static Result<std::string> sha256_of(const std::filesystem::path& file);

    // Moves a finished upload (a file in upload_dir()) to content_path(id),
    // creating the shard folders; rename(2) makes it appear whole or not at
    // all. Errors: Errc::internal.
    Result<void> commit(const std::filesystem::path& upload, std::string_view media_id) const;
    // The same into any path of ours (remote_content_path).
    static Result<void> commit_to(const std::filesystem::path& upload,
                                  const std::filesystem::path& target);

    // Removes the content and every thumbnail of `media_id`; missing files
    // are fine. Errors: Errc::internal when something could not be removed.
    Result<void> remove(std::string_view media_id) const;

private:
    std::filesystem::path sharded(const std::filesystem::path& base,
                                  std::string_view media_id) const;

    std::filesystem::path root_;
    std::filesystem::path local_ = root_ / "local";
    std::filesystem::path thumbnails_ = root_ / "thumbnails";
    std::filesystem::path tmp_ = root_ / "tmp";
    std::filesystem::path remote_ = root_ / "remote";
    std::filesystem::path remote_thumbnails_ = root_ / "remote_thumbnails";
};

}  // namespace chat::daemon
