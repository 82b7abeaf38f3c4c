#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace chat::test {

// A valid PNG of width x height (8-bit RGB, a gradient), written with
// deflate "stored" blocks so that tests need no image library.
std::string make_png(std::uint32_t width, std::uint32_t height);

// A valid PNG header that claims 100000 x 100000 pixels (30 GB of RGB) over
// a few bytes of data: a decompression bomb as far as a header reader sees.
std::string bomb_png();

// Width and height from a PNG's IHDR; {0, 0} if it is not a PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png);

}  // namespace chat::test
