#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// One server-side key backup version (client-server spec "Server-side key
// backups"). Versions are numbered per user from 1; the current one is the
// highest not deleted.
struct BackupVersionRow {
    std::int64_t version = 0;
    std::string algorithm;
    nlohmann::json auth_data;
    std::int64_t etag = 0;  // bumped on every change to its keys
    std::int64_t count = 0; // sessions stored
    bool deleted = false;
};

// One backed-up session key (KeyBackupData, opaque to us but for the
// fields the replacement rule reads).
struct BackupKeyRow {
    std::string room_id;
    std::string session_id;
    nlohmann::json data;
};

class KeyBackupReader {
public:
    virtual ~KeyBackupReader() = default;
    // The version `version` (deleted ones too), or the current one when none.
    virtual Result<std::optional<BackupVersionRow>> version(
        const UserId& user_id, std::optional<std::int64_t> version) = 0;
    // Keys of a version, narrowed to a room and to a session when given;
    // ordered by room and session.
    virtual Result<std::vector<BackupKeyRow>> keys(const UserId& user_id, std::int64_t version,
                                                   const std::optional<std::string>& room_id,
                                                   const std::optional<std::string>& session_id) = 0;
};

class KeyBackup : public KeyBackupReader {
public:
    // Creates the next version, which becomes the current one.
    virtual Result<std::int64_t> create_version(const UserId& user_id, std::string_view algorithm,
                                                const nlohmann::json& auth_data) = 0;
    // Errors: Errc::not_found for an unknown or deleted version.
    virtual Result<void> set_auth_data(const UserId& user_id, std::int64_t version,
                                       const nlohmann::json& auth_data) = 0;
    // Marks the version deleted and drops its keys; false when unknown.
    virtual Result<bool> delete_version(const UserId& user_id, std::int64_t version) = 0;
    // Stores or replaces one session's key (the caller applied the rule).
    virtual Result<void> put_key(const UserId& user_id, std::int64_t version,
                                 const BackupKeyRow& row) = 0;
    // Removes keys (all, a room's, or one session); returns how many went.
    virtual Result<std::int64_t> delete_keys(const UserId& user_id, std::int64_t version,
                                             const std::optional<std::string>& room_id,
                                             const std::optional<std::string>& session_id) = 0;
    // Advances the version's etag.
    virtual Result<void> bump_etag(const UserId& user_id, std::int64_t version) = 0;
};

}  // namespace chat::store
