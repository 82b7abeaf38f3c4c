#pragma once

#include <chat/core/result.hpp>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

// The content repository (spec: client-server "Content repository"):
// uploads in media_upload.cpp, downloads and thumbnails in
// media_download.cpp, the Synapse-compatible admin API in media_admin.cpp.
namespace chat::daemon {

// Upload routes take their body as a file (BodyKind::to_file).
Task<Result<Reply>> post_media_upload(Request& request);
Task<Result<Reply>> post_media_create(Request& request);
Task<Result<Reply>> put_media_upload(Request& request);

Task<Result<Reply>> get_media_config(Request& request);
Task<Result<Reply>> get_media_download(Request& request);
Task<Result<Reply>> get_media_thumbnail(Request& request);
Task<Result<Reply>> get_legacy_media_config(Request& request);
Task<Result<Reply>> get_legacy_media_download(Request& request);
Task<Result<Reply>> get_legacy_media_thumbnail(Request& request);

Task<Result<Reply>> post_admin_media_quarantine(Request& request);
Task<Result<Reply>> delete_admin_media(Request& request);
Task<Result<Reply>> get_admin_user_media(Request& request);

}  // namespace chat::daemon
