// loadgen: a Matrix Client-Server API load generator (issue 8). Usage: loadgen --help.
#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "loadgen/load_run.hpp"
#include "loadgen/options.hpp"

namespace {

// Every syncer holds a connection: 10,000 of them need more than the usual 1,024 fds.
void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    std::printf("loadgen: fd limit %llu\n", static_cast<unsigned long long>(limit.rlim_cur));
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    auto options = loadgen::parse_options(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!options) {
        std::fprintf(error.empty() ? stdout : stderr, "%s%s%s", error.empty() ? "" : "loadgen: ",
                     error.c_str(), error.empty() ? loadgen::kUsage : "\n");
        return error.empty() ? 0 : 2;
    }
    raise_fd_limit();
    boost::asio::io_context io(options->threads);
    int status = 1;
    const int threads = options->threads;
    boost::asio::co_spawn(io, loadgen::run_load(std::move(*options)),
                          [&](std::exception_ptr failure, int result) {
                              status = failure ? 1 : result;
                              if (failure) std::fprintf(stderr, "loadgen: unexpected exception\n");
                              io.stop();  // syncers are still long-polling: abandon them
                          });
    std::vector<std::thread> extra;
    for (int t = 1; t < threads; ++t)
        extra.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : extra)
        thread.join();
    return status;
}
