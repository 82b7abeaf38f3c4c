#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// Metadata of one piece of content (mxc://origin/media_id); the bytes live
// on disk, under the media directory.
struct MediaRow {
    ServerName origin;
    std::string media_id;
    std::optional<UserId> uploader;  // none for remote media
    std::optional<std::string> content_type;
    std::optional<std::string> upload_name;
    std::int64_t size = 0;
    std::string sha256;  // 32 raw bytes; empty until the content is known
    std::int64_t created_ts = 0;
    bool quarantined = false;
};

class MediaReader {
public:
    virtual ~MediaReader() = default;
    virtual Result<std::optional<MediaRow>> get(const ServerName& origin,
                                                std::string_view media_id) = 0;
    // Newest first.
    virtual Result<std::vector<MediaRow>> by_uploader(const UserId& uploader,
                                                      std::size_t limit) = 0;
};

class Media : public MediaReader {
public:
    // Errors: Errc::invalid_param when (origin, media_id) exists.
    virtual Result<void> put(const MediaRow& row) = 0;
    // Returns false for unknown media.
    virtual Result<bool> set_quarantined(const ServerName& origin, std::string_view media_id,
                                         bool quarantined) = 0;
    virtual Result<bool> remove(const ServerName& origin, std::string_view media_id) = 0;
};

}  // namespace chat::store
