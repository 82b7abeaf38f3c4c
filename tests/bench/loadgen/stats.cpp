#include "loadgen/stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace loadgen {

void Stats::sent() {
    std::lock_guard lock(mutex_);
    ++sent_;
}

void Stats::delivered(std::chrono::microseconds latency) {
    std::lock_guard lock(mutex_);
    latencies_us_.push_back(latency.count());
}

void Stats::duplicate() {
    std::lock_guard lock(mutex_);
    ++duplicates_;
}

void Stats::limited_sync() {
    std::lock_guard lock(mutex_);
    ++limited_;
}

void Stats::error(const std::string& kind) {
    std::lock_guard lock(mutex_);
    ++errors_[kind];
}

std::uint64_t Stats::sent_count() const {
    std::lock_guard lock(mutex_);
    return sent_;
}

std::uint64_t Stats::delivered_count() const {
    std::lock_guard lock(mutex_);
    return latencies_us_.size();
}

std::uint64_t Stats::duplicates() const {
    std::lock_guard lock(mutex_);
    return duplicates_;
}

std::uint64_t Stats::limited_syncs() const {
    std::lock_guard lock(mutex_);
    return limited_;
}

std::map<std::string, std::uint64_t> Stats::errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
}

Percentiles Stats::latency() const {
    std::vector<std::int64_t> samples;
    {
        std::lock_guard lock(mutex_);
        samples = latencies_us_;
    }
    Percentiles out{.count = samples.size()};
    if (samples.empty()) return out;
    std::sort(samples.begin(), samples.end());
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    auto rank = [&](double q) {
        auto index = static_cast<std::size_t>(q * static_cast<double>(samples.size()) + 0.999999);
        return samples[std::clamp<std::size_t>(index, 1, samples.size()) - 1];
    };
    out.p50 = rank(0.50);
    out.p90 = rank(0.90);
    out.p99 = rank(0.99);
    out.max = samples.back();
    return out;
}

ProcessSample sample_process(int pid) {
    ProcessSample out;
    const std::filesystem::path proc = "/proc/" + std::to_string(pid);
    std::ifstream status(proc / "status");
    if (!status) return out;
    std::string line;
    while (std::getline(status, line)) {
        std::istringstream fields(line);
        std::string key;
        std::int64_t value = 0;
        fields >> key >> value;
        if (key == "VmRSS:") out.rss_kib = value;
        if (key == "VmHWM:") out.peak_kib = value;
        if (key == "Threads:") out.threads = value;
    }
    // /proc/<pid>/stat: utime and stime are fields 14 and 15, after the
    // command name in parentheses (which may hold spaces).
    std::ifstream stat(proc / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    if (auto close = text.rfind(')'); close != std::string::npos) {
        std::istringstream fields(text.substr(close + 2));
        std::string field;
        long long utime = 0, stime = 0;
        for (int index = 3; index <= 15 && fields >> field; ++index) {
            if (index == 14) utime = std::stoll(field);
            if (index == 15) stime = std::stoll(field);
        }
        out.cpu_seconds = static_cast<double>(utime + stime) /
                          static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(proc / "fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++out.fds;
    out.ok = true;
    return out;
}

double own_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace loadgen
