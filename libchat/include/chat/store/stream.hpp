#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace chat::store {

// A position in a stream. Every persisted change a client can see advances a
// stream; positions of one stream strictly increase in commit order, so a
// reader that sees position P sees every change at or below P (one writer
// assigns them inside its transaction). 0 is "before anything".
using Position = std::int64_t;

// Bounds for "(from, to]" range queries. Backfilled history has negative
// event positions, so kMinPosition (not 0) means "from the beginning".
inline constexpr Position kMinPosition = std::numeric_limits<Position>::min();
inline constexpr Position kMaxPosition = std::numeric_limits<Position>::max();

// The streams the store persists. A sync token is the vector of their
// positions plus typing, which lives in memory and has no stored stream.
enum class Stream {
    events,        // room events; the position is the event's stream ordering
    receipts,      // m.receipt (read, private read, MSC4089 delivery)
    account_data,  // global and per-room account data
    presence,
    to_device,
    device_lists,
    push_rules,
};

inline constexpr std::size_t kStreamCount = 7;
inline constexpr std::array<Stream, kStreamCount> kAllStreams = {
    Stream::events,    Stream::receipts,     Stream::account_data, Stream::presence,
    Stream::to_device, Stream::device_lists, Stream::push_rules,
};

// "events", "receipts", ...: the name in logs, metrics and the database.
std::string_view to_string(Stream stream) noexcept;
// The inverse of to_string(); none for an unknown name. Untrusted input is fine.
std::optional<Stream> stream_from_string(std::string_view name) noexcept;

// One position per stream, as read from one snapshot.
struct StreamPositions {
    std::array<Position, kStreamCount> at{};

    Position operator[](Stream s) const noexcept { return at[static_cast<std::size_t>(s)]; }
    Position& operator[](Stream s) noexcept { return at[static_cast<std::size_t>(s)]; }
    friend bool operator==(const StreamPositions&, const StreamPositions&) = default;
};

}  // namespace chat::store
