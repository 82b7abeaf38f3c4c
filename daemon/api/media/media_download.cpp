#include "api/media/media.hpp"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/media/media_params.hpp"
#include "auth/authenticate.hpp"
#include "config/config.hpp"
#include "media/byte_range.hpp"
#include "media/content_headers.hpp"
#include "media/media_files.hpp"
#include "media/thumbnailer.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Thumbnail boxes we make: enough for any client's avatars and previews,
// small enough that a request cannot ask us to render a poster.
constexpr int kMaxThumbnailSide = 1600;

// Headers every piece of served content carries (spec: content repository,
// security considerations).
void add_content_headers(Reply& reply, std::string_view content_type,
                         std::string_view disposition) {
    reply.set_header("Content-Type", std::string(content_type));
    reply.set_header("Content-Disposition", std::string(disposition));
    reply.set_header("Content-Security-Policy", std::string(kMediaContentSecurityPolicy));
    reply.set_header("Cross-Origin-Resource-Policy", "cross-origin");
    // Content under an id never changes, so caches may keep it.
    reply.set_header("Cache-Control", "public, max-age=86400, immutable");
}

// Serves `path` (of `size` bytes) honouring a single Range.
Reply file_reply(const Request& request, std::string path, std::uint64_t size,
                 std::string_view content_type, std::string_view disposition) {
    Reply reply;
    add_content_headers(reply, content_type, disposition);
    reply.set_header("Accept-Ranges", "bytes");
    auto range = parse_byte_range(request.header("Range"), size);
    switch (range.kind) {
    case ByteRange::Kind::unsatisfiable:
        reply.status = 416;
        reply.set_header("Content-Range", fmt::format("bytes */{}", size));
        reply.set_header("Content-Type", "application/json");
        reply.body = R"({"errcode":"M_UNKNOWN","error":"Range not satisfiable"})";
        return reply;
    case ByteRange::Kind::partial:
        reply.status = 206;
        reply.set_header("Content-Range", fmt::format("bytes {}-{}/{}", range.first,
                                                      range.first + range.length - 1, size));
        reply.file = Reply::FileSlice{std::move(path), range.first, range.length};
        return reply;
    case ByteRange::Kind::whole: break;
    }
    reply.file = Reply::FileSlice{std::move(path), 0, size};
    return reply;
}

// GET .../download/{serverName}/{mediaId}[/{fileName}], after access checks.
Task<Result<Reply>> serve_download(Request& request, bool has_file_name) {
    auto source = co_await media_source(request);
    if (!source) co_return source.error();
    const auto& row = source->row;
    std::string content_type = row.content_type.value_or("application/octet-stream");
    std::string file_name = has_file_name ? std::string(request.path_param("fileName"))
                                          : row.upload_name.value_or("");
    co_return file_reply(request, source->content.string(), static_cast<std::uint64_t>(row.size),
                         content_type, content_disposition(content_type, file_name));
}

Result<int> side_query(const Request& request, std::string_view name) {
    auto text = request.query(name);
    if (!text) return make_error(Errc::missing_param, fmt::format("'{}' is required", name));
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 1)
        return make_error(Errc::invalid_param,
                          fmt::format("'{}' must be a positive integer", name));
    return std::min(value, kMaxThumbnailSide);
}

// GET .../thumbnail/{serverName}/{mediaId}?width&height&method&animated,
// after access checks. Remote media are thumbnailed here from the cached
// original.
Task<Result<Reply>> serve_thumbnail(Request& request) {
    auto spec = thumbnail_spec(request);
    if (!spec) co_return spec.error();
    auto source = co_await media_source(request);
    if (!source) co_return source.error();
    auto made = co_await make_thumbnail(request, *source, *spec);
    if (!made) co_return made.error();
    auto& [thumb, size] = *made;
    co_return file_reply(request, thumb.path.string(), size, thumb.content_type,
                         content_disposition(thumb.content_type, ""));
}

Reply media_config(const Request& request) {
    nlohmann::json body = {{"m.upload.size", request.services().config->media.max_upload_bytes}};
    return Reply::json(body);
}

// The legacy endpoints answer as if they did not exist when switched off.
Result<void> legacy_allowed(const Request& request) {
    if (!request.services().config->media.legacy_unauthenticated_download)
        return make_error(Errc::not_found, "Not found");
    return ok();
}

}  // namespace

