#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

namespace chat::test {

// A real redis-server on 127.0.0.1 for the workers' tests (issue 10): a free
// loopback port (bound once with port 0 to find one), no persistence, its
// log in `dir`. kill() and start() again keep the port, as a restarted Redis
// would. Throws std::runtime_error if it cannot start.
class RedisServer {
public:
    explicit RedisServer(std::filesystem::path dir);
    ~RedisServer();  // kills it if it runs
    RedisServer(const RedisServer&) = delete;  // one owner kills the process
    RedisServer& operator=(const RedisServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    // Starts it and waits until it accepts connections.
    void start();
    // SIGKILL and reap: Redis gone without a goodbye.
    void kill();

    // Whether redis-server is installed (tests skip without it).
    static bool available();

private:
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace chat::test
