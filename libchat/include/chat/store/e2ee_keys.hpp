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

namespace chat::store {

// A device's keys as uploaded to /keys/upload (the signed device_keys object).
struct DeviceKeysRow {
    UserId user_id;
    std::string device_id;
    nlohmann::json keys;
};

// A one-time or fallback key: "<algorithm>:<key_id>" and its JSON value.
struct ClaimedKey {
    std::string algorithm;
    std::string key_id;
    nlohmann::json key;
};

// A signature stored apart from the key it signs (/keys/signatures/upload).
// target_key_id is a device id or a cross-signing public key.
struct KeySignatureRow {
    UserId signer_user_id;
    std::string signer_key_id;  // "ed25519:<device id or public key>"
    UserId target_user_id;
    std::string target_key_id;
    std::string signature;
};

// Keys for end-to-end encryption (client-server spec "End-to-end
// encryption"): device keys, one-time and fallback keys, cross-signing keys
// and signatures, and the device_lists stream. Values are stored as the
// client uploaded them: checking them is the caller's job (libchat e2ee).
class E2eeKeysReader {
public:
    virtual ~E2eeKeysReader() = default;
    virtual Result<std::optional<nlohmann::json>> device_keys(const UserId& user_id,
                                                              std::string_view device_id) = 0;
    // Every device of the user that uploaded keys, ordered by device id.
    virtual Result<std::vector<DeviceKeysRow>> all_device_keys(const UserId& user_id) = 0;
    // An unclaimed one-time key, for telling a retried upload from a conflicting one.
    virtual Result<std::optional<nlohmann::json>> one_time_key(const UserId& user_id,
                                                               std::string_view device_id,
                                                               std::string_view algorithm,
                                                               std::string_view key_id) = 0;
    // Unclaimed one-time keys of the device by algorithm (absent: none).
    virtual Result<std::map<std::string, std::int64_t>> one_time_key_counts(
        const UserId& user_id, std::string_view device_id) = 0;
    // The device's fallback key of `algorithm`, used or not.
    virtual Result<std::optional<ClaimedKey>> fallback_key(const UserId& user_id,
                                                           std::string_view device_id,
                                                           std::string_view algorithm) = 0;
    // Algorithms whose fallback key was not handed out yet, sorted.
    virtual Result<std::vector<std::string>> unused_fallback_algorithms(
        const UserId& user_id, std::string_view device_id) = 0;
    // `usage` is "master", "self_signing" or "user_signing".
    virtual Result<std::optional<nlohmann::json>> cross_signing_key(const UserId& user_id,
                                                                    std::string_view usage) = 0;
    // Stored signatures of one key of `target_user_id`.
    virtual Result<std::vector<KeySignatureRow>> signatures_of(const UserId& target_user_id,
                                                               std::string_view target_key_id) = 0;
    // Users whose device list changed in (from, to], sorted; each appears once.
    virtual Result<std::vector<UserId>> changed_users(Position from, Position to) = 0;
    // The stream_id of the last m.device_list_update EDU sent for the local
    // user (server-server spec "Device Management"); none before the first.
    virtual Result<std::optional<Position>> last_sent_device_list_update(
        const UserId& user_id) = 0;
};

class E2eeKeys : public E2eeKeysReader {
public:
    // Stores (or replaces) the device's keys. Errors: Errc::not_found when the
    // device does not exist.
    virtual Result<void> put_device_keys(const UserId& user_id, std::string_view device_id,
                                         const nlohmann::json& keys) = 0;
    // Adds an unclaimed one-time key; one already stored under the same id is
    // left as it is (returns false).
    virtual Result<bool> add_one_time_key(const UserId& user_id, std::string_view device_id,
                                          const ClaimedKey& key) = 0;
    // Removes and returns the oldest unclaimed one-time key of `algorithm`:
    // a key is handed out at most once. None when there is none.
    virtual Result<std::optional<ClaimedKey>> claim_one_time_key(const UserId& user_id,
                                                                 std::string_view device_id,
                                                                 std::string_view algorithm) = 0;
    // Sets the device's fallback key for key.algorithm, unused, replacing
    // any earlier one unless it is the same key (then its used mark stays).
    virtual Result<void> put_fallback_key(const UserId& user_id, std::string_view device_id,
                                          const ClaimedKey& key) = 0;
    // The fallback key of `algorithm`, marked used; it stays until replaced.
    virtual Result<std::optional<ClaimedKey>> claim_fallback_key(const UserId& user_id,
                                                                 std::string_view device_id,
                                                                 std::string_view algorithm) = 0;
    virtual Result<void> put_cross_signing_key(const UserId& user_id, std::string_view usage,
                                               const nlohmann::json& key) = 0;
    // Adds or replaces the signature by (signer, signer key) on the target key.
    virtual Result<void> put_signature(const KeySignatureRow& row) = 0;
    // Records that the user's device list changed at `position` (a
    // Stream::device_lists position of this transaction).
    virtual Result<void> mark_changed(const UserId& user_id, Position position) = 0;
    // Records `stream_id` as the last m.device_list_update EDU sent for the
    // local user, replacing the earlier one.
    virtual Result<void> put_sent_device_list_update(const UserId& user_id,
                                                     Position stream_id) = 0;
};

}  // namespace chat::store
