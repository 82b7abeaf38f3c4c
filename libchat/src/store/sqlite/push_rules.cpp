#include "store/sqlite/areas.hpp"

#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

Result<std::optional<PushRulesRow>> SqlitePushRules::get(const UserId& user_id) {
    return optional_row(
        conn_.query("SELECT user_id, changes, stream_position FROM push_rules WHERE user_id = ?1",
                    user_id),
        [](const Query& q) -> Result<PushRulesRow> {
            auto user = q.id<UserId>(0);
            if (!user) return user.error();
            auto changes = q.json(1);
            if (!changes) return changes.error();
            return PushRulesRow{.user_id = std::move(*user),
                                .changes = std::move(*changes),
                                .stream_position = q.int64(2)};
        });
}

Result<void> SqlitePushRules::put(const PushRulesRow& row) {
    auto written = conn_.run(
        "INSERT INTO push_rules(user_id, changes, stream_position) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(user_id) DO UPDATE SET"
        " changes = excluded.changes, stream_position = excluded.stream_position",
        row.user_id, row.changes.dump(), row.stream_position);
    if (!written) return written.error();
    return ok();
}

}  // namespace chat::store::sqlite
