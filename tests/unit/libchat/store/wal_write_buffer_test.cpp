// The VFS that gathers a commit's WAL frames into one write
// (store/sqlite/wal_write_buffer.hpp): every commit is in the file, for
// another connection and after a kill, the moment COMMIT returns; frames of
// a transaction that spilled and rolled back are replaced cleanly.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "libchat/store/store_test_support.hpp"
#include "store/sqlite/wal_write_buffer.hpp"

namespace chat {
namespace {

// A raw connection: through our VFS (vfs set) or SQLite's default one.
class Db {
public:
    Db(const std::string& path, const char* vfs) {
        if (sqlite3_open_v2(path.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                            vfs) != SQLITE_OK)
            throw std::runtime_error("open failed: " + path);
        sqlite3_busy_timeout(db_, 5000);
    }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db() { sqlite3_close_v2(db_); }

    void exec(const std::string& sql) {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message != nullptr ? message : "?";
            sqlite3_free(message);
            throw std::runtime_error(text + " in: " + sql);
        }
    }
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_));
        std::string out;
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
            out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        const std::string error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
        if (!error.empty()) throw std::runtime_error("step: " + error + " in: " + sql);
        return out;
    }

private:
    sqlite3* db_ = nullptr;
};

const char* buffered() {
    const char* vfs = store::sqlite::wal_write_buffer_vfs();
    if (vfs == nullptr) throw std::runtime_error("the VFS is not registered");
    return vfs;
}

// `n` rows with random 16-byte keys (pages all over the B-tree, so many
// frames per commit) and random values of `value_bytes`.
void insert_rows(Db& db, int n, int value_bytes) {
    db.exec("INSERT INTO t SELECT randomblob(16), randomblob(" + std::to_string(value_bytes) +
            ") FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < " +
            std::to_string(n) + ") SELECT i FROM c)");
}

// What SQLite's own VFS reads from the file: `rows` rows, and a sound database.
void expect_intact(const std::string& path, int rows) {
    Db fresh(path, nullptr);
    EXPECT_EQ(fresh.scalar("SELECT count(*) FROM t"), std::to_string(rows));
    EXPECT_EQ(fresh.scalar("PRAGMA integrity_check"), "ok");
}

// A small page cache makes a large transaction spill frames before its commit.
void set_up(Db& db) {
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-256;"
            "CREATE TABLE IF NOT EXISTS t(k BLOB PRIMARY KEY, v BLOB)");
}

// Each test's database, in a fresh directory.
class WalWriteBuffer : public ::testing::Test {
protected:
    test::TempDir dir_;
    const std::string path = dir_.file("w.db");
};

TEST_F(WalWriteBuffer, EveryCommitIsReadableByAnotherConnectionAsSoonAsItReturns) {
    Db writer(path, buffered());
    set_up(writer);
    Db reader(path, nullptr);  // SQLite's own VFS: reads what is in the file
    int rows = 0;
    for (int commit = 0; commit < 60; ++commit) {
        // Every tenth commit is larger than the page cache.
        const int n = commit % 10 == 9 ? 3000 : 40;
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, n, 300);
        writer.exec("COMMIT");
        rows += n;
        ASSERT_EQ(reader.scalar("SELECT count(*) FROM t"), std::to_string(rows)) << commit;
        ASSERT_EQ(reader.scalar("SELECT sum(length(v)) FROM t"), std::to_string(rows * 300));
    }
    EXPECT_EQ(reader.scalar("PRAGMA integrity_check"), "ok");
}

TEST_F(WalWriteBuffer, ATransactionThatSpilledAndRolledBackLeavesNothingBehind) {
    {
        Db writer(path, buffered());
        set_up(writer);
        writer.exec("INSERT INTO t VALUES (x'01', 'kept')");
        // Far more than the page cache (and than one gathered write): frames
        // go to the log before any commit, then are given up.
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 6000, 2000);
        writer.exec("ROLLBACK");
        // The next commits write their frames where the given-up ones were.
        for (int i = 0; i < 20; ++i)
            writer.exec("INSERT INTO t VALUES (randomblob(16), 'after')");
        Db reader(path, nullptr);
        EXPECT_EQ(reader.scalar("SELECT count(*) FROM t"), "21");
    }
    Db reopened(path, nullptr);
    EXPECT_EQ(reopened.scalar("SELECT count(*) FROM t WHERE v = 'after'"), "20");
    EXPECT_EQ(reopened.scalar("SELECT v FROM t WHERE k = x'01'"), "kept");
    expect_intact(path, 21);
}

