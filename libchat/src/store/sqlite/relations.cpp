#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

// rel_type is client or remote-server input copied into our index; real
// ones ("m.thread", "org.example.vote") are short.
constexpr std::size_t kMaxRelTypeBytes = 255;
// Beyond this the recursive /relations walk stops, whatever is asked: the
// spec wants at least 3 levels and a bound.
constexpr int kMaxRelationDepth = 10;

std::int64_t sql_limit(std::size_t limit) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

std::string sender_list(std::span<const std::string> senders) {
    auto list = nlohmann::json::array();
    for (const auto& s : senders) list.push_back(s);
    return list.dump();
}

// A child is servable when its event is in the timeline and not redacted
// (redaction strips m.relates_to, which breaks the relation); `e` is the
// child's row in `events`. The walk stays inside the room and follows only
// servable children. Parameters: ?1 room, ?2 parent, ?3 depth, ?4 rel_type,
// ?5 type, ?6 from, ?7 to, ?8 ignored senders (JSON), ?9 limit. The two
// directions differ only in ORDER BY.
constexpr std::string_view kChildrenSelect =
    "WITH RECURSIVE related(child_id, depth) AS ("
    " SELECT r.child_id, 1 FROM event_relations r"
    "  JOIN events e ON e.event_id = r.child_id"
    "  WHERE r.parent_id = ?2 AND r.room_id = ?1 AND e.outlier = 0 AND e.soft_failed = 0"
    "  AND e.rejected_reason IS NULL AND e.redacted_by IS NULL"
    " UNION"
    " SELECT r.child_id, related.depth + 1 FROM related"
    "  JOIN event_relations r ON r.parent_id = related.child_id"
    "  JOIN events e ON e.event_id = r.child_id"
    "  WHERE related.depth < ?3 AND r.room_id = ?1 AND e.outlier = 0 AND e.soft_failed = 0"
    "  AND e.rejected_reason IS NULL AND e.redacted_by IS NULL"
    ") SELECT r.child_id, r.rel_type, r.child_type, r.sender, r.stream_ordering"
    " FROM related JOIN event_relations r ON r.child_id = related.child_id"
    " WHERE (?4 IS NULL OR r.rel_type = ?4) AND (?5 IS NULL OR r.child_type = ?5)"
    " AND r.stream_ordering > ?6 AND r.stream_ordering <= ?7"
    " AND r.sender NOT IN (SELECT value FROM json_each(?8))";

const std::string& children_sql(Direction direction) {
    static const std::string backward =
        std::string(kChildrenSelect) + " ORDER BY r.stream_ordering DESC LIMIT ?9";
    static const std::string forward =
        std::string(kChildrenSelect) + " ORDER BY r.stream_ordering ASC LIMIT ?9";
    return direction == Direction::forward ? forward : backward;
}

// SQLite takes a bare column of an aggregate query with exactly one MAX()
// from the row holding the maximum: child_id is the newest reply.
// ?1 room, ?2 root, ?3 participant, ?4 ignored senders.
constexpr std::string_view kThread =
    "SELECT r.child_id, MAX(r.stream_ordering), COUNT(*), COALESCE(SUM(r.sender = ?3), 0)"
    " FROM event_relations r JOIN events e ON e.event_id = r.child_id"
    " WHERE r.parent_id = ?2 AND r.room_id = ?1 AND r.rel_type = 'm.thread'"
    " AND e.outlier = 0 AND e.soft_failed = 0 AND e.rejected_reason IS NULL"
    " AND e.redacted_by IS NULL"
    " AND r.sender NOT IN (SELECT value FROM json_each(?4))";

// The same per root, for roots that are timeline events of the room.
// ?1 room, ?2 to, ?3 limit, ?4 participant, ?5 ignored senders.
constexpr std::string_view kThreads =
    "SELECT r.child_id, MAX(r.stream_ordering) AS latest, COUNT(*),"
    " COALESCE(SUM(r.sender = ?4), 0) AS replied, r.parent_id, root.sender"
    " FROM event_relations r"
    " JOIN events e ON e.event_id = r.child_id"
    " JOIN events root ON root.event_id = r.parent_id"
    " WHERE r.room_id = ?1 AND r.rel_type = 'm.thread'"
    " AND e.outlier = 0 AND e.soft_failed = 0 AND e.rejected_reason IS NULL"
    " AND e.redacted_by IS NULL"
    " AND r.sender NOT IN (SELECT value FROM json_each(?5))"
    " AND root.room_id = ?1 AND root.outlier = 0 AND root.soft_failed = 0"
    " AND root.rejected_reason IS NULL"
    " GROUP BY r.parent_id"
    " HAVING latest <= ?2 AND (?4 IS NULL OR replied > 0 OR root.sender = ?4)"
    " ORDER BY latest DESC LIMIT ?3";

// Columns 0-3 of kThread and kThreads.
Result<ThreadSummary> read_thread(const Query& q, EventId root_id) {
    auto latest = q.id<EventId>(0);
    if (!latest) return latest.error();
    return ThreadSummary{.root_id = std::move(root_id),
                         .latest_event_id = std::move(*latest),
                         .latest_ordering = q.int64(1),
                         .count = q.int64(2),
                         .participant_replied = q.int64(3) > 0};
}

}  // namespace

