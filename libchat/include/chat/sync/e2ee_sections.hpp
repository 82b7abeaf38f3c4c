#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>
#include <chat/store/txn.hpp>

namespace chat::sync {

// The most to-device messages one /sync response carries (spec digest 7.2).
inline constexpr std::size_t kMaxToDevicePerSync = 100;

// Fills the end-to-end encryption parts of a /sync `body` for one device
// (client-server spec "Extensions to /sync"): `to_device.events` queued for
// `device_id` in (from, to]; `device_lists` (incremental syncs only);
// `device_one_time_keys_count` and `device_unused_fallback_key_types`
// (always). When more messages wait than one response carries,
// to[Stream::to_device] is lowered to the last one sent, so the next sync
// continues from there. Returns whether the client has news (messages or
// device-list changes). Blocks on the store (DB reader thread).
Result<bool> add_e2ee_sections(store::ReadTxn& txn, const UserId& user,
                               std::string_view device_id, const store::StreamPositions& from,
                               store::StreamPositions& to, bool initial, nlohmann::json& body);

}  // namespace chat::sync
