#pragma once

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// Our local media for other servers (digest federation.md §17), X-Matrix
// authenticated (register with with_server_auth). Both answer
// multipart/mixed: a JSON part "{}" and the bytes with their Content-Type
// and Content-Disposition. Unknown or quarantined media, and other servers'
// media, are 404 M_NOT_FOUND; media reserved but not uploaded is 504
// M_NOT_YET_UPLOADED (we do not wait). The whole file is read into memory:
// it is at most media.max_upload_bytes.

// GET /_matrix/federation/v1/media/download/{mediaId}?timeout_ms=
Task<Result<Reply>> get_federation_media_download(Request& request, const ServerName& origin);

// GET /_matrix/federation/v1/media/thumbnail/{mediaId}?width&height&method&animated&timeout_ms
// Thumbnails as the client endpoint makes them (never animated).
Task<Result<Reply>> get_federation_media_thumbnail(Request& request, const ServerName& origin);

}  // namespace chat::daemon
