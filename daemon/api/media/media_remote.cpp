// Another server's media for our clients: served from the local cache, or
// fetched once over federation (digest federation.md §17) and cached.
#include <fstream>

#include <chat/crypto/random.hpp>
#include <chat/crypto/sha256.hpp>
#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/parse.hpp>
#include <chat/store/txn.hpp>

#include "api/media/media_params.hpp"
#include "config/config.hpp"
#include "media/content_headers.hpp"
#include "media/media_files.hpp"
#include "media/multipart.hpp"
#include "services/remote_media_expiry.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Room for the JSON part and part headers around the content.
constexpr std::size_t kMultipartOverheadBytes = 64 * 1024;
constexpr std::size_t kMaxContentTypeBytes = 255;
// How long the remote may wait for content not yet uploaded (spec default
// 20 s); our request timeout bounds it too.
constexpr std::string_view kTimeoutQuery = "?timeout_ms=20000";

// The content bytes and their type, as fetched.
struct Fetched {
    std::string body;
    // The content's place in body (kept as numbers: a moved string may move
    // its bytes).
    std::size_t offset = 0;
    std::size_t size = 0;
    std::optional<std::string> content_type;
    std::optional<std::string> upload_name;
    std::string_view content() const { return std::string_view(body).substr(offset, size); }
};

std::optional<std::string> usable_content_type(std::string_view type) {
    if (type.empty() || type.size() > kMaxContentTypeBytes) return std::nullopt;
    for (char c : type)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    return std::string(type);
}

// A non-2xx answer as our error: M_NOT_FOUND passes through (404), the rest
// is 502 (map_remote_reply's allowlist).
Error remote_error(const federation::RawRemoteReply& reply, const ServerName& origin,
                   std::string_view what) {
    federation::RemoteReply parsed{.status = reply.status, .body = nullptr};
    if (auto body = json::parse(reply.body)) parsed.body = std::move(*body);
    auto mapped = federation::map_remote_reply(parsed, origin.str(), what);
    if (mapped) return make_error(Errc::remote_unavailable, "A remote server did not answer.");
    return mapped.error();
}

bool is_unrecognized(const federation::RawRemoteReply& reply) {
    if (reply.status != 404 && reply.status != 405) return false;
    auto body = json::parse(reply.body);
    if (!body || !body->is_object()) return false;
    auto code = body->find("errcode");
    return code != body->end() && code->is_string() && *code == "M_UNRECOGNIZED";
}

Task<Result<Fetched>> fetch(const Request& request, const ServerName& origin,
                            const std::string& media_id) {
    const auto& services = request.services();
    if (!services.federation_client)
        co_return make_error(Errc::not_found, "Remote media is not available on this server.");
    const std::size_t limit = services.config->media.max_upload_bytes;
    const std::string path =
        "/_matrix/federation/v1/media/download/" + federation::percent_encode(media_id);
    auto reply = co_await services.federation_client->get_raw(
        origin, path + std::string(kTimeoutQuery), limit + kMultipartOverheadBytes);
    if (!reply) co_return reply.error();
    if (reply->status == 200) {
        auto parts = parse_media_multipart(reply->header("Content-Type"), reply->body);
        if (!parts) co_return parts.error();
        if (parts->location)  // [not implemented] following redirects to a CDN
            co_return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                                 std::string(origin.str()) + " media: Location redirect");
        if (parts->content.size() > limit)
            co_return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                                 std::string(origin.str()) + " media: larger than max_upload_bytes");
        Fetched out;
        out.content_type = parts->content_type ? usable_content_type(*parts->content_type)
                                               : std::nullopt;
        if (parts->content_disposition)
            out.upload_name = disposition_filename(*parts->content_disposition);
        out.offset = static_cast<std::size_t>(parts->content.data() - reply->body.data());
        out.size = parts->content.size();
        out.body = std::move(reply->body);
        co_return out;
    }
    if (!is_unrecognized(*reply)) co_return remote_error(*reply, origin, "GET " + path);

    // Servers before v1.11: the deprecated client-server download, asking
    // them not to fetch from elsewhere (digest §17.3).
    const std::string legacy = "/_matrix/media/v3/download/" +
                               federation::percent_encode(origin.str()) + "/" +
                               federation::percent_encode(media_id) + "?allow_remote=false";
    auto old = co_await services.federation_client->get_raw(origin, legacy, limit);
    if (!old) co_return old.error();
    if (old->status != 200) co_return remote_error(*old, origin, "GET " + legacy);
    Fetched out;
    out.content_type = usable_content_type(old->header("Content-Type"));
    out.upload_name = disposition_filename(old->header("Content-Disposition"));
    out.body = std::move(old->body);
    out.size = out.body.size();
    co_return out;
}