Result<void> index_relation(Connection& conn, const Pdu& pdu, Position stream_ordering) {
    // The content is the sender's; anything unusable means "no relation".
    const auto& content = pdu.content();
    if (!content.is_object()) return ok();
    const auto relates = content.find("m.relates_to");
    if (relates == content.end() || !relates->is_object()) return ok();
    const auto rel_type = relates->find("rel_type");
    const auto parent = relates->find("event_id");
    if (rel_type == relates->end() || !rel_type->is_string() || parent == relates->end() ||
        !parent->is_string())
        return ok();
    const auto& rel = rel_type->get_ref<const std::string&>();
    if (rel.empty() || rel.size() > kMaxRelTypeBytes) return ok();
    auto parent_id = EventId::parse(parent->get_ref<const std::string&>());
    if (!parent_id || *parent_id == pdu.event_id()) return ok();
    std::optional<std::string> key;
    if (const auto k = relates->find("key"); k != relates->end() && k->is_string())
        key = k->get<std::string>();
    auto added = conn.run(
        "INSERT OR IGNORE INTO event_relations(child_id, parent_id, room_id, rel_type,"
        " child_type, sender, aggregation_key, stream_ordering)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        pdu.event_id(), *parent_id, pdu.room_id(), rel, pdu.type(), pdu.sender(), key,
        stream_ordering);
    if (!added) return added.error();
    return ok();
}

Result<std::vector<RelationRow>> SqliteRelations::children(const RelationsQuery& query) {
    const auto& sql = children_sql(query.direction);
    const int depth = std::clamp(query.max_depth, 1, kMaxRelationDepth);
    return all_rows(
        conn_.query(sql, query.room_id, query.parent_id, depth, query.rel_type, query.event_type,
                    query.from, query.to, sender_list(query.ignored_senders),
                    sql_limit(query.limit)),
        [](const Query& q) -> Result<RelationRow> {
            auto child = q.id<EventId>(0);
            if (!child) return child.error();
            auto sender = q.id<UserId>(3);
            if (!sender) return sender.error();
            return RelationRow{.event_id = std::move(*child),
                               .rel_type = std::string(q.text(1)),
                               .type = std::string(q.text(2)),
                               .sender = std::move(*sender),
                               .stream_ordering = q.int64(4)};
        });
}

Result<std::vector<std::string>> SqliteRelations::rel_types(
    const RoomId& room_id, const EventId& parent_id,
    std::span<const std::string> ignored_senders) {
    return all_rows(
        conn_.query("SELECT DISTINCT r.rel_type FROM event_relations r"
                    " JOIN events e ON e.event_id = r.child_id"
                    " WHERE r.parent_id = ?2 AND r.room_id = ?1"
                    " AND e.outlier = 0 AND e.soft_failed = 0 AND e.rejected_reason IS NULL"
                    " AND e.redacted_by IS NULL"
                    " AND r.sender NOT IN (SELECT value FROM json_each(?3))",
                    room_id, parent_id, sender_list(ignored_senders)),
        [](const Query& q) -> Result<std::string> { return std::string(q.text(0)); });
}

Result<std::optional<ThreadSummary>> SqliteRelations::thread(
    const RoomId& room_id, const EventId& root_id, const std::optional<UserId>& participant,
    std::span<const std::string> ignored_senders) {
    auto row = optional_row(
        conn_.query(kThread, room_id, root_id, participant, sender_list(ignored_senders)),
        [&](const Query& q) -> Result<std::optional<ThreadSummary>> {
            if (q.int64(2) == 0) return std::optional<ThreadSummary>();  // no replies
            auto summary = read_thread(q, root_id);
            if (!summary) return summary.error();
            return std::optional<ThreadSummary>(std::move(*summary));
        });
    if (!row) return row.error();
    if (!*row) return std::optional<ThreadSummary>();
    return std::move(**row);
}

Result<std::vector<ThreadSummary>> SqliteRelations::threads(const ThreadsQuery& query) {
    return all_rows(conn_.query(kThreads, query.room_id, query.to, sql_limit(query.limit),
                                query.participant, sender_list(query.ignored_senders)),
                    [](const Query& q) -> Result<ThreadSummary> {
                        auto root = q.id<EventId>(4);
                        if (!root) return root.error();
                        return read_thread(q, std::move(*root));
                    });
}

Result<std::vector<EventId>> SqliteRelations::replacements(const RoomId& room_id,
                                                           const EventId& parent_id,
                                                           const UserId& sender,
                                                           std::string_view type,
                                                           std::size_t limit) {
    // BINARY collation compares event ids byte by byte: the spec's
    // "lexicographically largest" tie-break.
    return all_rows(
        conn_.query("SELECT r.child_id FROM event_relations r"
                    " JOIN events e ON e.event_id = r.child_id"
                    " WHERE r.parent_id = ?2 AND r.room_id = ?1 AND r.rel_type = 'm.replace'"
                    " AND r.sender = ?3 AND r.child_type = ?4 AND e.state_key IS NULL"
                    " AND e.outlier = 0 AND e.soft_failed = 0 AND e.rejected_reason IS NULL"
                    " AND e.redacted_by IS NULL"
                    " ORDER BY e.origin_server_ts DESC, e.event_id DESC LIMIT ?5",
                    room_id, parent_id, sender, type, sql_limit(limit)),
        event_id_at0);
}

}  // namespace chat::store::sqlite
