#include "media/thumbnailer.hpp"

#include <mutex>
#include <string_view>

#include <fmt/format.h>
#include <vips/vips.h>

#include <chat/crypto/random.hpp>

namespace chat::daemon {

namespace {

// The loaders we accept, by the operation name vips_foreign_find_load
// returns (it sniffs the bytes, not the name): "VipsForeignLoadPngFile",
// "VipsForeignLoadJpegFile", "VipsForeignLoadGifFile", ...
enum class Format { png, jpeg, gif, webp, other };

Format sniff(const std::filesystem::path& source) {
    const char* loader = vips_foreign_find_load(source.c_str());
    if (loader == nullptr) {
        vips_error_clear();
        return Format::other;
    }
    std::string_view name(loader);
    if (name.starts_with("VipsForeignLoadJpeg")) return Format::jpeg;
    // libspng or libpng, whichever vips was built with.
    if (name.starts_with("VipsForeignLoadPng") || name.starts_with("VipsForeignLoadSpng"))
        return Format::png;
    if (name.starts_with("VipsForeignLoadNsgif") || name.starts_with("VipsForeignLoadGif"))
        return Format::gif;
    if (name.starts_with("VipsForeignLoadWebp")) return Format::webp;
    return Format::other;
}

std::string vips_message() {
    std::string message = vips_error_buffer();
    vips_error_clear();
    while (!message.empty() && (message.back() == '\n')) message.pop_back();
    return message;
}

// Unrefs a VipsImage when it goes out of scope.
struct ImageRef {
    VipsImage* image = nullptr;
    ~ImageRef() {
        if (image != nullptr) g_object_unref(image);
    }
};

std::string_view method_name(ThumbnailMethod method) {
    return method == ThumbnailMethod::crop ? "crop" : "scale";
}

}  // namespace

Thumbnailer::Thumbnailer(std::uint64_t max_pixels) : max_pixels_(max_pixels) {
    static std::once_flag once;
    std::call_once(once, [] {
        if (VIPS_INIT("chatd") != 0) return;  // then every make() fails cleanly
        vips_cache_set_max(0);                // our cache is the files on disk
        vips_block_untrusted_set(TRUE);
    });
}

Result<Thumbnail> Thumbnailer::make(const std::filesystem::path& source,
                                    const std::filesystem::path& dir, int width, int height,
                                    ThumbnailMethod method) const {
    const auto format = sniff(source);
    if (format == Format::other)
        return make_error(Errc::unknown, "The content is not an image that can be thumbnailed.");
    const bool jpeg = format == Format::jpeg;
    Thumbnail out{.path = dir / fmt::format("{}x{}-{}.{}", width, height, method_name(method),
                                            jpeg ? "jpg" : "png"),
                  .content_type = jpeg ? "image/jpeg" : "image/png"};
    std::error_code ec;
    if (std::filesystem::exists(out.path, ec)) return out;

    // The header only: sequential access decodes nothing yet.
    ImageRef header;
    header.image = vips_image_new_from_file(source.c_str(), "access", VIPS_ACCESS_SEQUENTIAL,
                                            nullptr);
    if (header.image == nullptr)
        return make_error(Errc::unknown, "The content is not an image that can be thumbnailed.",
                          vips_message());
    const auto pixels = static_cast<std::uint64_t>(vips_image_get_width(header.image)) *
                        static_cast<std::uint64_t>(vips_image_get_height(header.image));
    if (pixels > max_pixels_)
        return make_error(Errc::too_large,
                          fmt::format("The image is too large to thumbnail ({} pixels, the limit "
                                      "is {}).",
                                      pixels, max_pixels_));

    ImageRef thumb;
    int failed = 0;
    // Never enlarged (the spec): a small image gives a thumbnail of its own size.
    if (method == ThumbnailMethod::crop)
        failed = vips_thumbnail(source.c_str(), &thumb.image, width, "height", height, "crop",
                                VIPS_INTERESTING_CENTRE, "size", VIPS_SIZE_DOWN, nullptr);
    else
        failed = vips_thumbnail(source.c_str(), &thumb.image, width, "height", height, "size",
                                VIPS_SIZE_DOWN, nullptr);
    if (failed != 0)
        return make_error(Errc::unknown, "The image could not be decoded.", vips_message());

    std::filesystem::create_directories(dir, ec);
    if (ec)
        return make_error(Errc::internal, "Media storage failed",
                          fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    // Written beside its final name, then renamed: readers never see half a file.
    auto temp = dir / fmt::format("tmp-{}.{}", crypto::random_alphanumeric(16),
                                  jpeg ? "jpg" : "png");
    failed = jpeg ? vips_jpegsave(thumb.image, temp.c_str(), "Q", 85, "strip", TRUE, nullptr)
                  : vips_pngsave(thumb.image, temp.c_str(), "strip", TRUE, nullptr);
    if (failed != 0) {
        std::filesystem::remove(temp, ec);
        return make_error(Errc::unknown, "The image could not be decoded.", vips_message());
    }
    std::filesystem::rename(temp, out.path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        return make_error(Errc::internal, "Media storage failed",
                          fmt::format("cannot rename {}: {}", temp.string(), ec.message()));
    }
    return out;
}

}  // namespace chat::daemon
