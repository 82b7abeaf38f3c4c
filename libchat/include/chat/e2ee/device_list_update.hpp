#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/txn.hpp>

namespace chat::e2ee {

// The content of the m.device_list_update EDU that tells other servers
// about a change to `device_id` of the local `user` (server-server spec
// "Device Management"): user_id, device_id, stream_id, prev_id, deleted
// (the device is gone), and keys and device_display_name when known.
//
// stream_id is the current device_lists position, raised above the user's
// previous EDU when needed so that it never repeats for one user; prev_id
// names that previous EDU's stream_id, and is empty only for the user's
// first EDU. The new stream_id is recorded in `txn`, so the caller must send
// what it gets once the transaction commits. Blocks: SQLite.
Result<nlohmann::json> device_list_update_content(store::WriteTxn& txn, const UserId& user,
                                                  std::string_view device_id);

}  // namespace chat::e2ee
