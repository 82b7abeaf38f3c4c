// media.remote_retention_days: B caches media of A when bob downloads it;
// B's housekeeping removes the cached copy (file and row) once nobody has
// asked for it within the lifetime, and the next download fetches it from A
// again. B's own uploads are never expired. The lifetime is set in seconds
// (media.remote_retention_seconds) so that the test takes a few seconds.

#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/png.hpp"
#include "support/two_servers.hpp"

namespace chat::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// This suite's ports: 23100-23199, the first two free ones from `from`.
bool port_is_free(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return bound;
}

std::uint16_t port_in_range(std::uint16_t from, std::uint16_t not_this) {
    for (std::uint16_t port = from; port < 23200; ++port)
        if (port != not_this && port_is_free(port)) return port;
    throw std::runtime_error("no free port in 23100-23199");
}

// Rows in the media table for (origin, media_id), read from chatd's database
// file while it runs (WAL: readers never wait for it).
int media_rows(const std::filesystem::path& database, const std::string& origin,
               const std::string& media_id) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    int count = -1;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM media WHERE origin = ?1 AND media_id = ?2",
                           -1, &stmt, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, origin.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, media_id.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return count;
}

// Files under `dir` named `name` (content files and thumbnail folders are
// named by the media id; the origin's folder name is escaped, so search).
int files_named(const std::filesystem::path& dir, const std::string& name) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) return 0;
    int found = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec))
        if (entry.path().filename() == name) ++found;
    return found;
}

class FederationMediaExpiry : public TwoServers {
protected:
    FederationMediaExpiry() {
        b_extra_yaml_ =
            "media:\n"
            "  remote_retention_seconds: 5\n"
            "  remote_retention_check_seconds: 1\n";
    }
    void SetUp() override {
        a_port_ = port_in_range(23100, 0);
        b_port_ = port_in_range(static_cast<std::uint16_t>(a_port_ + 1), a_port_);
        a_name_ = "127.0.0.1:" + std::to_string(a_port_);
        b_name_ = b_host_ + ":" + std::to_string(b_port_);
        start_a();
        start_b();
        alice_.emplace(MatrixClient::registered(a_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(b_->port(), "bob"));
    }

    static httplib::Headers bearer(const MatrixClient& who) {
        return {{"Authorization", "Bearer " + who.token()}};
    }
    // Uploads to `port` as `who`; returns the media id.
    static std::string upload(std::uint16_t port, const MatrixClient& who,
                              const std::string& bytes) {
        httplib::Client client("127.0.0.1", port);
        auto r = client.Post("/_matrix/media/v3/upload?filename=f.bin", bearer(who), bytes,
                             "application/octet-stream");
        if (!r || r->status != 200) {
            ADD_FAILURE() << "upload failed: " << (r ? r->body : "no answer");
            return {};
        }
        auto uri = json::parse(r->body).value("content_uri", "");
        return uri.substr(uri.rfind('/') + 1);
    }
    httplib::Result bob_get(const std::string& kind, const std::string& server,
                            const std::string& media_id, const std::string& query = "") {
        httplib::Client client("127.0.0.1", b_port_);
        client.set_read_timeout(40, 0);
        return client.Get("/_matrix/client/v1/media/" + kind + "/" + escape(server) + "/" +
                              media_id + query,
                          bearer(*bob_));
    }
    std::filesystem::path b_media() const { return b_->data_dir() / "media"; }
    std::filesystem::path b_database() const { return b_->data_dir() / "chatd.db"; }
    // Whether B still holds a's media `id`: its row, content file, thumbnails.
    bool b_caches(const std::string& id) {
        return media_rows(b_database(), a_name_, id) > 0 ||
               files_named(b_media() / "remote", id) > 0 ||
               files_named(b_media() / "remote_thumbnails", id) > 0;
    }
};

TEST_F(FederationMediaExpiry, UnusedCacheIsRemovedAndFetchedAgainFromTheOrigin) {
    const std::string bytes = make_png(120, 80);
    const auto remote_id = upload(a_port_, *alice_, bytes);
    const auto local_id = upload(b_port_, *bob_, "bob's own upload on B");
    ASSERT_FALSE(remote_id.empty());
    ASSERT_FALSE(local_id.empty());

    auto first = bob_get("download", a_name_, remote_id);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 200) << first->body << "\nB: " << b_->log_tail();
    EXPECT_EQ(first->body, bytes);
    // Cached on B: one row and one content file.
    EXPECT_EQ(media_rows(b_database(), a_name_, remote_id), 1);
    EXPECT_EQ(files_named(b_media() / "remote", remote_id), 1);
    EXPECT_EQ(media_rows(b_database(), b_name_, local_id), 1);
    auto thumb = bob_get("thumbnail", a_name_, remote_id, "?width=32&height=32&method=scale");
    ASSERT_TRUE(thumb);
    ASSERT_EQ(thumb->status, 200) << thumb->body << "\nB: " << b_->log_tail();
    EXPECT_EQ(files_named(b_media() / "remote_thumbnails", remote_id), 1);

    // Lifetime 5 s, checked every second: gone within a few seconds.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (b_caches(remote_id) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(200ms);
    EXPECT_EQ(media_rows(b_database(), a_name_, remote_id), 0) << b_->log_tail();
    EXPECT_EQ(files_named(b_media() / "remote", remote_id), 0) << b_->log_tail();
    EXPECT_EQ(files_named(b_media() / "remote_thumbnails", remote_id), 0) << b_->log_tail();

    // B's own media of the same age stays, file and row.
    EXPECT_EQ(media_rows(b_database(), b_name_, local_id), 1);
    EXPECT_EQ(files_named(b_media() / "local", local_id), 1);
    auto own = bob_get("download", b_name_, local_id);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->status, 200) << own->body;
    EXPECT_EQ(own->body, "bob's own upload on B");

    // Asked for again: fetched from A once more, the same bytes, cached again.
    auto again = bob_get("download", a_name_, remote_id);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->status, 200) << again->body << "\nB: " << b_->log_tail();
    EXPECT_EQ(again->body, bytes);
    EXPECT_EQ(media_rows(b_database(), a_name_, remote_id), 1);
    EXPECT_EQ(files_named(b_media() / "remote", remote_id), 1);
    EXPECT_NE(b_->log_tail(1000000).find("remote media expiry: removed"), std::string::npos);
}

}  // namespace
}  // namespace chat::test
