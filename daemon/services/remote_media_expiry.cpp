#include "services/remote_media_expiry.hpp"

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "config/config.hpp"
#include "media/media_files.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerDay = 24 * 3600 * kMsPerSecond;
constexpr std::int64_t kTouchAtMostEveryMs = 3600 * kMsPerSecond;
// Rows handled per housekeeping run; the rest wait for the next one, so one
// run never holds the writer long.
constexpr std::size_t kBatch = 500;

}  // namespace

std::int64_t remote_media_lifetime_ms(const MediaConfig& media) {
    if (media.remote_retention_override.count() > 0)
        return static_cast<std::int64_t>(media.remote_retention_override.count()) * kMsPerSecond;
    return static_cast<std::int64_t>(media.remote_retention_days) * kMsPerDay;
}

std::int64_t remote_media_touch_interval_ms(std::int64_t lifetime_ms) {
    if (lifetime_ms <= 0) return kTouchAtMostEveryMs;
    return std::min(kTouchAtMostEveryMs, std::max<std::int64_t>(lifetime_ms / 4, 1));
}

Task<Result<std::size_t>> expire_remote_media(const Services& services, std::int64_t now_ms,
                                              std::int64_t lifetime_ms) {
    if (lifetime_ms <= 0) co_return std::size_t{0};
    auto local = ServerName::parse(services.server_name);
    if (!local) co_return local.error();
    const std::int64_t cutoff = now_ms - lifetime_ms;

    auto idle = co_await services.db->read("media_remote_idle", [&](store::ReadTxn& txn) {
        return txn.media().remote_not_accessed_since(*local, cutoff, kBatch);
    });
    if (!idle) co_return idle.error();
    if (idle->empty()) co_return std::size_t{0};

    // The conditional delete keeps what a download touched since the list.
    std::vector<store::MediaRow> removed;
    auto deleted = co_await services.db->write(
        "media_remote_expire", [&](store::WriteTxn& txn) -> Result<void> {
            removed.clear();  // a retried transaction starts again
            for (const auto& row : *idle) {
                auto gone = txn.media().remove_remote_if_idle(*local, row.origin, row.media_id,
                                                              cutoff);
                if (!gone) return gone.error();
                if (*gone) removed.push_back(row);
            }
            return ok();
        });
    if (!deleted) co_return deleted.error();
    if (removed.empty()) co_return std::size_t{0};

    // Rows first, then files: a download that comes in between finds no row
    // and fetches the media again.
    const auto& files = *services.media_files;
    auto failed = co_await services.cpu->run([&]() -> std::size_t {
        std::size_t failures = 0;
        for (const auto& row : removed) {
            std::error_code ec;
            std::filesystem::remove(files.remote_content_path(row.origin.str(), row.media_id), ec);
            if (ec) ++failures;
            std::filesystem::remove_all(files.remote_thumbnail_dir(row.origin.str(), row.media_id),
                                        ec);
            if (ec) ++failures;
        }
        return failures;
    });

    // Such a download may have cached the media again just before the files
    // went: drop any row that reappeared, so no row names a missing file (the
    // next download fetches it once more).
    auto rechecked = co_await services.db->write(
        "media_remote_expire_recheck", [&](store::WriteTxn& txn) -> Result<void> {
            for (const auto& row : removed)
                if (auto gone = txn.media().remove(row.origin, row.media_id); !gone)
                    return gone.error();
            return ok();
        });
    if (!rechecked) co_return rechecked.error();
    if (failed > 0)
        co_return make_error(Errc::internal, "Media storage failed",
                             std::to_string(failed) + " cached remote media files not removed");
    co_return removed.size();
}

}  // namespace chat::daemon
