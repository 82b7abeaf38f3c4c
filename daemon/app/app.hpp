#pragma once

#include <memory>
#include <optional>

#include <spdlog/fwd.h>

#include <chat/core/result.hpp>
#include <chat/crypto/signing_key.hpp>

#include "app/database_bootstrap.hpp"
#include "config/config.hpp"
#include "http/task.hpp"
#include "routing/router.hpp"
#include "services/services.hpp"

namespace boost::asio {
class io_context;
}

namespace chat::daemon {

class Server;

// The composition root: owns every long-lived object of chatd, builds them in
// dependency order and hands out references. No globals.
class App {
public:
    explicit App(Config config);
    ~App();
    // Owns the database, the listening socket and the network threads.
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Creates data_dir, opens the database, loads (or on the first start
    // generates and saves) the signing key, listens, and writes ready_file.
    // Blocks: disk. Errors: one line for the operator in `message`.
    Result<void> start();

    // Serves on http_threads threads until SIGINT or SIGTERM, then stops
    // accepting, lets requests in progress finish (up to a grace period) and
    // returns. A second signal stops at once. Blocks the calling thread.
    // Errors: a network thread died of an exception (logged).
    Result<void> run();

private:
    Task<void> stop_on_signal();
    Task<void> stop_now_on_signal();

    Config config_;
    std::shared_ptr<spdlog::logger> log_;
    std::optional<DatabaseBootstrap> database_;
    std::optional<chat::crypto::SigningKey> signing_key_;
    Services services_;
    Router router_;
    std::unique_ptr<boost::asio::io_context> io_;
    struct Signals;
    std::unique_ptr<Signals> signals_;
    std::unique_ptr<Server> server_;
};

}  // namespace chat::daemon
