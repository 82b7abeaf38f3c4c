#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// Receipts and read markers: api/client/receipts.cpp. Read receipts go
// through RoomService::set_receipt, m.fully_read is room account data,
// MSC4089 delivery receipts go to libchat receipts/delivery.hpp. Blocks:
// SQLite, on the DB pool.

// POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}
Task<Result<Reply>> post_receipt(Request& request);
// POST /_matrix/client/v3/rooms/{roomId}/read_markers
Task<Result<Reply>> post_read_markers(Request& request);

}  // namespace chat::daemon
