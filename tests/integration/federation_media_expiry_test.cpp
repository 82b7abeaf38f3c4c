// media.remote_retention_days: B caches media of A when bob downloads it;
// B's housekeeping removes the cached copy (file and row) once nobody has
// asked for it within the lifetime, and the next download fetches it from A
// again. B's own uploads are never expired. The lifetime is set in seconds
// (media.remote_retention_seconds) so that the test takes a few seconds.

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
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
    const auto remote_id =
        upload_media(a_port_, *alice_, bytes, "application/octet-stream", "f.bin");
    const auto local_id = upload_media(b_port_, *bob_, "bob's own upload on B",
                                       "application/octet-stream", "f.bin");
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
