#include "support/daemon.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace chat::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollInterval{10};
constexpr std::chrono::seconds kReadyDeadline{15};

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Starts CHATD_BINARY with `args` in `workdir`, stdout and stderr to the
// given files (the same file for both is fine).
pid_t spawn_chatd(const std::vector<std::string>& args, const std::filesystem::path& workdir,
                  const std::filesystem::path& out_file, const std::filesystem::path& err_file) {
    // Everything the child needs is built before fork(): after it, only
    // async-signal-safe calls.
    std::vector<std::string> owned{CHATD_BINARY};
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : owned)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string dir = workdir.string(), out = out_file.string(), err = err_file.string();

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int err_fd = out == err
                         ? out_fd
                         : ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (out_fd < 0 || err_fd < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
            ::chdir(dir.c_str()) != 0)
            ::_exit(127);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

// Waits for `pid` to exit until `deadline`; nullopt if it is still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) return exit_code_of(status);
        if (done < 0) return -1;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(kPollInterval);
    }
}

int kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return exit_code_of(status);
}

}  // namespace

TempDir::TempDir() {
    std::random_device random;
    auto name = "chatd-it-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    path_ = std::filesystem::path(testing::TempDir()) / name;
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

Finished run_chatd(const std::vector<std::string>& args, const std::filesystem::path& workdir,
                   std::chrono::seconds deadline) {
    auto out_file = workdir / "run.stdout";
    auto err_file = workdir / "run.stderr";
    std::filesystem::remove(out_file);
    std::filesystem::remove(err_file);
    pid_t pid = spawn_chatd(args, workdir, out_file, err_file);
    auto code = wait_until(pid, Clock::now() + deadline);
    Finished finished;
    finished.exit_code = code ? *code : kill_and_reap(pid);
    finished.out = read_file(out_file);
    finished.err = read_file(err_file);
    return finished;
}

std::unique_ptr<Daemon> Daemon::start(const std::filesystem::path& dir,
                                      std::string_view extra_yaml,
                                      const std::filesystem::path& data_dir) {
    return start_with(dir, "localhost", 0, extra_yaml, data_dir);
}

std::unique_ptr<Daemon> Daemon::start_federating(const std::filesystem::path& dir,
                                                 std::string_view server_name, std::uint16_t port,
                                                 std::string_view extra_yaml,
                                                 std::string_view federation_yaml) {
    std::string yaml(extra_yaml);
    yaml += "\nfederation:\n  allow_insecure_http: true\n";
    std::size_t at = 0;
    while (at < federation_yaml.size()) {
        auto end = federation_yaml.find('\n', at);
        if (end == std::string_view::npos) end = federation_yaml.size();
        if (end > at) yaml += "  " + std::string(federation_yaml.substr(at, end - at)) + "\n";
        at = end + 1;
    }
    return start_with(dir, server_name, port, yaml, {});
}

std::unique_ptr<Daemon> Daemon::start_with(const std::filesystem::path& dir,
                                           std::string_view server_name, std::uint16_t port,
                                           std::string_view extra_yaml,
                                           const std::filesystem::path& data_dir) {
    const auto data = data_dir.empty() ? dir / "data" : data_dir;
    auto config = dir / "chatd.yaml";
    auto ready = dir / "ready.json";
    std::filesystem::remove(ready);  // left by an earlier run in this dir
    {
        std::ofstream out(config);
        out << "server_name: \"" << server_name << "\"\n"
            << "bind_address: 127.0.0.1\n"
            << "port: " << port << "\n"
            << "data_dir: " << data.string() << "\n"
            << "ready_file: " << ready.string() << "\n"
            << "log_level: debug\n"
            << extra_yaml << "\n";
    }
    auto log = dir / "chatd.log";
    pid_t pid = spawn_chatd({"--config", config.string()}, dir, log, log);
    std::unique_ptr<Daemon> daemon(new Daemon(dir, data, pid));

    auto deadline = Clock::now() + kReadyDeadline;
    for (;;) {
        auto text = read_file(ready);
        if (!text.empty()) {
            auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
            if (json.is_object() && json["port"].is_number_unsigned()) {
                daemon->port_ = json["port"].get<std::uint16_t>();
                return daemon;
            }
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            daemon->running_ = false;
            throw std::runtime_error("chatd exited with " + std::to_string(exit_code_of(status)) +
                                     " before it was ready; log:\n" + daemon->log_tail());
        }
        if (Clock::now() >= deadline)
            throw std::runtime_error("chatd was not ready within 15 s; log:\n" +
                                     daemon->log_tail());
        std::this_thread::sleep_for(kPollInterval);
    }
}

Daemon::~Daemon() {
    if (running_) stop();
}

int Daemon::stop(std::chrono::seconds deadline) {
    if (!running_) return -1;
    running_ = false;
    ::kill(pid_, SIGTERM);
    auto code = wait_until(pid_, Clock::now() + deadline);
    return code ? *code : kill_and_reap(pid_);
}

void Daemon::kill_now() {
    if (!running_) return;
    running_ = false;
    kill_and_reap(pid_);
}

std::string Daemon::log_tail(std::size_t lines) const {
    return file_tail(dir_ / "chatd.log", lines);
}

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string file_tail(const std::filesystem::path& file, std::size_t lines) {
    auto text = read_file(file);
    std::size_t start = text.size();
    for (std::size_t seen = 0; start > 0; --start) {
        if (text[start - 1] == '\n' && start != text.size() && ++seen == lines) break;
    }
    return text.substr(start);
}

}  // namespace chat::test
