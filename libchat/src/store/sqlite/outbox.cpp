#include "store/sqlite/areas.hpp"

#include <algorithm>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::int64_t kMaxLimit = 1 << 20;

// Columns: id, destination, event_id.
Result<OutboxEntry> read_entry(const Query& q) {
    auto destination = q.id<ServerName>(1);
    if (!destination) return destination.error();
    auto event_id = q.id<EventId>(2);
    if (!event_id) return event_id.error();
    return OutboxEntry{
        .id = q.int64(0), .destination = std::move(*destination), .event_id = std::move(*event_id)};
}

Result<ServerName> read_destination(const Query& q) { return q.id<ServerName>(0); }

}  // namespace

Result<std::vector<ServerName>> SqliteOutbox::destinations() {
    return all_rows(conn_.query("SELECT DISTINCT destination FROM federation_outbox"),
                    read_destination);
}

Result<std::vector<OutboxEntry>> SqliteOutbox::pending(const ServerName& destination,
                                                       std::size_t limit) {
    const auto bounded = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT id, destination, event_id FROM federation_outbox"
                                " WHERE destination = ?1 ORDER BY id LIMIT ?2",
                                destination, bounded),
                    read_entry);
}

Result<void> SqliteOutbox::enqueue(std::span<const ServerName> destinations,
                                   const EventId& event_id) {
    for (const auto& destination : destinations) {
        auto done = conn_.run(
            "INSERT INTO federation_outbox(destination, event_id) VALUES (?1, ?2)", destination,
            event_id);
        if (!done) return done.error();
    }
    return ok();
}

Result<void> SqliteOutbox::remove_through(const ServerName& destination, std::int64_t through) {
    auto done = conn_.run("DELETE FROM federation_outbox WHERE destination = ?1 AND id <= ?2",
                          destination, through);
    if (!done) return done.error();
    return ok();
}

}  // namespace chat::store::sqlite