// Frames a connection spilled and then gave up (ROLLBACK) must never reach
// the file once it no longer holds the write lock: another connection (here
// in this process; another worker in production) commits frames at the same
// offsets meanwhile.
TEST_F(WalWriteBuffer, FramesGivenUpNeverOverwriteAnotherConnectionsCommits) {
    Db first(path, buffered());
    set_up(first);
    Db second(path, buffered());
    second.exec("PRAGMA synchronous=NORMAL");
    insert_rows(first, 10, 100);
    for (int round = 0; round < 3; ++round) {
        // An empty log: undoing the transaction reads the database file, not
        // the log, so nothing writes the given-up frames out before the
        // write lock is released.
        first.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        // About 1 MiB against a 256 KiB page cache: frames spill, under the
        // 8 MiB that would write them out.
        first.exec("BEGIN IMMEDIATE");
        insert_rows(first, 1000, 1000);
        first.exec("ROLLBACK");
        for (int i = 0; i < 5; ++i) insert_rows(second, 40, 300);
        // The first connection reads (through its log file), then writes.
        EXPECT_EQ(first.scalar("SELECT count(*) FROM t"),
                  std::to_string(10 + (round + 1) * 200 + round));
        insert_rows(first, 1, 10);
        EXPECT_EQ(first.scalar("PRAGMA integrity_check"), "ok");
    }
    expect_intact(path, 613);
    EXPECT_EQ(second.scalar("SELECT count(*) FROM t WHERE length(v) = 300"), "600");
}

// Asked not to assume power-safe overwrite (psow=0), SQLite would pad each
// FULL commit to a sector boundary and write the last padding frame in two
// pieces around an fsync; the VFS reports power-safe overwrite for the
// database file, so commits stay whole and readable.
TEST_F(WalWriteBuffer, CommitsAreNotPaddedToSectorsEvenWhenAskedTo) {
    Db writer("file:" + path + "?psow=0", buffered());
    writer.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                "CREATE TABLE IF NOT EXISTS t(k BLOB PRIMARY KEY, v BLOB)");
    Db reader(path, nullptr);
    for (int commit = 1; commit <= 40; ++commit) {
        insert_rows(writer, 7, 700);
        ASSERT_EQ(reader.scalar("SELECT count(*) FROM t"), std::to_string(commit * 7));
        ASSERT_EQ(reader.scalar("SELECT sum(length(v)) FROM t"), std::to_string(commit * 7 * 700));
    }
    EXPECT_EQ(reader.scalar("PRAGMA integrity_check"), "ok");
}

// Runs `work` in a child process, which reports numbers through `report`;
// kills it with SIGKILL (nothing closed, nothing flushed by us) once it has
// reported `until`, and returns the last number reported (-1: it failed).
int kill_once_reported(const std::function<void(const std::function<void(int)>&)>& work,
                       int until) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    const pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        close(fds[0]);
        work([&](int n) {
            if (write(fds[1], &n, sizeof n) != sizeof n) _exit(1);
        });
        pause();  // done: wait for the kill
        _exit(0);
    }
    close(fds[1]);
    int last = -1;
    for (int n = 0; last < until;) {
        if (read(fds[0], &n, sizeof n) != static_cast<ssize_t>(sizeof n)) break;
        last = n;
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    close(fds[0]);
    return WIFSIGNALED(status) ? last : -1;
}

TEST_F(WalWriteBuffer, EveryAcknowledgedCommitSurvivesAKillOfTheProcess) {
    {
        Db setup(path, buffered());
        set_up(setup);
    }
    // Commits forever, reporting each one once COMMIT has returned.
    const int acknowledged = kill_once_reported(
        [&](const std::function<void(int)>& report) {
            Db writer(path, buffered());
            writer.exec("PRAGMA synchronous=NORMAL");
            for (int i = 1;; ++i) {
                writer.exec("BEGIN IMMEDIATE");
                insert_rows(writer, 25, 500);
                writer.exec("COMMIT");
                report(i);
            }
        },
        200);
    ASSERT_GE(acknowledged, 200);

    Db reopened(path, nullptr);
    EXPECT_GE(std::stoi(reopened.scalar("SELECT count(*) FROM t")), acknowledged * 25);
    EXPECT_EQ(std::stoi(reopened.scalar("SELECT count(*) FROM t")) % 25, 0);
    EXPECT_EQ(reopened.scalar("PRAGMA integrity_check"), "ok");
}

// A transaction larger than the page cache that changes pages it already
// spilled makes SQLite rewrite those frames in place and, at COMMIT, the
// checksums of every frame from the first rewritten one to the commit
// frame. Recovery after a kill trusts those checksums, so all of that must
// be in the file when COMMIT returns.
TEST_F(WalWriteBuffer, ACommitThatRewroteItsSpilledFramesSurvivesAKill) {
    const int done = kill_once_reported(
        [&](const std::function<void(int)>& report) {
            Db writer(path, buffered());
            set_up(writer);
            writer.exec("BEGIN IMMEDIATE");
            insert_rows(writer, 2000, 500);
            writer.exec("UPDATE t SET v = randomblob(500)");  // pages spilled before
            writer.exec("COMMIT");
            report(1);
        },
        1);
    ASSERT_EQ(done, 1);
    expect_intact(path, 2000);
}

}  // namespace
}  // namespace chat
