#pragma once

#include <chat/core/result.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/client_event.hpp>

#include "http/request.hpp"

namespace chat::daemon {

// How events are formatted for the requester of an authenticated request:
// their user and device (transaction_id), the time (unsigned.age) and their
// ignore list, so that bundled aggregations leave ignored users' children
// out. The context points into `request`, which must outlive it. Blocks:
// one store read (the ignore list).
Result<sync::ClientEventContext> client_context(store::ReadTxn& txn, const Request& request);

}  // namespace chat::daemon
