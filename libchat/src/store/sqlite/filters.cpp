#include "store/sqlite/areas.hpp"

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<nlohmann::json>> SqliteFilters::get(const UserId& user_id,
                                                         std::int64_t filter_id) {
    return optional_row(
        conn_.query("SELECT json FROM filters WHERE user_id = ?1 AND filter_id = ?2", user_id,
                    filter_id),
        [](const Query& q) { return q.json(0); });
}

Result<std::int64_t> SqliteFilters::add(const UserId& user_id, const nlohmann::json& filter) {
    // nlohmann::json keeps object keys sorted, so equal filters dump equal.
    const std::string text = filter.dump();
    auto same = optional_row(
        conn_.query("SELECT filter_id FROM filters WHERE user_id = ?1 AND json = ?2", user_id,
                    text),
        int64_at0);
    if (!same) return same.error();
    if (*same) return **same;
    auto id = optional_row(
        conn_.query("INSERT INTO filters(user_id, filter_id, json)"
                    " SELECT ?1, COALESCE(MAX(filter_id) + 1, 0), ?2 FROM filters"
                    " WHERE user_id = ?1 RETURNING filter_id",
                    user_id, text),
        int64_at0);
    if (!id) return id.error();
    if (!*id) return make_error(Errc::internal, "filter id not returned");
    return **id;
}

}  // namespace chat::store::sqlite
