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
    // Remote media: when it was last served through us (created_ts until
    // then); media.remote_retention_days expires by it. 0 in put(): created_ts.
    std::int64_t last_access_ts = 0;
};

// A media id handed out by POST /_matrix/media/v1/create whose content has
// not been uploaded yet. Always local (our server name).
struct PendingMediaRow {
    std::string media_id;
    UserId creator;
    std::int64_t created_ts = 0;
    std::int64_t expires_ts = 0;  // unused_expires_at: after it the id is dead
};

class MediaReader {
public:
    virtual ~MediaReader() = default;
    virtual Result<std::optional<MediaRow>> get(const ServerName& origin,
                                                std::string_view media_id) = 0;
    // Newest first.
    virtual Result<std::vector<MediaRow>> by_uploader(const UserId& uploader,
                                                      std::size_t limit) = 0;
    // Oldest first, skipping `offset` rows (the Synapse admin list pages so).
    virtual Result<std::vector<MediaRow>> page_by_uploader(const UserId& uploader,
                                                           std::size_t offset,
                                                           std::size_t limit) = 0;
    virtual Result<std::int64_t> count_by_uploader(const UserId& uploader) = 0;

    // A reserved id, expired or not (the caller compares expires_ts).
    virtual Result<std::optional<PendingMediaRow>> pending(std::string_view media_id) = 0;
    // Reserved ids of `creator` not yet expired at `now_ms`.
    virtual Result<std::int64_t> count_pending(const UserId& creator, std::int64_t now_ms) = 0;

    // Cached media of other servers (origin is not `local`, no uploader)
    // last accessed before `before_ms`, least recently accessed first.
    virtual Result<std::vector<MediaRow>> remote_not_accessed_since(const ServerName& local,
                                                                    std::int64_t before_ms,
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
    // Records that cached remote media was served at `now_ms`. Returns false
    // for unknown media.
    virtual Result<bool> touch(const ServerName& origin, std::string_view media_id,
                               std::int64_t now_ms) = 0;
    // Removes cached remote media only if it is still not accessed since
    // `before_ms` (a download may have touched it after it was listed) and
    // is not `local`'s. Returns whether it was removed.
    virtual Result<bool> remove_remote_if_idle(const ServerName& local, const ServerName& origin,
                                               std::string_view media_id,
                                               std::int64_t before_ms) = 0;

    // Errors: Errc::invalid_param when the id is already reserved.
    virtual Result<void> reserve(const PendingMediaRow& row) = 0;
    // Returns false when the id was not reserved (already used, or never).
    virtual Result<bool> remove_pending(std::string_view media_id) = 0;
    // Forgets reservations that expired before `now_ms`; returns how many.
    virtual Result<std::int64_t> remove_expired_pending(std::int64_t now_ms) = 0;
};

}  // namespace chat::store
