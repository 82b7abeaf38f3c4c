#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// OpenSSL's digest context, kept opaque so that this header does not include
// OpenSSL's.
struct evp_md_ctx_st;

namespace chat::crypto {

inline constexpr std::size_t kSha256Bytes = 32;

// The SHA-256 digest of `bytes`: 32 raw bytes (base64-encode them for JSON). Any input is
// fine; never fails. Content and reference hashes of events use it (spec §6.3).
// Thread-safe.
std::string sha256(std::string_view bytes);

// SHA-256 over bytes that arrive in pieces (a file read in chunks), so that
// large content is hashed without being held whole. Not thread-safe; cheap
// to create. finish() once, then the object is spent.
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(Sha256Stream&& other) noexcept;
    Sha256Stream& operator=(Sha256Stream&& other) noexcept;
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;

    void update(std::string_view bytes);
    // The 32 raw bytes of the digest of everything update() was given.
    std::string finish();

private:
    evp_md_ctx_st* ctx_;
};

}  // namespace chat::crypto
