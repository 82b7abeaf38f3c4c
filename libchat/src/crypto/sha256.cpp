#include <chat/crypto/sha256.hpp>

#include <memory>
#include <new>
#include <utility>

#include <openssl/evp.h>

namespace chat::crypto {

// OpenSSL's SHA-256 rather than libsodium's: libsodium has one portable C
// implementation, OpenSSL uses the CPU's SHA extensions where it has them.
// Every event we build hashes its content and its reference (about 1 KiB in
// all): 3.3 µs with libsodium, 0.8 µs with OpenSSL on our benchmark machine
// (docs/benchmarks.md, session 10).

namespace {

// Fetched once: an implicit fetch by name on every digest costs more than
// hashing a small event.
const EVP_MD* sha256_md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::bad_alloc();  // only when OpenSSL cannot allocate
    return md;
}

EVP_MD_CTX* new_context() {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr || EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx);
        throw std::bad_alloc();
    }
    return ctx;
}

struct ContextFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// SHA-256 cannot fail on valid arguments; OpenSSL reports only allocation
// failures, which we turn into bad_alloc like any other.
void check(int rc) {
    if (rc != 1) throw std::bad_alloc();
}

}  // namespace

std::string sha256(std::string_view bytes) {
    // One context per thread, reused: creating one allocates.
    thread_local std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(new_context());
    check(EVP_DigestInit_ex2(ctx.get(), nullptr, nullptr));  // same digest, fresh state
    check(EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()));
    std::string digest(kSha256Bytes, '\0');
    check(EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(digest.data()), nullptr));
    return digest;
}

Sha256Stream::Sha256Stream() : ctx_(new_context()) {}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

Sha256Stream::Sha256Stream(Sha256Stream&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256Stream& Sha256Stream::operator=(Sha256Stream&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = std::exchange(other.ctx_, nullptr);
    }
    return *this;
}

void Sha256Stream::update(std::string_view bytes) {
    if (bytes.empty()) return;
    check(EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()));
}

std::string Sha256Stream::finish() {
    std::string digest(kSha256Bytes, '\0');
    check(EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(digest.data()), nullptr));
    return digest;
}

}  // namespace chat::crypto
