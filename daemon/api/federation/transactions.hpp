#pragma once

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// PUT /_matrix/federation/v1/send/{txnId} (digest federation.md §4-§6): a
// transaction of at most 50 PDUs and 100 EDUs from `origin`. Each PDU goes
// through PduReceiver (ACL, signatures, hash, auth rules); its outcome is in
// the answer's `pdus` map, never an HTTP error. EDUs: m.typing, m.receipt
// (m.read), m.presence; others are ignored. A repeated txnId from the same
// origin gets the first answer again without being processed twice.
Task<Result<Reply>> put_federation_send(Request& request, const ServerName& origin);

}  // namespace chat::daemon
