#include <chat/federation/sender/federation_sender.hpp>

#include <algorithm>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

namespace chat::federation {

namespace asio = boost::asio;
using nlohmann::json;

FederationSender::FederationSender(asio::any_io_executor executor, DbExecutor& db,
                                   FederationClient& client, ServerName own_name,
                                   const Clock& clock, FederationSenderOptions options)
    : strand_(asio::make_strand(std::move(executor))), db_(db), client_(client),
      own_name_(std::move(own_name)), clock_(clock), options_(options) {}

void FederationSender::start() { poke(); }

void FederationSender::poke() {
    asio::post(strand_, [this] {
        if (stopped_) return;
        if (scanning_) {
            rescan_ = true;
            return;
        }
        scanning_ = true;
        asio::co_spawn(strand_, scan(), asio::detached);
    });
}

void FederationSender::stop() {
    asio::post(strand_, [this] {
        stopped_ = true;
        for (auto& [name, d] : destinations_)
            if (d.backoff) d.backoff->cancel();
    });
}

void FederationSender::send_edu(const std::vector<ServerName>& destinations, json edu) {
    asio::post(strand_, [this, destinations, edu = std::move(edu)] {
        if (stopped_) return;
        for (const auto& name : destinations) {
            if (name == own_name_) continue;
            auto& d = destinations_[name];
            if (d.edus.size() >= kMaxEdusPerDestination) d.edus.erase(d.edus.begin());
            d.edus.push_back(edu);
            wake(name);
        }
    });
}

// Which destinations have outbox entries: one query per burst of pokes.
Task<void> FederationSender::scan() {
    while (true) {
        rescan_ = false;
        auto names = co_await db_.read("federation_outbox_destinations",
                                       [](store::ReadTxn& txn) { return txn.outbox().destinations(); });
        if (names)
            for (const auto& name : *names) wake(name);
        if (!rescan_ || stopped_) break;
    }
    scanning_ = false;
}

void FederationSender::wake(const ServerName& name) {
    auto& d = destinations_[name];
    if (d.running) {
        d.again = true;  // the running queue looks again before it stops
        return;
    }
    if (d.failures > 0) return;  // backing off: the timer restarts the queue
    d.running = true;
    asio::co_spawn(strand_, run_queue(name), asio::detached);
}

Task<void> FederationSender::run_queue(ServerName name) {
    while (!stopped_) {
        destinations_[name].again = false;
        bool sent = false;
        const bool delivered = co_await send_once(name, sent);
        auto& d = destinations_[name];
        if (delivered) {
            d.failures = 0;
            if (sent || d.again) continue;
            break;
        }
        // Exponential backoff, then the same queue again (catch-up).
        ++d.failures;
        auto wait = options_.retry_base;
        for (int i = 1; i < d.failures && wait < options_.retry_max; ++i) wait *= 2;
        wait = std::min(wait, options_.retry_max);
        if (!d.backoff) d.backoff = std::make_unique<asio::steady_timer>(strand_);
        d.backoff->expires_after(wait);
        co_await d.backoff->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    destinations_[name].running = false;
}

Task<bool> FederationSender::send_once(const ServerName& name, bool& sent_something) {
    auto batch = co_await db_.read(
        "federation_outbox_batch", [&](store::ReadTxn& txn) -> Result<std::pair<std::vector<store::OutboxEntry>, json>> {
            auto entries = txn.outbox().pending(name, kMaxPdusPerTxn);
            if (!entries) return entries.error();
            std::vector<EventId> ids;
            for (const auto& e : *entries) ids.push_back(e.event_id);
            auto events = txn.events().get_many(ids);
            if (!events) return events.error();
            json pdus = json::array();
            for (const auto& e : *events) pdus.push_back(e.json);
            return std::pair(std::move(*entries), std::move(pdus));
        });
    if (!batch) co_return false;
    auto& d = destinations_[name];
    std::vector<json> edus;
    const std::size_t edu_count = std::min(d.edus.size(), kMaxEdusPerTxn);
    edus.assign(d.edus.begin(), d.edus.begin() + static_cast<std::ptrdiff_t>(edu_count));
    if (batch->first.empty() && edus.empty()) co_return true;

    // The id names the outbox rows it carries, so a retry of the same rows
    // reuses it (the receiver may have processed it already).
    const std::string txn_id =
        batch->first.empty()
            ? "e" + std::to_string(clock_.now_ms())
            : std::to_string(batch->first.front().id) + "-" + std::to_string(batch->first.back().id) +
                  (edus.empty() ? "" : "e" + std::to_string(clock_.now_ms()));
    json body = {{"origin", std::string(own_name_.str())},
                 {"origin_server_ts", clock_.now_ms()},
                 {"pdus", std::move(batch->second)}};
    if (!edus.empty()) body["edus"] = edus;
    auto answer = co_await client_.put(name, "/_matrix/federation/v1/send/" + txn_id, std::move(body));
    if (!answer) co_return false;

    sent_something = true;
    auto& after = destinations_[name];
    after.edus.erase(after.edus.begin(),
                     after.edus.begin() + static_cast<std::ptrdiff_t>(std::min(edu_count, after.edus.size())));
    if (!batch->first.empty()) {
        const std::int64_t through = batch->first.back().id;
        auto removed = co_await db_.write("federation_outbox_sent", [&](store::WriteTxn& txn) {
            return txn.outbox().remove_through(name, through);
        });
        if (!removed) co_return false;
    }
    co_return true;
}

}  // namespace chat::federation
