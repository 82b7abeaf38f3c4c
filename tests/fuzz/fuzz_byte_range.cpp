// libFuzzer target: the Range header parser (daemon/media/byte_range.cpp)
// with any header text and file size. Whatever it returns must lie inside
// the file.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "media/byte_range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    std::uint64_t file_size = 0;
    std::memcpy(&file_size, data, sizeof file_size);
    file_size %= (std::uint64_t{1} << 62);
    std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
    auto range = chat::daemon::parse_byte_range(header, file_size);
    if (range.kind == chat::daemon::ByteRange::Kind::partial) {
        if (range.length == 0 || range.first >= file_size ||
            range.length > file_size - range.first)
            std::abort();
    }
    return 0;
}
