#include <chat/json/base64.hpp>

#include <sodium.h>

// libsodium's codec is constant-time, so we use it rather than writing our
// own. This file is the one place outside crypto/ that includes sodium.h
// (docs/architecture.md).

namespace chat::json {
namespace {

std::string encode(std::string_view bytes, int variant) {
    if (bytes.empty()) return {};
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), variant);
    out.resize(out.size() - 1);  // the encoder writes a terminating NUL
    return out;
}

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Result<std::string> decode(std::string_view text, int variant) {
    // The spec asks decoders to accept padding; the unpadded variant refuses
    // '=', so strip it first, but only where padding could legally stand.
    if (text.size() % 4 == 0) {
        for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) return make_error(Errc::invalid_param, "Invalid base64 length");

    // The last character of an unpadded encoding carries 2 or 4 unused bits.
    // libsodium refuses them when non-zero; the reference implementations
    // (Python's base64) ignore them, and the spec's own published signing-key
    // seed has them set. So clear them before decoding.
    std::string cleared;
    if (const int unused = text.size() % 4 == 2 ? 4 : text.size() % 4 == 3 ? 2 : 0; unused) {
        const auto alphabet =
            variant == sodium_base64_VARIANT_URLSAFE_NO_PADDING ? kUrlSafe : kStandard;
        const auto pos = alphabet.find(text.back());
        if (pos != std::string_view::npos) {
            cleared.assign(text);
            cleared.back() = alphabet[pos & ~((std::size_t{1} << unused) - 1)];
            text = cleared;
        }
    }
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &written, &end, variant) != 0 ||
        end != text.data() + text.size()) {
        return make_error(Errc::invalid_param, "Invalid base64");
    }
    out.resize(written);
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    return encode(bytes, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::string base64_url_encode(std::string_view bytes) {
    return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Result<std::string> base64_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

Result<std::string> base64_url_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

}  // namespace chat::json
