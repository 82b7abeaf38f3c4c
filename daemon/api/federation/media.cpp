#include "api/federation/media.hpp"

#include <fstream>
#include <iterator>

#include <chat/federation/runtime/blocking_pool.hpp>

#include "api/media/media_params.hpp"
#include "media/content_headers.hpp"
#include "media/media_files.hpp"
#include "media/multipart.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

Result<std::string> local_id(const Request& request) {
    auto media_id = std::string(request.path_param("mediaId"));
    if (!MediaFiles::is_valid_media_id(media_id)) return make_error(Errc::not_found, "Not found");
    return media_id;
}

Task<Result<MediaSource>> local_source(const Request& request) {
    auto media_id = local_id(request);
    if (!media_id) co_return media_id.error();
    auto row = co_await local_downloadable(request, *media_id);
    if (!row) co_return row.error();
    const auto& files = *request.services().media_files;
    MediaSource source{.row = std::move(*row),
                       .content = files.content_path(*media_id),
                       .thumbnail_dir = files.thumbnail_dir(*media_id)};
    co_return source;
}

// The multipart reply around the file at `path`, read on the CPU pool.
Task<Result<Reply>> multipart_reply(const Request& request, std::filesystem::path path,
                                    std::string content_type, std::string disposition) {
    auto bytes = co_await request.services().cpu->run([&]() -> Result<std::string> {
        std::ifstream in(path, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in && !in.eof())
            return make_error(Errc::internal, "Media storage failed", "cannot read " + path.string());
        return data;
    });
    if (!bytes) co_return bytes.error();
    auto frame = media_multipart_frame(content_type, disposition);
    Reply reply;
    reply.set_header("Content-Type", frame.content_type);
    reply.body.reserve(frame.head.size() + bytes->size() + frame.tail.size());
    reply.body = std::move(frame.head);
    reply.body += *bytes;
    reply.body += frame.tail;
    co_return reply;
}

}  // namespace

Task<Result<Reply>> get_federation_media_download(Request& request, const ServerName&) {
    auto source = co_await local_source(request);
    if (!source) co_return source.error();
    std::string content_type = source->row.content_type.value_or("application/octet-stream");
    std::string disposition =
        content_disposition(content_type, source->row.upload_name.value_or(""));
    co_return co_await multipart_reply(request, source->content, std::move(content_type),
                                       std::move(disposition));
}

Task<Result<Reply>> get_federation_media_thumbnail(Request& request, const ServerName&) {
    auto spec = thumbnail_spec(request);
    if (!spec) co_return spec.error();
    auto source = co_await local_source(request);
    if (!source) co_return source.error();
    auto made = co_await make_thumbnail(request, *source, *spec);
    if (!made) co_return made.error();
    auto& thumb = made->first;
    std::string disposition = content_disposition(thumb.content_type, "");
    co_return co_await multipart_reply(request, thumb.path, thumb.content_type,
                                       std::move(disposition));
}

}  // namespace chat::daemon
