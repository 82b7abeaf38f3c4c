#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::daemon::bus {

// What workers tell each other over Redis (docs/architecture.md, "Workers").
// Positions, never rows: a receiver reads the rows from the shared store, so
// a lost or repeated message only delays a wake-up. Typing and presence
// activity live in memory and travel whole.

// A stream advanced (committed) on the sender.
struct StreamAdvanced {
    store::Stream stream = store::Stream::events;
    store::Position position = 0;
    friend bool operator==(const StreamAdvanced&, const StreamAdvanced&) = default;
};

// Something clients could see changed outside the streams (device keys).
struct Poke {
    friend bool operator==(const Poke&, const Poke&) = default;
};

// One user started, renewed or stopped typing in one room on the sender.
// `stamp` is the sender's typing position of the change (TypingTracker).
struct TypingChanged {
    RoomId room_id;
    UserId user_id;
    bool typing = false;
    std::int64_t expires_ms = 0;  // ms since the epoch; 0 when not typing
    std::int64_t stamp = 0;
    friend bool operator==(const TypingChanged&, const TypingChanged&) = default;
};

// Users the sender saw (a request or a running /sync) in its last tick: the
// other workers' presence timeouts must not take them offline; and those who
// were active there (sent something), whom the others must not make idle.
struct PresenceSeen {
    std::vector<UserId> users;
    std::vector<UserId> active;
    friend bool operator==(const PresenceSeen&, const PresenceSeen&) = default;
};

using BusBody = std::variant<StreamAdvanced, Poke, TypingChanged, PresenceSeen>;

struct BusMessage {
    std::string worker;  // the sender's workers.name
    BusBody body;
    friend bool operator==(const BusMessage&, const BusMessage&) = default;
};

// Bounds on what decode() accepts from another worker (semi-trusted: any
// client of the Redis server can publish on the channel).
inline constexpr std::size_t kMaxBusMessageBytes = 64 * 1024;
inline constexpr std::size_t kMaxSeenUsers = 1000;  // per list
inline constexpr std::size_t kMaxWorkerNameBytes = 64;

// One compact JSON object: {"w":worker,"k":kind,...}. Kinds: "stream"
// (s, p), "poke", "typing" (r, u, on, exp, at), "seen" (users, active;
// senders split longer lists). Pure.
std::string encode(const BusMessage& message);

// Parses a message from the bus. Errors (Errc::bad_json, not_json,
// invalid_param): not JSON, over kMaxBusMessageBytes, an unknown kind or
// stream, a malformed id, a negative or missing number, too many users.
// Never throws. Pure.
Result<BusMessage> decode(std::string_view text);

}  // namespace chat::daemon::bus
