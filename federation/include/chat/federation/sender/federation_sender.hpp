#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/core/server_name.hpp>
#include <chat/federation/runtime/task.hpp>

namespace chat::federation {

class DbExecutor;
class FederationClient;

struct FederationSenderOptions {
    std::chrono::milliseconds retry_base{1000};     // first wait after a failure
    std::chrono::milliseconds retry_max{3'600'000};  // the wait doubles up to this
};

// The outbound half of federation (digest federation.md §4, §20): one
// ordered queue per destination, one /send in flight per destination.
//
// PDUs come from the store's federation outbox, written in the same
// transaction as each event, and leave it only once the destination answered
// 200 to the transaction carrying them: a crash or a peer that is down loses
// nothing, and the peer catches up when it is back (or when we restart).
// EDUs (typing, receipts, presence) are held in memory and dropped after
// kMaxEdusPerDestination: they are ephemeral, the spec lets them go.
//
// Runs on its own strand of the io_context; every public call is thread-safe.
class FederationSender {
public:
    static constexpr std::size_t kMaxPdusPerTxn = 50;   // spec limit
    static constexpr std::size_t kMaxEdusPerTxn = 100;  // spec limit
    static constexpr std::size_t kMaxEdusPerDestination = 1000;

    FederationSender(boost::asio::any_io_executor executor, DbExecutor& db,
                     FederationClient& client, ServerName own_name, const Clock& clock,
                     FederationSenderOptions options = {});

    // Starts a queue for every destination the outbox has entries for (what
    // was left when we stopped).
    void start();
    // New outbox entries may exist: cheap, coalesced; called on every
    // events stream advance.
    void poke();
    // Queues an EDU ({"edu_type", "content"}) for each destination.
    void send_edu(const std::vector<ServerName>& destinations, nlohmann::json edu);
    // Ends the queues (at shutdown); pending work stays in the outbox.
    void stop();

private:
    struct Destination {
        bool running = false;
        bool again = false;               // poked while a send was in flight
        std::vector<nlohmann::json> edus;
        int failures = 0;
        std::unique_ptr<boost::asio::steady_timer> backoff;
    };

    Task<void> scan();
    void wake(const ServerName& destination);
    Task<void> run_queue(ServerName destination);
    // One transaction; true when the destination acknowledged it (or there
    // was nothing to send).
    Task<bool> send_once(const ServerName& destination, bool& sent_something);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    DbExecutor& db_;
    FederationClient& client_;
    ServerName own_name_;
    const Clock& clock_;
    FederationSenderOptions options_;
    // On the strand:
    std::map<ServerName, Destination> destinations_;
    bool scanning_ = false;
    bool rescan_ = false;
    bool stopped_ = false;
};

}  // namespace chat::federation
