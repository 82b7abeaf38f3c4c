#include "support/png.hpp"

#include <algorithm>
#include <string_view>

namespace chat::test {

namespace {

std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t crc = 0xffffffffu;
    for (unsigned char b : bytes) {
        crc ^= b;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void put_chunk(std::string& png, std::string_view type, std::string_view data) {
    put_u32(png, static_cast<std::uint32_t>(data.size()));
    std::string body(type);
    body += data;
    png += body;
    put_u32(png, crc32(body));
}

std::string ihdr(std::uint32_t width, std::uint32_t height) {
    std::string data;
    put_u32(data, width);
    put_u32(data, height);
    data += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, no interlace
    return data;
}

}  // namespace

std::string make_png(std::uint32_t width, std::uint32_t height) {
    std::string raw;
    for (std::uint32_t y = 0; y < height; ++y) {
        raw.push_back('\0');  // filter: none
        for (std::uint32_t x = 0; x < width; ++x) {
            raw.push_back(static_cast<char>(x * 255 / width));
            raw.push_back(static_cast<char>(y * 255 / height));
            raw.push_back(static_cast<char>(128));
        }
    }
    std::string z("\x78\x01", 2);
    for (std::size_t at = 0; at < raw.size() || at == 0; at += 65535) {
        auto n = std::min<std::size_t>(65535, raw.size() - at);
        bool last = at + n >= raw.size();
        z.push_back(last ? '\x01' : '\x00');
        z.push_back(static_cast<char>(n & 0xff));
        z.push_back(static_cast<char>(n >> 8));
        z.push_back(static_cast<char>(~n & 0xff));
        z.push_back(static_cast<char>((~n >> 8) & 0xff));
        z += raw.substr(at, n);
        if (last) break;
    }
    std::uint32_t a = 1, b = 0;
    for (unsigned char c : raw) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    put_u32(z, (b << 16) | a);
    std::string png("\x89PNG\r\n\x1a\n", 8);
    put_chunk(png, "IHDR", ihdr(width, height));
    put_chunk(png, "IDAT", z);
    put_chunk(png, "IEND", "");
    return png;
}

std::string bomb_png() {
    std::string png("\x89PNG\r\n\x1a\n", 8);
    put_chunk(png, "IHDR", ihdr(100000, 100000));
    put_chunk(png, "IDAT", std::string("\x78\x01\x01\x00\x00\xff\xff\x00\x00\x00\x01", 11));
    put_chunk(png, "IEND", "");
    return png;
}

std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
    auto u32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
        return v;
    };
    if (png.size() < 24 || png.substr(1, 3) != "PNG") return {0, 0};
    return {u32(16), u32(20)};
}

}  // namespace chat::test
