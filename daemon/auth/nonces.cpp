#include "auth/nonces.hpp"

#include <chat/crypto/random.hpp>

namespace chat::daemon {

std::string Nonces::issue() {
    auto nonce = crypto::random_alphanumeric(32);
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    std::erase_if(issued_, [&](const auto& entry) { return entry.second < now; });
    issued_[nonce] = now + lifetime_;
    return nonce;
}

bool Nonces::consume(const std::string& nonce) {
    std::lock_guard lock(mutex_);
    auto it = issued_.find(nonce);
    if (it == issued_.end()) return false;
    bool fresh = it->second >= std::chrono::steady_clock::now();
    issued_.erase(it);
    return fresh;
}

}  // namespace chat::daemon
