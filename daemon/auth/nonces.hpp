#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace chat::daemon {

// Single-use nonces with a short life (shared-secret registration hands one
// out, then accepts it once). Thread-safe.
class Nonces {
public:
    explicit Nonces(std::chrono::seconds lifetime) : lifetime_(lifetime) {}
    std::string issue();
    // True when `nonce` was issued, has not expired and was not used yet.
    bool consume(const std::string& nonce);

private:
    std::chrono::seconds lifetime_;
    std::mutex mutex_;
    std::map<std::string, std::chrono::steady_clock::time_point> issued_;  // guarded by mutex_
};

}  // namespace chat::daemon
