#pragma once

#include <cstddef>
#include <cstdint>

#include <chat/core/result.hpp>

#include "http/task.hpp"

namespace chat::daemon {

struct Services;
struct MediaConfig;

// How long cached remote media may go unserved before it is removed, in
// milliseconds: media.remote_retention_seconds when set, else
// media.remote_retention_days. 0: kept forever.
std::int64_t remote_media_lifetime_ms(const MediaConfig& media);

// How stale a cached item's last_access_ts may get before a download writes
// it again: an hour, or less for short lifetimes, so that a download costs a
// store write at most once per interval.
std::int64_t remote_media_touch_interval_ms(std::int64_t lifetime_ms);

// Removes up to one batch of cached remote media not served through us since
// `now_ms - lifetime_ms`: the store rows (one write), then the content files
// and their cached thumbnails (on the CPU pool). Our own media is never
// listed. Returns how many were removed. Suspends: store reads and writes,
// file deletes on the blocking pool; never blocks the calling thread.
Task<Result<std::size_t>> expire_remote_media(const Services& services, std::int64_t now_ms,
                                              std::int64_t lifetime_ms);

}  // namespace chat::daemon
