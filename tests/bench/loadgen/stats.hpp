#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace loadgen {

// Latency percentiles of one run, in microseconds.
struct Percentiles {
    std::size_t count = 0;
    std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// What senders and syncers count during the measured window. Thread-safe: a
// short mutex per call (tens of thousands of calls per second at most).
class Stats {
public:
    void sent();
    void delivered(std::chrono::microseconds latency);
    void duplicate();
    void limited_sync();
    void error(const std::string& kind);

    std::uint64_t sent_count() const;
    std::uint64_t delivered_count() const;
    std::uint64_t duplicates() const;
    std::uint64_t limited_syncs() const;
    std::map<std::string, std::uint64_t> errors() const;
    // Sorts a copy of the samples.
    Percentiles latency() const;

private:
    mutable std::mutex mutex_;
    std::uint64_t sent_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t limited_ = 0;
    std::vector<std::int64_t> latencies_us_;
    std::map<std::string, std::uint64_t> errors_;
};

// A server process on this machine, read from /proc (Linux).
struct ProcessSample {
    bool ok = false;
    std::int64_t rss_kib = 0;   // VmRSS
    std::int64_t peak_kib = 0;  // VmHWM
    std::int64_t fds = 0;       // entries of /proc/<pid>/fd
    std::int64_t threads = 0;
    double cpu_seconds = 0;     // user + system time so far
};

ProcessSample sample_process(int pid);

// User + system CPU time of this process so far.
double own_cpu_seconds();

}  // namespace loadgen
