#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>

namespace chat::store {

// One PDU waiting to be sent to one remote server.
struct OutboxEntry {
    std::int64_t id = 0;  // increasing: the order to send in
    ServerName destination;
    EventId event_id;
};

// The federation outbox: what each remote server still has to receive from
// us. Rows are written in the same transaction as the event they name, so an
// acknowledged event can never be lost to a crash before it is sent, and are
// removed only once the destination answered the transaction that carried
// them (at-least-once; receivers deduplicate by event id).
class OutboxReader {
public:
    virtual ~OutboxReader() = default;
    // Destinations with at least one entry, in no particular order.
    virtual Result<std::vector<ServerName>> destinations() = 0;
    // The oldest `limit` entries for `destination`, oldest first.
    virtual Result<std::vector<OutboxEntry>> pending(const ServerName& destination,
                                                     std::size_t limit) = 0;
};

class Outbox : public OutboxReader {
public:
    // Queues `event_id` for each of `destinations` (duplicates are harmless).
    virtual Result<void> enqueue(std::span<const ServerName> destinations,
                                 const EventId& event_id) = 0;
    // Removes `destination`'s entries with id <= `through` (they were delivered).
    virtual Result<void> remove_through(const ServerName& destination, std::int64_t through) = 0;
};

}  // namespace chat::store
