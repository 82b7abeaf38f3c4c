#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/store/media.hpp>

#include "http/request.hpp"
#include "http/task.hpp"
#include "media/thumbnailer.hpp"

namespace chat::daemon {

// The route's {serverName}/{mediaId} when they name local media we could
// hold: Errc::not_found (404 M_NOT_FOUND) for another server's media and
// for ids outside the media-id grammar, which are thus never turned into a
// path.
Result<std::string> local_media_id(const Request& request);

// Content we can serve: its metadata and where its bytes and thumbnails are.
struct MediaSource {
    store::MediaRow row;
    std::filesystem::path content;
    std::filesystem::path thumbnail_dir;
};

// The stored metadata of local media that may be served (media_download.cpp):
// quarantined and unknown ids are 404; an id reserved by /create whose
// content has not arrived is 504 M_NOT_YET_UPLOADED.
Task<Result<store::MediaRow>> local_downloadable(const Request& request,
                                                 const std::string& media_id);

// The route's {serverName}/{mediaId}: local media, or another server's
// media from our cache, fetched over federation on a miss
// (media_remote.cpp). Errors: not_found (also for an invalid id or server
// name), not_yet_uploaded, remote_unavailable (502).
Task<Result<MediaSource>> media_source(const Request& request);

// Another server's media (media_remote.cpp): from the cache, else fetched
// with GET /_matrix/federation/v1/media/download (falling back to the legacy
// /_matrix/media/v3/download on 404 M_UNRECOGNIZED), stored and recorded as
// remote media. `media_id` must be valid (MediaFiles::is_valid_media_id).
Task<Result<MediaSource>> remote_media_source(const Request& request, ServerName origin,
                                              std::string media_id);

// The thumbnail query (width, height, method) of client and federation routes.
struct ThumbnailSpec {
    int width = 0;
    int height = 0;
    ThumbnailMethod method = ThumbnailMethod::scale;
};
Result<ThumbnailSpec> thumbnail_spec(const Request& request);

// The thumbnail of `source` (made on the CPU pool unless cached on disk) and
// its size in bytes.
Task<Result<std::pair<Thumbnail, std::uint64_t>>> make_thumbnail(const Request& request,
                                                                 const MediaSource& source,
                                                                 ThumbnailSpec spec);

}  // namespace chat::daemon
