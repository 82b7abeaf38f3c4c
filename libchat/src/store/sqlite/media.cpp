#include "store/sqlite/areas.hpp"

#include <algorithm>
#include <utility>

#include "store/sqlite/rows.hpp"

namespace chat::store::sqlite {

namespace {

constexpr std::int64_t kMaxLimit = 1 << 30;

// Columns: origin, media_id, uploader, content_type, upload_name, size,
// sha256, created_ts, quarantined, COALESCE(last_access_ts, created_ts).
Result<MediaRow> read_media(const Query& q) {
    auto origin = q.id<ServerName>(0);
    if (!origin) return origin.error();
    auto uploader = q.opt_id<UserId>(2);
    if (!uploader) return uploader.error();
    return MediaRow{.origin = std::move(*origin),
                    .media_id = std::string(q.text(1)),
                    .uploader = std::move(*uploader),
                    .content_type = q.opt_text(3),
                    .upload_name = q.opt_text(4),
                    .size = q.int64(5),
                    .sha256 = std::string(q.blob(6)),
                    .created_ts = q.int64(7),
                    .quarantined = q.boolean(8),
                    .last_access_ts = q.int64(9)};
}

Result<PendingMediaRow> read_pending(const Query& q) {
    auto creator = q.id<UserId>(1);
    if (!creator) return creator.error();
    return PendingMediaRow{.media_id = std::string(q.text(0)),
                           .creator = std::move(*creator),
                           .created_ts = q.int64(2),
                           .expires_ts = q.int64(3)};
}

std::int64_t clamp_count(std::size_t n) {
    return static_cast<std::int64_t>(std::min<std::size_t>(n, kMaxLimit));
}

}  // namespace

Result<std::optional<MediaRow>> SqliteMedia::get(const ServerName& origin,
                                                 std::string_view media_id) {
    return optional_row(conn_.query("SELECT origin, media_id, uploader, content_type,"
                                    " upload_name, size, sha256, created_ts, quarantined,"
                                    " COALESCE(last_access_ts, created_ts)"
                                    " FROM media WHERE origin = ?1 AND media_id = ?2",
                                    origin, media_id),
                        read_media);
}

Result<std::vector<MediaRow>> SqliteMedia::by_uploader(const UserId& uploader,
                                                       std::size_t limit) {
    const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxLimit));
    return all_rows(conn_.query("SELECT origin, media_id, uploader, content_type,"
                                " upload_name, size, sha256, created_ts, quarantined,"
                                " COALESCE(last_access_ts, created_ts)"
                                " FROM media WHERE uploader = ?1"
                                " ORDER BY created_ts DESC LIMIT ?2",
                                uploader, n),
                    read_media);
}

Result<void> SqliteMedia::put(const MediaRow& row) {
    auto added = conn_.run(
        "INSERT INTO media(origin, media_id, uploader, content_type, upload_name, size, sha256,"
        " created_ts, quarantined, last_access_ts)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT(origin, media_id) DO NOTHING",
        row.origin, row.media_id, row.uploader, row.content_type, row.upload_name, row.size,
        Blob{row.sha256}, row.created_ts, row.quarantined,
        row.last_access_ts > 0 ? std::optional(row.last_access_ts) : std::nullopt);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::invalid_param, "Media ID already in use.");
    return ok();
}

Result<bool> SqliteMedia::set_quarantined(const ServerName& origin, std::string_view media_id,
                                          bool quarantined) {
    auto changed = conn_.run(
        "UPDATE media SET quarantined = ?3 WHERE origin = ?1 AND media_id = ?2", origin,
        media_id, quarantined);
    if (!changed) return changed.error();
    return *changed > 0;
}

