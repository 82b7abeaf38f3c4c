#include "media/media_files.hpp"

#include <array>
#include <cassert>
#include <fstream>

#include <fmt/format.h>

#include <chat/crypto/random.hpp>
#include <chat/crypto/sha256.hpp>

namespace chat::daemon {

namespace {

constexpr std::size_t kMinIdChars = 4;  // the two shard levels
constexpr std::size_t kMaxIdChars = 255;
constexpr std::size_t kNewIdChars = 32;  // about 190 bits

Error file_error(std::string_view what, const std::filesystem::path& path,
                 const std::error_code& ec) {
    return make_error(Errc::internal, "Media storage failed",
                      fmt::format("{} {}: {}", what, path.string(), ec.message()));
}

std::string origin_component(std::string_view origin) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : origin) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

}  // namespace

Result<void> MediaFiles::prepare() const {
    // At start-up the operator reads the message: it names the directory.
    for (const auto& dir : {root_, local_, thumbnails_, tmp_}) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            return make_error(Errc::internal, fmt::format("cannot create media directory {}: {}",
                                                          dir.string(), ec.message()));
    }
    // Uploads cut short by a crash: no request will ever finish them.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(tmp_, ec)) {
        std::error_code ignored;
        std::filesystem::remove(entry.path(), ignored);
    }
    if (ec) return file_error("cannot list", tmp_, ec);
    return ok();
}

bool MediaFiles::is_valid_media_id(std::string_view media_id) noexcept {
    if (media_id.size() < kMinIdChars || media_id.size() > kMaxIdChars) return false;
    for (char c : media_id) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!allowed) return false;
    }
    return true;
}

std::string MediaFiles::new_media_id() { return crypto::random_alphanumeric(kNewIdChars); }

std::filesystem::path MediaFiles::sharded(const std::filesystem::path& base,
                                          std::string_view media_id) const {
    assert(is_valid_media_id(media_id));
    return base / media_id.substr(0, 2) / media_id.substr(2, 2) / media_id;
}

std::filesystem::path MediaFiles::content_path(std::string_view media_id) const {
    return sharded(local_, media_id);
}

std::filesystem::path MediaFiles::thumbnail_dir(std::string_view media_id) const {
    return sharded(thumbnails_, media_id);
}

std::filesystem::path MediaFiles::remote_content_path(std::string_view origin,
                                                     std::string_view media_id) const {
    return sharded(remote_ / origin_component(origin), media_id);
}

std::filesystem::path MediaFiles::remote_thumbnail_dir(std::string_view origin,
                                                      std::string_view media_id) const {
    return sharded(remote_thumbnails_ / origin_component(origin), media_id);
}

Result<std::string> MediaFiles::sha256_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return file_error("cannot open", file, std::make_error_code(std::errc::io_error));
    crypto::Sha256Stream hash;
    std::array<char, 64 * 1024> chunk;
    while (in) {
        in.read(chunk.data(), chunk.size());
        hash.update(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) return file_error("cannot read", file, std::make_error_code(std::errc::io_error));
    return hash.finish();
}

Result<void> MediaFiles::commit(const std::filesystem::path& upload,
                                std::string_view media_id) const {
    return commit_to(upload, content_path(media_id));
}

Result<void> MediaFiles::commit_to(const std::filesystem::path& upload,
                                   const std::filesystem::path& target) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return file_error("cannot create", target.parent_path(), ec);
    std::filesystem::rename(upload, target, ec);
    if (ec) return file_error("cannot move upload to", target, ec);
    return ok();
}

Result<void> MediaFiles::remove(std::string_view media_id) const {
    std::error_code ec;
    std::filesystem::remove(content_path(media_id), ec);
    if (ec) return file_error("cannot remove", content_path(media_id), ec);
    std::filesystem::remove_all(thumbnail_dir(media_id), ec);
    if (ec) return file_error("cannot remove", thumbnail_dir(media_id), ec);
    return ok();
}

}  // namespace chat::daemon
