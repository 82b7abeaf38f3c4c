#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <limits>

#include <chat/store/sqlite.hpp>

#include "store/sqlite/rows.hpp"

namespace chat::store {

std::string fts5_match_query(std::span<const std::string> terms) {
    std::string query;
    for (const auto& term : terms) {
        if (!query.empty()) query += ' ';
        query += '"';
        for (char c : term) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"')
                query += "\"\"";
            else if (byte < 0x20 || byte == 0x7f)
                query += ' ';  // FTS5 reads a NUL as the end of the query
            else
                query += c;
        }
        query += "\"*";
    }
    return query;
}

}  // namespace chat::store

namespace chat::store::sqlite {

namespace {

// Only what a client may see of a room's timeline; the text of a redacted
// event is gone from the index, and this guards against any row left behind.
#define CHAT_SEARCH_FROM                                                                     \
    " FROM event_search CROSS JOIN events AS e ON e.stream_ordering = event_search.rowid"  \
    " WHERE event_search MATCH ?1"                                                         \
    " AND e.room_id IN (SELECT value FROM json_each(?2))"                                  \
    " AND e.type IN (SELECT value FROM json_each(?3))"                                     \
    " AND e.outlier = 0 AND e.soft_failed = 0 AND e.rejected_reason IS NULL"               \
    " AND e.redacted_by IS NULL"

// CROSS JOIN keeps the index as the outer loop: the work follows the
// matches, never every event of the rooms searched. bm25() is lower for
// better matches.
constexpr std::string_view kSearchByRank =
    "SELECT e.event_id, e.room_id, e.stream_ordering, bm25(event_search) AS score"
    CHAT_SEARCH_FROM
    " ORDER BY score, e.stream_ordering DESC LIMIT ?4 OFFSET ?5";

// FTS5 returns rows in rowid (stream ordering) order by itself.
constexpr std::string_view kSearchByRecent =
    "SELECT e.event_id, e.room_id, e.stream_ordering, bm25(event_search)"
    CHAT_SEARCH_FROM
    " AND event_search.rowid < ?4"
    " ORDER BY event_search.rowid DESC LIMIT ?5";

constexpr std::string_view kSearchCount =
    "SELECT COUNT(*) FROM (SELECT 1" CHAT_SEARCH_FROM " LIMIT ?4)";

#undef CHAT_SEARCH_FROM

std::int64_t sql_count(std::size_t n) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

// The event types `keys` name, as a JSON array; every searchable type when
// `keys` is empty. Keys the spec does not define select nothing.
std::string types_of(const std::vector<std::string>& keys) {
    auto types = nlohmann::json::array();
    if (keys.empty()) {
        for (auto key : {kSearchKeyBody, kSearchKeyName, kSearchKeyTopic})
            types.push_back(std::string(*search_key_type(key)));
    }
    for (const auto& key : keys)
        if (auto type = search_key_type(key)) types.push_back(std::string(*type));
    return types.dump();
}

// The indexed text of a stored event (federation JSON; content untrusted).
// m.room.name and m.room.topic count only as state events.
std::optional<std::string> searchable_event_text(const nlohmann::json& pdu_json) {
    if (!pdu_json.is_object()) return std::nullopt;
    auto type = pdu_json.find("type");
    auto content = pdu_json.find("content");
    if (type == pdu_json.end() || !type->is_string() || content == pdu_json.end())
        return std::nullopt;
    const auto& type_text = type->get_ref<const std::string&>();
    if (type_text != "m.room.message" && !pdu_json.contains("state_key")) return std::nullopt;
    auto found = searchable_text(type_text, *content);
    if (!found) return std::nullopt;
    return std::move(found->text);
}

Result<SearchHit> read_hit(const Query& q) {
    auto event_id = q.id<EventId>(0);
    if (!event_id) return event_id.error();
    auto room_id = q.id<RoomId>(1);
    if (!room_id) return room_id.error();
    // Shown to clients as "higher is better".
    return SearchHit{std::move(*event_id), std::move(*room_id), q.int64(2),
                     -q.real(3)};
}

// The parameters every search statement starts with: ?1 match, ?2 rooms, ?3 types.
struct SearchParams {
    std::string match;
    std::string rooms;
    std::string types;
};

SearchParams params_of(const SearchQuery& query) {
    return {fts5_match_query(query.terms), json_id_list(query.rooms), types_of(query.keys)};
}

bool matches_nothing(const SearchQuery& query) {
    return query.terms.empty() || query.rooms.empty();
}

}  // namespace

Result<std::vector<SearchHit>> SqliteSearch::search(const SearchQuery& query) {
    if (matches_nothing(query) || query.limit == 0) return std::vector<SearchHit>{};
    const auto p = params_of(query);
    if (query.order == SearchOrder::recent)
        return all_rows(conn_.query(kSearchByRecent, p.match, p.rooms, p.types,
                                    query.before.value_or(kMaxPosition), sql_count(query.limit)),
                        read_hit);
    return all_rows(conn_.query(kSearchByRank, p.match, p.rooms, p.types, sql_count(query.limit),
                                sql_count(query.offset)),
                    read_hit);
}

Result<std::int64_t> SqliteSearch::count(const SearchQuery& query, std::int64_t cap) {
    if (matches_nothing(query) || cap <= 0) return std::int64_t{0};
    const auto p = params_of(query);
    auto n = optional_row(conn_.query(kSearchCount, p.match, p.rooms, p.types, cap), int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<void> index_event_text(SearchQueue* queue, Position stream_ordering,
                              const nlohmann::json& pdu_json) {
    if (queue == nullptr) return make_error(Errc::internal, "Internal server error.",
                                            "search text indexed outside the writer");
    auto text = searchable_event_text(pdu_json);
    if (!text) return ok();
    // Indexed when the transaction commits (SearchQueue::flush).
    queue->add(stream_ordering, std::move(*text));
    return ok();
}

Result<void> unindex_event_text(Connection& conn, SearchQueue* queue, Position stream_ordering,
                                const nlohmann::json& pdu_json) {
    if (queue == nullptr) return make_error(Errc::internal, "Internal server error.",
                                            "search text removed outside the writer");
    auto text = searchable_event_text(pdu_json);
    if (!text) return ok();
    // Text of this transaction is not in the index yet: drop it from the
    // queue (a contentless index must never be told to delete what it lacks).
    if (queue->remove(stream_ordering)) return ok();
    auto removed = conn.run(
        "INSERT INTO event_search(event_search, rowid, text) VALUES ('delete', ?1, ?2)",
        stream_ordering, *text);
    if (!removed) return removed.error();
    return ok();
}


}  // namespace chat::store::sqlite