Result<bool> SqliteMedia::remove(const ServerName& origin, std::string_view media_id) {
    auto removed =
        conn_.run("DELETE FROM media WHERE origin = ?1 AND media_id = ?2", origin, media_id);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<std::vector<MediaRow>> SqliteMedia::page_by_uploader(const UserId& uploader,
                                                            std::size_t offset,
                                                            std::size_t limit) {
    return all_rows(conn_.query("SELECT origin, media_id, uploader, content_type,"
                                " upload_name, size, sha256, created_ts, quarantined,"
                                " COALESCE(last_access_ts, created_ts)"
                                " FROM media WHERE uploader = ?1"
                                " ORDER BY created_ts, media_id LIMIT ?2 OFFSET ?3",
                                uploader, clamp_count(limit), clamp_count(offset)),
                    read_media);
}

Result<std::int64_t> SqliteMedia::count_by_uploader(const UserId& uploader) {
    auto n = optional_row(conn_.query("SELECT COUNT(*) FROM media WHERE uploader = ?1", uploader),
                          int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<std::optional<PendingMediaRow>> SqliteMedia::pending(std::string_view media_id) {
    return optional_row(conn_.query("SELECT media_id, creator, created_ts, expires_ts"
                                    " FROM media_pending WHERE media_id = ?1",
                                    media_id),
                        read_pending);
}

Result<std::int64_t> SqliteMedia::count_pending(const UserId& creator, std::int64_t now_ms) {
    auto n = optional_row(conn_.query("SELECT COUNT(*) FROM media_pending"
                                      " WHERE creator = ?1 AND expires_ts > ?2",
                                      creator, now_ms),
                          int64_at0);
    if (!n) return n.error();
    return n->value_or(0);
}

Result<void> SqliteMedia::reserve(const PendingMediaRow& row) {
    auto added = conn_.run("INSERT INTO media_pending(media_id, creator, created_ts, expires_ts)"
                           " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(media_id) DO NOTHING",
                           row.media_id, row.creator, row.created_ts, row.expires_ts);
    if (!added) return added.error();
    if (*added == 0) return make_error(Errc::invalid_param, "Media ID already in use.");
    return ok();
}

Result<bool> SqliteMedia::remove_pending(std::string_view media_id) {
    auto removed = conn_.run("DELETE FROM media_pending WHERE media_id = ?1", media_id);
    if (!removed) return removed.error();
    return *removed > 0;
}

Result<std::int64_t> SqliteMedia::remove_expired_pending(std::int64_t now_ms) {
    auto removed = conn_.run("DELETE FROM media_pending WHERE expires_ts <= ?1", now_ms);
    if (!removed) return removed.error();
    return static_cast<std::int64_t>(*removed);
}

Result<std::vector<MediaRow>> SqliteMedia::remote_not_accessed_since(const ServerName& local,
                                                                     std::int64_t before_ms,
                                                                     std::size_t limit) {
    // uploader IS NULL and the COALESCE expression match the partial index.
    return all_rows(conn_.query("SELECT origin, media_id, uploader, content_type,"
                                " upload_name, size, sha256, created_ts, quarantined,"
                                " COALESCE(last_access_ts, created_ts)"
                                " FROM media WHERE uploader IS NULL AND origin != ?1"
                                " AND COALESCE(last_access_ts, created_ts) < ?2"
                                " ORDER BY COALESCE(last_access_ts, created_ts) LIMIT ?3",
                                local, before_ms, clamp_count(limit)),
                    read_media);
}

Result<bool> SqliteMedia::touch(const ServerName& origin, std::string_view media_id,
                                std::int64_t now_ms) {
    auto changed = conn_.run(
        "UPDATE media SET last_access_ts = ?3 WHERE origin = ?1 AND media_id = ?2", origin,
        media_id, now_ms);
    if (!changed) return changed.error();
    return *changed > 0;
}

Result<bool> SqliteMedia::remove_remote_if_idle(const ServerName& local, const ServerName& origin,
                                                std::string_view media_id,
                                                std::int64_t before_ms) {
    auto removed = conn_.run("DELETE FROM media WHERE origin = ?2 AND media_id = ?3"
                             " AND uploader IS NULL AND origin != ?1"
                             " AND COALESCE(last_access_ts, created_ts) < ?4",
                             local, origin, media_id, before_ms);
    if (!removed) return removed.error();
    return *removed > 0;
}

}  // namespace chat::store::sqlite
