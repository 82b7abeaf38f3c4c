#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/txn.hpp>

namespace chat::e2ee {

// Server-side key backups (client-server spec "Server-side key backups",
// /room_keys). Bodies are untrusted; functions run in one store
// transaction (they block: DB thread only).

// Whether `incoming` should replace the stored `existing` KeyBackupData:
// a verified key beats an unverified one, then the lower
// first_message_index wins, then the lower forwarded_count; otherwise the
// stored key stays. Both are checked KeyBackupData objects.
bool should_replace(const nlohmann::json& existing, const nlohmann::json& incoming);

// Checks a KeyBackupData object. Errors: Errc::bad_json.
Result<void> check_key_backup_data(const nlohmann::json& data);

// A `version` path or query parameter: versions are decimal numbers.
// Errors: Errc::not_found for anything else (no such version).
Result<std::int64_t> parse_backup_version(std::string_view text);

// The JSON of GET /room_keys/version[/{version}].
nlohmann::json version_json(const store::BackupVersionRow& row);

// The answer to a keys write: {"etag", "count"}; or, when `version` is not
// the current one, the current version for M_WRONG_ROOM_KEYS_VERSION.
struct BackupWrite {
    nlohmann::json body;
    std::optional<std::string> wrong_version_current;
};

// PUT /room_keys/keys[...]: `rooms` is {room_id: {"sessions": {session_id:
// KeyBackupData}}} built by the handler from the scope's body. Applies the
// replacement rule per session; bumps the etag when anything changed.
// Errors: not_found (unknown version), bad_json.
Result<BackupWrite> put_backup_keys(store::WriteTxn& txn, const UserId& user,
                                    std::string_view version, const nlohmann::json& rooms);

// DELETE /room_keys/keys[...]. Unlike writes, any existing version may be
// cleared. Errors: not_found.
Result<nlohmann::json> delete_backup_keys(store::WriteTxn& txn, const UserId& user,
                                          std::string_view version,
                                          const std::optional<std::string>& room_id,
                                          const std::optional<std::string>& session_id);

}  // namespace chat::e2ee