Task<Result<std::optional<store::MediaRow>>> cached_row(const Request& request,
                                                        const ServerName& origin,
                                                        const std::string& media_id) {
    co_return co_await request.services().db->read(
        "media_get_remote", [&](store::ReadTxn& txn) { return txn.media().get(origin, media_id); });
}

}  // namespace

Task<Result<MediaSource>> remote_media_source(const Request& request, ServerName origin,
                                              std::string media_id) {
    const auto& services = request.services();
    const auto& files = *services.media_files;
    const auto target = files.remote_content_path(origin.str(), media_id);
    const auto thumbnails = files.remote_thumbnail_dir(origin.str(), media_id);
    auto cached = co_await cached_row(request, origin, media_id);
    if (!cached) co_return cached.error();
    if (*cached) {
        if ((*cached)->quarantined) co_return make_error(Errc::not_found, "Not found");
        // Remembered for media.remote_retention_days, but written at most once
        // per touch interval so that a popular item costs no write per request.
        const auto now = services.clock->now_ms();
        const auto lifetime = remote_media_lifetime_ms(services.config->media);
        if (lifetime > 0 &&
            now - (*cached)->last_access_ts >= remote_media_touch_interval_ms(lifetime)) {
            auto touched = co_await services.db->write(
                "media_touch_remote",
                [&](store::WriteTxn& txn) { return txn.media().touch(origin, media_id, now); });
            if (!touched) co_return touched.error();
            (*cached)->last_access_ts = now;
        }
        MediaSource source{.row = std::move(**cached), .content = target, .thumbnail_dir = thumbnails};
        co_return source;
    }

    auto fetched = co_await fetch(request, origin, media_id);
    if (!fetched) co_return fetched.error();
    // Written under tmp/ and renamed into place, so a reader never sees half
    // a file; concurrent fetches of one id write the same bytes.
    auto sha256 = co_await services.cpu->run([&]() -> Result<std::string> {
        const auto temp = files.upload_dir() / ("remote-" + crypto::random_alphanumeric(16));
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out.write(fetched->content().data(), static_cast<std::streamsize>(fetched->content().size()));
            if (!out.flush())
                return make_error(Errc::internal, "Media storage failed", "cannot write " + temp.string());
        }
        if (auto moved = MediaFiles::commit_to(temp, target); !moved) return moved.error();
        return crypto::sha256(fetched->content());
    });
    if (!sha256) co_return sha256.error();

    store::MediaRow row{.origin = origin,
                        .media_id = media_id,
                        .uploader = std::nullopt,
                        .content_type = fetched->content_type,
                        .upload_name = fetched->upload_name,
                        .size = static_cast<std::int64_t>(fetched->content().size()),
                        .sha256 = std::move(*sha256),
                        .created_ts = services.clock->now_ms(),
                        .quarantined = false,
                        .last_access_ts = services.clock->now_ms()};
    auto stored = co_await services.db->write(
        "media_put_remote", [&](store::WriteTxn& txn) -> Result<void> {
            auto put = txn.media().put(row);
            // Another request cached it meanwhile: same content, keep theirs.
            if (!put && put.error().code == Errc::invalid_param) return ok();
            return put;
        });
    if (!stored) co_return stored.error();
    MediaSource source{.row = std::move(row), .content = target, .thumbnail_dir = thumbnails};
    co_return source;
}

}  // namespace chat::daemon