// The stored metadata of local media that may be served: quarantined media
// and unknown ids are 404; an id reserved by /create whose content has not
// arrived is 504 M_NOT_YET_UPLOADED (we do not wait: timeout_ms is treated
// as 0). Blocks: one DB read.
Task<Result<store::MediaRow>> local_downloadable(const Request& request,
                                                 const std::string& media_id) {
    const auto& services = request.services();
    auto origin = ServerName::parse(services.server_name);
    if (!origin) co_return origin.error();
    const auto now = services.clock->now_ms();
    co_return co_await services.db->read(
        "media_get", [&](store::ReadTxn& txn) -> Result<store::MediaRow> {
            auto row = txn.media().get(*origin, media_id);
            if (!row) return row.error();
            if (*row && !(*row)->quarantined) return std::move(**row);
            if (!*row) {
                auto pending = txn.media().pending(media_id);
                if (!pending) return pending.error();
                if (*pending && (*pending)->expires_ts > now)
                    return make_error(Errc::not_yet_uploaded,
                                      "The content has not been uploaded yet.");
            }
            return make_error(Errc::not_found, "Not found");
        });
}

Task<Result<MediaSource>> media_source(const Request& request) {
    const auto& services = request.services();
    auto server = request.path_param("serverName");
    auto media_id = std::string(request.path_param("mediaId"));
    if (!MediaFiles::is_valid_media_id(media_id)) co_return make_error(Errc::not_found, "Not found");
    if (server != services.server_name) {
        auto origin = ServerName::parse(server);
        if (!origin) co_return make_error(Errc::not_found, "Not found");
        co_return co_await remote_media_source(request, std::move(*origin), std::move(media_id));
    }
    auto row = co_await local_downloadable(request, media_id);
    if (!row) co_return row.error();
    MediaSource source{.row = std::move(*row),
                       .content = services.media_files->content_path(media_id),
                       .thumbnail_dir = services.media_files->thumbnail_dir(media_id)};
    co_return source;
}

Result<ThumbnailSpec> thumbnail_spec(const Request& request) {
    auto width = side_query(request, "width");
    if (!width) return width.error();
    auto height = side_query(request, "height");
    if (!height) return height.error();
    ThumbnailSpec spec{.width = *width, .height = *height, .method = ThumbnailMethod::scale};
    if (auto text = request.query("method")) {
        if (*text == "crop")
            spec.method = ThumbnailMethod::crop;
        else if (*text != "scale")
            return make_error(Errc::invalid_param, "'method' must be crop or scale");
    }
    return spec;
}

// Cached on disk per (media, width, height, method); made on the CPU pool.
// `animated=true` gets the first frame as well: we never make animated
// thumbnails, which the spec allows.
Task<Result<std::pair<Thumbnail, std::uint64_t>>> make_thumbnail(const Request& request,
                                                                 const MediaSource& source,
                                                                 ThumbnailSpec spec) {
    const auto& services = request.services();
    const auto& thumbnailer = *services.thumbnailer;
    co_return co_await services.cpu->run([&]() -> Result<std::pair<Thumbnail, std::uint64_t>> {
        auto thumb = thumbnailer.make(source.content, source.thumbnail_dir, spec.width,
                                      spec.height, spec.method);
        if (!thumb) return thumb.error();
        std::error_code ec;
        auto size = std::filesystem::file_size(thumb->path, ec);
        if (ec) return make_error(Errc::not_found, "Not found", ec.message());
        return std::pair{std::move(*thumb), static_cast<std::uint64_t>(size)};
    });
}

// GET /_matrix/client/v1/media/config
Task<Result<Reply>> get_media_config(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    co_return media_config(request);
}

// GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]
// The body is streamed from the file by the session (Reply::file).
Task<Result<Reply>> get_media_download(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    bool has_file_name = request.has_path_param("fileName");
    co_return co_await serve_download(request, has_file_name);
}

// GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}
Task<Result<Reply>> get_media_thumbnail(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    co_return co_await serve_thumbnail(request);
}

// GET /_matrix/media/v3/config: deprecated, still authenticated.
Task<Result<Reply>> get_legacy_media_config(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    co_return media_config(request);
}

// GET /_matrix/media/v3/download/{serverName}/{mediaId}[/{fileName}]:
// unauthenticated, served only when media.legacy_unauthenticated_download.
Task<Result<Reply>> get_legacy_media_download(Request& request) {
    if (auto allowed = legacy_allowed(request); !allowed) co_return allowed.error();
    bool has_file_name = request.has_path_param("fileName");
    co_return co_await serve_download(request, has_file_name);
}

// GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId}: as the download.
Task<Result<Reply>> get_legacy_media_thumbnail(Request& request) {
    if (auto allowed = legacy_allowed(request); !allowed) co_return allowed.error();
    co_return co_await serve_thumbnail(request);
}

}  // namespace chat::daemon
