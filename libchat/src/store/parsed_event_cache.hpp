#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <chat/events/pdu.hpp>

namespace chat::store {

// Parsed events by the row they were parsed from, shared by every
// connection of one store. Reading an event back costs a JSON parse and a
// Pdu built from it, far more than the row lookup; the auth events, create,
// power levels and member events are read again for nearly every new event.
//
// A row's JSON changes only when the event is redacted; the key is the
// event id with the row's redaction and the length of its JSON text, so a
// cached entry can only ever match the text it was parsed from (in rooms
// whose event ids are hashes; legacy ids are never cached). Entries of a
// transaction that rolled back are harmless: a lookup only follows a row
// found in the database. Thread-safe.
class ParsedEventCache {
public:
    // At most `capacity` entries (0: no cache).
    explicit ParsedEventCache(std::size_t capacity) : capacity_(capacity) {}

    PduPtr find(std::string_view event_id, bool redacted, std::size_t json_bytes) const;
    void put(std::string_view event_id, bool redacted, std::size_t json_bytes, PduPtr pdu);

private:
    static std::string key(std::string_view event_id, bool redacted, std::size_t json_bytes);

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    // Two generations: when `young_` fills up it becomes `old_`, and what is
    // still used gets copied back into the young one. Close to LRU, at no
    // per-hit bookkeeping.
    mutable std::unordered_map<std::string, PduPtr> young_;  // guarded by mutex_
    mutable std::unordered_map<std::string, PduPtr> old_;    // guarded by mutex_
};

}  // namespace chat::store
