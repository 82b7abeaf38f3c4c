#pragma once

#include <cstdint>

#include <chat/core/result.hpp>
#include <chat/events/pdu.hpp>
#include <chat/store/store.hpp>

namespace chat::rooms {

// Applies the m.room.redaction `redaction` to its target when the rules of
// §7.3 allow it (the sender's power level reaches the room's redact level,
// or the sender's server sent the target). An unknown target (the redaction
// waits for it) or one in another room is left alone. Returns whether the
// target was redacted. Shared by our own redactions (RoomService) and
// received ones (ingest::EventIngest).
Result<bool> apply_redaction(store::WriteTxn& txn, const Pdu& redaction, std::int64_t now_ms);

}  // namespace chat::rooms
