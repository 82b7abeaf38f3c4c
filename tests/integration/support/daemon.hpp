#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chat::test {

// A fresh directory under the test temp dir, removed with its contents.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;  // one owner removes it
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

// How a finished chatd ended, and what it printed.
struct Finished {
    int exit_code = -1;  // 128 + signal when killed by a signal
    std::string out;     // stdout
    std::string err;     // stderr
};

// Runs the real chatd with `args` in `workdir` until it exits, killing it
// after `deadline`. For commands that end by themselves (--version, a bad
// config).
Finished run_chatd(const std::vector<std::string>& args, const std::filesystem::path& workdir,
                   std::chrono::seconds deadline = std::chrono::seconds(10));

// A real chatd process (the binary CMake built) serving 127.0.0.1 on a port
// of the kernel's choosing, with its config, data and log in a directory.
class Daemon {
public:
    // Writes <dir>/chatd.yaml (port 0, data under <dir>/data, ready_file
    // <dir>/ready.json, log_level debug, then `extra_yaml`, which must not
    // repeat those keys), starts chatd with its output in <dir>/chatd.log and
    // waits for ready.json, polling until a deadline. Throws
    // std::runtime_error with the log tail when chatd exits or is not ready
    // in time.
    // `data_dir`, when given, replaces <dir>/data: workers (issue 10) share one.
    static std::unique_ptr<Daemon> start(const std::filesystem::path& dir,
                                         std::string_view extra_yaml = {},
                                         const std::filesystem::path& data_dir = {});
    // A chatd for federation tests: `server_name` (e.g. "127.0.0.1:<port>"),
    // listening on 127.0.0.1:`port` (from free_port()), with plain HTTP
    // between servers (federation.allow_insecure_http). `federation_yaml`
    // holds more federation.* keys, one per line, unindented; `extra_yaml`
    // as in start(), without server_name, port or federation.
    static std::unique_ptr<Daemon> start_federating(const std::filesystem::path& dir,
                                                    std::string_view server_name,
                                                    std::uint16_t port,
                                                    std::string_view extra_yaml = {},
                                                    std::string_view federation_yaml = {});
    ~Daemon();                       // stops chatd if it still runs
    Daemon(const Daemon&) = delete;  // one owner stops the process
    Daemon& operator=(const Daemon&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    pid_t pid() const noexcept { return pid_; }
    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path data_dir() const { return data_dir_; }
    std::filesystem::path ready_file() const { return dir_ / "ready.json"; }

    // Sends SIGTERM and waits for the exit, with SIGKILL after `deadline`.
    // Returns the exit code (128 + signal if killed). Once only.
    int stop(std::chrono::seconds deadline = std::chrono::seconds(10));
    // SIGKILL, no chance to clean up (a crashed worker). Once only.
    void kill_now();

    // The last `lines` lines of chatd's log, for failure messages.
    std::string log_tail(std::size_t lines = 40) const;

private:
    static std::unique_ptr<Daemon> start_with(const std::filesystem::path& dir,
                                              std::string_view server_name, std::uint16_t port,
                                              std::string_view extra_yaml,
                                              const std::filesystem::path& data_dir);
    Daemon(std::filesystem::path dir, std::filesystem::path data_dir, pid_t pid)
        : dir_(std::move(dir)), data_dir_(std::move(data_dir)), pid_(pid) {}

    std::filesystem::path dir_;
    std::filesystem::path data_dir_;
    pid_t pid_;
    std::uint16_t port_ = 0;
    bool running_ = true;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed),
// for servers whose name must carry their port before they start.
std::uint16_t free_port();

// The last `lines` lines of a text file ("" if it cannot be read).
std::string file_tail(const std::filesystem::path& file, std::size_t lines);

}  // namespace chat::test
