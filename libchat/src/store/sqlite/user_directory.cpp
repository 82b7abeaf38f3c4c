#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <utility>

#include <chat/store/sqlite.hpp>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// `text` cut to kMaxDirectoryNameBytes without splitting a UTF-8 sequence.
std::optional<std::string> bounded_name(std::optional<std::string> text) {
    if (!text || text->size() <= kMaxDirectoryNameBytes) return text;
    std::size_t end = kMaxDirectoryNameBytes;
    while (end > 0 && (static_cast<unsigned char>((*text)[end]) & 0xC0) == 0x80) --end;
    text->resize(end);
    return text;
}

Result<void> upsert(Connection& conn, const UserId& user_id,
                    const std::optional<std::string>& display_name,
                    const std::optional<std::string>& avatar_url) {
    auto written = conn.run("INSERT INTO user_directory(user_id, display_name, avatar_url)"
                            " VALUES (?1, ?2, ?3) ON CONFLICT(user_id) DO UPDATE SET"
                            " display_name = excluded.display_name,"
                            " avatar_url = excluded.avatar_url"
                            " WHERE display_name IS NOT excluded.display_name"
                            " OR avatar_url IS NOT excluded.avatar_url",
                            user_id, bounded_name(display_name), avatar_url);
    if (!written) return written.error();
    return ok();
}

// The best matches first (bm25 is lower for better), then users with a
// display name, then with an avatar (the spec's order); deactivated accounts
// never. At most ?2 candidates: the bound of kMaxDirectoryCandidates.
constexpr std::string_view kCandidates =
    "SELECT d.user_id, d.display_name, d.avatar_url"
    " FROM user_directory_search CROSS JOIN user_directory AS d"
    "  ON d.id = user_directory_search.rowid"
    " LEFT JOIN users AS u ON u.user_id = d.user_id"
    " WHERE user_directory_search MATCH ?1 AND COALESCE(u.deactivated, 0) = 0"
    " ORDER BY bm25(user_directory_search), d.display_name IS NULL, d.avatar_url IS NULL,"
    "  d.user_id"
    " LIMIT ?2";

// Whether the requester (?1) may discover the candidate (?2): both joined to
// one room, or the candidate joined to a room anyone may join or read. Each
// arm walks one user's joined rooms through indexes.
constexpr std::string_view kVisible =
    "SELECT EXISTS (SELECT 1 FROM room_memberships AS mine"
    "  JOIN room_memberships AS theirs ON theirs.room_id = mine.room_id"
    "  AND theirs.user_id = ?2 AND theirs.membership = 'join'"
    "  WHERE mine.user_id = ?1 AND mine.membership = 'join')"
    " OR EXISTS (SELECT 1 FROM room_memberships AS m"
    "  JOIN current_state AS cs ON cs.room_id = m.room_id AND cs.state_key = ''"
    "  AND cs.type IN ('m.room.join_rules', 'm.room.history_visibility')"
    "  JOIN events AS e ON e.event_id = cs.event_id"
    "  WHERE m.user_id = ?2 AND m.membership = 'join'"
    "  AND ((cs.type = 'm.room.join_rules'"
    "        AND json_extract(e.json, '$.content.join_rule') = 'public')"
    "    OR (cs.type = 'm.room.history_visibility'"
    "        AND json_extract(e.json, '$.content.history_visibility') = 'world_readable')))";

Result<DirectoryUser> read_user(const Query& q) {
    auto user_id = q.id<UserId>(0);
    if (!user_id) return user_id.error();
    return DirectoryUser{std::move(*user_id), q.opt_text(1), q.opt_text(2)};
}

}  // namespace

Result<void> directory_set_local(Connection& conn, const UserId& user_id) {
    auto row = optional_row(
        conn.query("SELECT displayname, avatar_url FROM users WHERE user_id = ?1", user_id),
        [](const Query& q) -> Result<std::pair<std::optional<std::string>,
                                               std::optional<std::string>>> {
            return std::pair{q.opt_text(0), q.opt_text(1)};
        });
    if (!row) return row.error();
    if (!*row) return ok();
    return upsert(conn, user_id, (*row)->first, (*row)->second);
}

Result<void> directory_set_from_join(Connection& conn, const UserId& user_id,
                                     const std::optional<std::string>& display_name,
                                     const std::optional<std::string>& avatar_url) {
    // A local account's directory entry is its account profile, whatever
    // name it uses in one room.
    auto local = optional_row(conn.query("SELECT 1 FROM users WHERE user_id = ?1", user_id),
                              int64_at0);
    if (!local) return local.error();
    if (*local) return ok();
    auto nonempty = [](const std::optional<std::string>& text) {
        return text && !text->empty() ? text : std::nullopt;
    };
    return upsert(conn, user_id, nonempty(display_name), nonempty(avatar_url));
}

Result<UserDirectoryResults> SqliteUserDirectory::search(const UserDirectoryQuery& query) {
    UserDirectoryResults out;
    const auto limit = std::min(query.limit, kMaxDirectoryLimit);
    if (query.terms.empty() || limit == 0) return out;
    auto candidates =
        all_rows(conn_.query(kCandidates, fts5_match_query(query.terms),
                             static_cast<std::int64_t>(kMaxDirectoryCandidates)),
                 read_user);
    if (!candidates) return candidates.error();
    for (auto& candidate : *candidates) {
        auto visible = optional_row(conn_.query(kVisible, query.requester, candidate.user_id),
                                    [](const Query& q) -> Result<bool> { return q.boolean(0); });
        if (!visible) return visible.error();
        if (!visible->value_or(false)) continue;
        if (out.results.size() == limit) {
            out.limited = true;  // one more visible match than returned
            return out;
        }
        out.results.push_back(std::move(candidate));
    }
    // Matches past the candidate bound were never looked at.
    out.limited = candidates->size() == kMaxDirectoryCandidates;
    return out;
}

}  // namespace chat::store::sqlite
