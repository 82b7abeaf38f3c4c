#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

Result<RegistrationTokenRow> read_token(const Query& q) {
    return RegistrationTokenRow{.token = std::string(q.text(0)),
                                .uses_allowed = q.opt_int64(1),
                                .pending = q.int64(2),
                                .completed = q.int64(3),
                                .expiry_time = q.opt_int64(4)};
}

}  // namespace

Result<std::optional<RegistrationTokenRow>> SqliteRegistrationTokens::get(std::string_view token) {
    return optional_row(conn_.query("SELECT token, uses_allowed, pending, completed, expiry_time"
                                    " FROM registration_tokens WHERE token = ?1",
                                    token),
                        read_token);
}

Result<std::vector<RegistrationTokenRow>> SqliteRegistrationTokens::list() {
    return all_rows(conn_.query("SELECT token, uses_allowed, pending, completed, expiry_time"
                                " FROM registration_tokens ORDER BY token"),
                    read_token);
}

Result<void> SqliteRegistrationTokens::create(const RegistrationTokenRow& row) {
    auto added = conn_.run(
        "INSERT OR IGNORE INTO registration_tokens(token, uses_allowed, pending, completed,"
        " expiry_time) VALUES (?1, ?2, 0, 0, ?3)",
        row.token, row.uses_allowed, row.expiry_time);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::invalid_param, "Token already exists");
    return ok();
}

Result<void> SqliteRegistrationTokens::update(const RegistrationTokenRow& row) {
    auto changed = conn_.run(
        "UPDATE registration_tokens SET uses_allowed = ?2, expiry_time = ?3 WHERE token = ?1",
        row.token, row.uses_allowed, row.expiry_time);
    if (!changed) return changed.error();
    if (*changed == 0) return not_found("No such registration token");
    return ok();
}

Result<bool> SqliteRegistrationTokens::remove(std::string_view token) {
    auto removed = conn_.run("DELETE FROM registration_tokens WHERE token = ?1", token);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<bool> SqliteRegistrationTokens::reserve(std::string_view token, std::int64_t now_ms) {
    // The validity test sits in the UPDATE itself, so two registrations
    // racing for the last use cannot both get it.
    auto changed = conn_.run(
        "UPDATE registration_tokens SET pending = pending + 1 WHERE token = ?1"
        " AND (uses_allowed IS NULL OR pending + completed < uses_allowed)"
        " AND (expiry_time IS NULL OR expiry_time > ?2)",
        token, now_ms);
    if (!changed) return changed.error();
    return *changed > 0;
}

Result<void> SqliteRegistrationTokens::finish(std::string_view token, bool registered) {
    auto changed = conn_.run(
        "UPDATE registration_tokens SET pending = max(pending - 1, 0),"
        " completed = completed + ?2 WHERE token = ?1",
        token, registered ? 1 : 0);
    if (!changed) return changed.error();
    return ok();
}

}  // namespace chat::store::sqlite
