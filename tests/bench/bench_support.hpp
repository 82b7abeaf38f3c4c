#pragma once

// Small pieces the benchmark programs share.

#include <stdlib.h>
#include <stdio.h>
#include <time.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace chat::bench {

// A fresh directory under the system's temporary one, removed with everything
// in it when the benchmark is done, unless CHAT_BENCH_KEEP is set (then its
// path is printed, to look at what a run wrote, e.g. with sqlite3's dbstat).
class BenchDir {
public:
    explicit BenchDir(const std::string& prefix) {
        std::string pattern = std::filesystem::temp_directory_path() / (prefix + "-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        path_ = pattern;
    }
    ~BenchDir() {
        if (getenv("CHAT_BENCH_KEEP") != nullptr) {
            fprintf(stderr, "kept %s\n", path_.c_str());
            return;
        }
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    BenchDir(const BenchDir&) = delete;
    BenchDir& operator=(const BenchDir&) = delete;
    std::string file(const char* name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// CPU time of the whole process (every thread), in seconds: on a shared
// machine it says what the work cost when wall time says how long it waited.
inline double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace chat::bench
