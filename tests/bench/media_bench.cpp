// The content repository, end to end and in parts:
//  - BM_Upload / BM_Download: POST /_matrix/media/v3/upload and GET
//    /_matrix/client/v1/media/download of an 8 MiB file through a real chatd
//    on loopback (one connection per request, as cpp-httplib does), in MB/s;
//  - BM_HashFile: the SHA-256 pass every upload gets (MediaFiles::sha256_of);
//  - BM_Thumbnail: one uncached libvips thumbnail of a 2000x1500 PNG, the
//    latency a client waits the first time it asks for a size.
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <benchmark/benchmark.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "media/media_files.hpp"
#include "media/thumbnailer.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/png.hpp"

namespace {

using chat::test::Daemon;
using chat::test::MatrixClient;
using chat::test::TempDir;

constexpr std::size_t kFileBytes = 8 * 1024 * 1024;

std::string bytes_of(std::size_t n) {
    std::string out(n, '\0');
    std::uint32_t x = 12345;
    for (auto& c : out) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return out;
}

// One chatd for every HTTP benchmark, started on first use.
struct Server {
    Server() : daemon(Daemon::start(dir.path())) {
        user = std::make_unique<MatrixClient>(MatrixClient::registered(daemon->port(), "bench"));
    }
    ~Server() { daemon->stop(); }
    httplib::Headers auth() const { return {{"Authorization", "Bearer " + user->token()}}; }

    TempDir dir;
    std::unique_ptr<Daemon> daemon;
    std::unique_ptr<MatrixClient> user;
};

Server& server() {
    static Server s;
    return s;
}

void BM_Upload(benchmark::State& state) {
    auto& s = server();
    const auto body = bytes_of(kFileBytes);
    httplib::Client client("127.0.0.1", s.daemon->port());
    for (auto _ : state) {
        auto r = client.Post("/_matrix/media/v3/upload", s.auth(), body,
                             "application/octet-stream");
        if (!r || r->status != 200) {
            state.SkipWithError("upload failed");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kFileBytes));
}
BENCHMARK(BM_Upload)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Download(benchmark::State& state) {
    auto& s = server();
    httplib::Client client("127.0.0.1", s.daemon->port());
    auto up = client.Post("/_matrix/media/v3/upload", s.auth(), bytes_of(kFileBytes),
                          "application/octet-stream");
    if (!up || up->status != 200) {
        state.SkipWithError("upload failed");
        return;
    }
    auto id = nlohmann::json::parse(up->body)["content_uri"].get<std::string>().substr(16);
    for (auto _ : state) {
        auto r = client.Get("/_matrix/client/v1/media/download/localhost/" + id, s.auth());
        if (!r || r->status != 200 || r->body.size() != kFileBytes) {
            state.SkipWithError("download failed");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kFileBytes));
}
BENCHMARK(BM_Download)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HashFile(benchmark::State& state) {
    TempDir dir;
    auto file = dir.path() / "content";
    std::ofstream(file, std::ios::binary) << bytes_of(kFileBytes);
    for (auto _ : state) {
        auto digest = chat::daemon::MediaFiles::sha256_of(file);
        benchmark::DoNotOptimize(digest);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kFileBytes));
}
BENCHMARK(BM_HashFile)->Unit(benchmark::kMillisecond);

void BM_Thumbnail(benchmark::State& state) {
    TempDir dir;
    auto source = dir.path() / "photo";
    std::ofstream(source, std::ios::binary) << chat::test::make_png(2000, 1500);
    chat::daemon::Thumbnailer thumbnailer(32'000'000);
    auto method = state.range(0) == 0 ? chat::daemon::ThumbnailMethod::scale
                                      : chat::daemon::ThumbnailMethod::crop;
    for (auto _ : state) {
        state.PauseTiming();
        std::filesystem::remove_all(dir.path() / "thumbs");  // uncached every time
        state.ResumeTiming();
        auto thumb = thumbnailer.make(source, dir.path() / "thumbs", 320, 240, method);
        if (!thumb) {
            state.SkipWithError("thumbnail failed");
            break;
        }
    }
}
BENCHMARK(BM_Thumbnail)->Arg(0)->Arg(1)->ArgName("crop")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
