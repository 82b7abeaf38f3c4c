// libFuzzer target: the federation media multipart parser
// (daemon/media/multipart.cpp). Input: a Content-Type line, '\n', the body.
// Whatever it returns must point inside the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "media/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto newline = input.find('\n');
    if (newline == std::string_view::npos) return 0;
    auto body = input.substr(newline + 1);
    auto parsed = chat::daemon::parse_media_multipart(input.substr(0, newline), body);
    if (parsed) {
        const char* begin = parsed->content.data();
        if (!parsed->content.empty() &&
            (begin < body.data() || begin + parsed->content.size() > body.data() + body.size()))
            std::abort();
        if (parsed->metadata.size() > chat::daemon::kMultipartMaxMetadataBytes) std::abort();
    }
    return 0;
}
