#pragma once

#include <span>
#include <string_view>

#include <chat/core/result.hpp>

#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

// One schema step: migrations/NNNN_name.sql, embedded at build time.
struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

// Every migration this build knows, by increasing version (generated; the
// numbers may have gaps).
std::span<const Migration> migrations() noexcept;

// The version the newest migration brings a database to (0 with none).
int latest_schema_version() noexcept;

// Brings the database to latest_schema_version(): applies each missing
// migration (any version not yet recorded) in order, all in one IMMEDIATE transaction, recording each in
// `schema_version`; an up-to-date database is left alone. Safe against
// another process migrating at the same time (the second waits, then finds
// nothing to do). Errors: Errc::storage when a migration fails (nothing is
// applied) or when the database is newer than this build (refused: an older
// binary must not write to a schema it does not know).
Result<void> migrate(Connection& conn);

}  // namespace chat::store::sqlite
