#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>
#include <chat/store/txn.hpp>

namespace chat::e2ee {

// The server side of end-to-end encryption key handling (client-server spec
// "End-to-end encryption": Key Distribution, Cross-signing, Tracking the
// device list). Every body given here is untrusted client JSON; every
// function runs inside one store transaction, so it blocks (SQLite) and
// must run on a DB thread. Only users of `local_server` are answered here:
// the daemon asks other servers for theirs (api/client/keys_federation.cpp)
// and passes only local users; any remote user left goes to `failures`.

// What an upload changed.
struct UploadResult {
    std::map<std::string, std::int64_t> one_time_key_counts;  // always has signed_curve25519
    // The device_lists position recorded when the device keys changed.
    std::optional<store::Position> device_list_position;
};

// POST /keys/upload for `device_id` of `user`. Checks device_keys (user and
// device match the requester, known key algorithms, signed by the device's
// own ed25519 key, which may not change), one-time and fallback keys
// (algorithm signed_curve25519 or curve25519, "<algorithm>:<key id>" ids,
// signed ones verified when the device's key is known). Errors:
// Errc::bad_json (shape), invalid_param (ids, algorithms, conflicts),
// invalid_signature.
Result<UploadResult> upload_keys(store::WriteTxn& txn, const UserId& user,
                                 std::string_view device_id, const nlohmann::json& body);

// The one_time_keys_count and unused fallback algorithms of a device, as
// /sync and /keys/upload report them.
Result<std::map<std::string, std::int64_t>> one_time_key_counts(store::ReadTxn& txn,
                                                                const UserId& user,
                                                                std::string_view device_id);

// POST /keys/query: `device_keys` is the request's map of user -> device
// ids (empty: all). Returns the whole response body. Signatures uploaded
// apart are merged; a user-signing signature on someone's master key is
// shown only to its signer; user_signing keys only to their owner.
Result<nlohmann::json> query_keys(store::ReadTxn& txn, const UserId& requester,
                                  std::string_view local_server, const nlohmann::json& device_keys);

// What POST /keys/claim answered and whose key counts changed.
struct ClaimResult {
    nlohmann::json body;
    std::vector<UserId> owners;  // users whose keys were handed out (to wake)
};

// POST /keys/claim: a one-time key per requested device, else its fallback
// key (marked used). Devices with neither are left out.
Result<ClaimResult> claim_keys(store::WriteTxn& txn, std::string_view local_server,
                               const nlohmann::json& one_time_keys);

// Whether POST /keys/device_signing/upload needs user-interactive auth
// (spec v1.11): not when the user has no master key yet, nor when the
// request only repeats the stored keys.
Result<bool> cross_signing_needs_auth(store::ReadTxn& txn, const UserId& user,
                                      const nlohmann::json& body);

// POST /keys/device_signing/upload (auth already checked). Errors:
// bad_json, invalid_param, missing_param (no master key), forbidden (a
// public key equal to a device id), invalid_signature. Returns the
// device_lists position when something changed.
Result<std::optional<store::Position>> upload_cross_signing(store::WriteTxn& txn,
                                                            const UserId& user,
                                                            const nlohmann::json& body);

struct SignaturesResult {
    nlohmann::json failures = nlohmann::json::object();
    std::optional<store::Position> device_list_position;
};

// POST /keys/signatures/upload by `signer`: verifies each new signature by
// one of the signer's keys and stores it; those that fail go to `failures`.
Result<SignaturesResult> upload_signatures(store::WriteTxn& txn, const UserId& signer,
                                           std::string_view local_server,
                                           const nlohmann::json& body);

// Users whose devices changed (or who started sharing a room with `user`)
// and users who stopped sharing every room, between two sync tokens'
// events and device_lists positions (GET /keys/changes, sync device_lists).
struct DeviceListDelta {
    std::vector<std::string> changed;
    std::vector<std::string> left;
};
Result<DeviceListDelta> device_list_changes(store::ReadTxn& txn, const UserId& user,
                                            const store::StreamPositions& from,
                                            const store::StreamPositions& to);

// Checks signatures[signer][key_id] on `object` (untrusted) against the
// ed25519 public key `public_key` (unpadded base64). Errors:
// Errc::invalid_signature.
Result<void> verify_key_signature(const nlohmann::json& object, std::string_view signer,
                                  std::string_view key_id, std::string_view public_key);

}  // namespace chat::e2ee
