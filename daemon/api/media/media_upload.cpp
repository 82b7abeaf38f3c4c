#include "api/media/media.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/media/media_params.hpp"
#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "media/media_files.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Bounds on the metadata an upload carries (headers and query are already
// bounded by the session; these keep one row small).
constexpr std::size_t kMaxContentTypeBytes = 255;
constexpr std::size_t kMaxFilenameBytes = 255;
// Ids from /create a user may hold unused at once (the spec's
// M_LIMIT_EXCEEDED on too many pending uploads).
constexpr std::int64_t kMaxPendingPerUser = 50;

bool has_control_chars(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
    return false;
}

// What an upload says about its content: Content-Type and ?filename=.
struct UploadMeta {
    std::optional<std::string> content_type;
    std::optional<std::string> filename;
};

Result<UploadMeta> upload_meta(const Request& request) {
    UploadMeta meta;
    auto type = request.header("Content-Type");
    if (!type.empty()) {
        if (type.size() > kMaxContentTypeBytes || has_control_chars(type))
            return make_error(Errc::invalid_param, "Invalid Content-Type");
        meta.content_type = std::string(type);
    }
    if (auto name = request.query("filename"); name && !name->empty()) {
        if (name->size() > kMaxFilenameBytes)
            return make_error(Errc::too_large, "'filename' is too long");
        if (has_control_chars(*name))
            return make_error(Errc::invalid_param, "'filename' contains control characters");
        meta.filename = std::move(*name);
    }
    return meta;
}

Result<void> require_content(const Request& request) {
    if (request.body_file().empty() || request.body_file_size() == 0)
        return make_error(Errc::invalid_param, "The upload is empty.");
    return ok();
}

// Hashes the received body, moves it into place as `media_id` and records
// it. Blocks the CPU pool (hashing, rename) and the DB writer.
Task<Result<void>> keep_upload(Request& request, std::string media_id, UploadMeta meta) {
    const auto& services = request.services();
    const auto& files = *services.media_files;
    std::filesystem::path upload = request.body_file();
    auto sha256 = co_await services.cpu->run([&]() -> Result<std::string> {
        auto digest = MediaFiles::sha256_of(upload);
        if (!digest) return digest.error();
        if (auto moved = files.commit(upload, media_id); !moved) return moved.error();
        return digest;
    });
    if (!sha256) co_return sha256.error();

    auto origin = ServerName::parse(services.server_name);
    if (!origin) co_return origin.error();
    store::MediaRow row{.origin = std::move(*origin),
                        .media_id = media_id,
                        .uploader = request.requester().user_id,
                        .content_type = std::move(meta.content_type),
                        .upload_name = std::move(meta.filename),
                        .size = static_cast<std::int64_t>(request.body_file_size()),
                        .sha256 = std::move(*sha256),
                        .created_ts = services.clock->now_ms()};
    auto stored = co_await services.db->write(
        "media_upload", [&](store::WriteTxn& txn) { return txn.media().put(row); });
    if (!stored) {
        // The file without its row would be unreachable: take it back.
        auto removed = files.remove(media_id);
        (void)removed;
        co_return stored.error();
    }
    co_return chat::ok();
}

std::string mxc_uri(const Services& services, std::string_view media_id) {
    return "mxc://" + services.server_name + "/" + std::string(media_id);
}

}  // namespace

// POST /_matrix/media/v3/upload?filename=...
// The body arrives as a temporary file (BodyKind::to_file, bounded by
// media.max_upload_bytes). Blocks: hashing on the CPU pool; one DB write.
Task<Result<Reply>> post_media_upload(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    if (auto content = require_content(request); !content) co_return content.error();
    auto meta = upload_meta(request);
    if (!meta) co_return meta.error();
    auto media_id = MediaFiles::new_media_id();
    auto kept = co_await keep_upload(request, media_id, std::move(*meta));
    if (!kept) co_return kept.error();
    nlohmann::json body = {{"content_uri", mxc_uri(request.services(), media_id)}};
    co_return Reply::json(body);
}

// POST /_matrix/media/v1/create
// Reserves an id whose content comes later by PUT, from the same user,
// before unused_expires_at. Blocks: one DB write.
Task<Result<Reply>> post_media_create(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    const auto& services = request.services();
    const auto now = services.clock->now_ms();
    store::PendingMediaRow row{
        .media_id = MediaFiles::new_media_id(),
        .creator = request.requester().user_id,
        .created_ts = now,
        .expires_ts = now + std::chrono::duration_cast<std::chrono::milliseconds>(
                                services.config->media.unused_expiry)
                                .count()};
    auto reserved = co_await services.db->write("media_create", [&](store::WriteTxn& txn)
                                                                    -> Result<void> {
        // Expired reservations are forgotten here rather than by a timer.
        if (auto swept = txn.media().remove_expired_pending(now); !swept) return swept.error();
        auto pending = txn.media().count_pending(row.creator, now);
        if (!pending) return pending.error();
        if (*pending >= kMaxPendingPerUser)
            return make_error(Errc::limit_exceeded, "Too many pending media uploads.");
        return txn.media().reserve(row);
    });
    if (!reserved) co_return reserved.error();
    nlohmann::json body = {{"content_uri", mxc_uri(services, row.media_id)},
                           {"unused_expires_at", row.expires_ts}};
    co_return Reply::json(body);
}

// PUT /_matrix/media/v3/upload/{serverName}/{mediaId}?filename=...
// Only the user who created the id may upload, once, before it expires.
// The reservation is consumed before the content is kept, so two uploads
// racing for one id cannot both write it. Blocks: DB writes, hashing.
Task<Result<Reply>> put_media_upload(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto media_id = local_media_id(request);
    if (!media_id) co_return media_id.error();
    if (auto content = require_content(request); !content) co_return content.error();
    auto meta = upload_meta(request);
    if (!meta) co_return meta.error();

    const auto& services = request.services();
    const auto now = services.clock->now_ms();
    const auto& user = request.requester().user_id;
    auto origin = ServerName::parse(services.server_name);
    if (!origin) co_return origin.error();
    auto claimed = co_await services.db->write("media_claim", [&](store::WriteTxn& txn)
                                                                  -> Result<void> {
        auto pending = txn.media().pending(*media_id);
        if (!pending) return pending.error();
        if (!*pending || (*pending)->expires_ts <= now) {
            auto existing = txn.media().get(*origin, *media_id);
            if (!existing) return existing.error();
            if (*existing)
                return make_error(Errc::cannot_overwrite_media,
                                  "Media ID already has content.");
            return make_error(Errc::not_found, "Unknown or expired media ID.");
        }
        if ((*pending)->creator != user)
            return make_error(Errc::forbidden, "You did not create this media ID.");
        auto removed = txn.media().remove_pending(*media_id);
        if (!removed) return removed.error();
        return ok();
    });
    if (!claimed) co_return claimed.error();

    auto kept = co_await keep_upload(request, *media_id, std::move(*meta));
    if (!kept) co_return kept.error();
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
