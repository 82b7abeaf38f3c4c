#pragma once

#include <boost/asio/awaitable.hpp>

#include "loadgen/options.hpp"

namespace loadgen {

// One run: setup (users, rooms, joins, filters, every syncer's first sync),
// then `duration` of sending, then up to `drain` for the last deliveries,
// then a report on stdout. Returns the process exit status: 0 when the run
// completed (errors are reported, not fatal), 1 when setup failed.
boost::asio::awaitable<int> run_load(Options options);

}  // namespace loadgen
