#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <chat/core/result.hpp>

namespace chat::daemon {

// How a thumbnail fits the requested box (spec: GET .../thumbnail, `method`).
enum class ThumbnailMethod {
    crop,   // width x height (smaller for a smaller image), cut from the centre
    scale,  // fits inside width x height, aspect ratio kept, never enlarged
};

// One thumbnail written to disk.
struct Thumbnail {
    std::filesystem::path path;
    std::string content_type;  // image/png or image/jpeg
};

// Makes thumbnails with libvips: the only file that includes vips.
//
// Reads only PNG, JPEG, GIF and WebP: libvips can load many more formats
// (PDF, SVG, ImageMagick's), and untrusted uploads should not reach those
// decoders. Before decoding, the image header's width x height is checked
// against `max_pixels`, so a decompression bomb (a small file that claims a
// huge image) costs a header read. Animated images: the first frame.
// Blocks (CPU and disk): call it on the CPU pool. Thread-safe.
class Thumbnailer {
public:
    // Initialises libvips once per process (idempotent) with its operation
    // cache off (we cache on disk) and untrusted loaders blocked.
    explicit Thumbnailer(std::uint64_t max_pixels);

    // Writes the thumbnail of `source` into `dir` (created if missing) as
    // <w>x<h>-<method>.png or .jpg, replacing it atomically, unless it is
    // there already. JPEG sources give JPEG thumbnails, others PNG (keeps
    // transparency). Errors: Errc::unknown (400 M_UNKNOWN) for content that
    // is not an image we thumbnail; Errc::too_large (413) over max_pixels;
    // Errc::internal for disk errors.
    Result<Thumbnail> make(const std::filesystem::path& source, const std::filesystem::path& dir,
                           int width, int height, ThumbnailMethod method) const;

private:
    std::uint64_t max_pixels_;
};

}  // namespace chat::daemon
