// Connection::run lends its arguments to SQLite without copying them
// (connection.hpp): what it writes must be exactly what was passed, also for
// temporaries made in the call and for values reused by the next statement.
// Under the sanitizers a dangling lent value would fail here.
#include <string>

#include <gtest/gtest.h>

#include "libchat/store/store_test_support.hpp"
#include "store/sqlite/connection.hpp"

namespace chat {
namespace {

using store::sqlite::Blob;
using store::sqlite::Connection;

TEST(SqliteConnection, RunWritesExactlyTheValuesItWasLent) {
    test::TempDir dir;
    auto conn = Connection::open(dir.file("c.db"), {});
    ASSERT_TRUE(conn) << conn.error().message;
    Connection& c = **conn;
    ASSERT_TRUE(c.run("CREATE TABLE t(k INTEGER PRIMARY KEY, a TEXT, b TEXT, c BLOB, d TEXT)"));
    const EventId id = EventId::parse("$abc:a.test").value();
    for (int i = 0; i < 50; ++i) {
        std::string kept = "kept " + std::to_string(i);
        // A temporary string, a caller's string, an id and a blob, each larger
        // than SQLite keeps inline.
        auto done = c.run("INSERT INTO t(k, a, b, c, d) VALUES (?1, ?2, ?3, ?4, ?5)", i,
                          std::string(300, 'x') + std::to_string(i), kept,
                          Blob{std::string_view(kept)}, id);
        ASSERT_TRUE(done) << done.error().message;
        kept.assign(400, 'z');  // the bytes lent are gone; the row must not be
    }
    for (int i = 0; i < 50; ++i) {
        auto q = c.query("SELECT a, b, c, d FROM t WHERE k = ?1", i);
        ASSERT_TRUE(q);
        auto row = q->step();
        ASSERT_TRUE(row && *row);
        EXPECT_EQ(q->text(0), std::string(300, 'x') + std::to_string(i));
        EXPECT_EQ(q->text(1), "kept " + std::to_string(i));
        EXPECT_EQ(q->blob(2), "kept " + std::to_string(i));
        EXPECT_EQ(q->text(3), "$abc:a.test");
    }
    // query() still copies: its arguments may die before it is stepped.
    auto q = c.query("SELECT ?1 || ''", std::string(200, 'q'));
    ASSERT_TRUE(q);
    const std::string reuse(500, 'w');  // takes the freed memory, if any
    (void)reuse;
    auto row = q->step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(q->text(0), std::string(200, 'q'));
}

}  // namespace
}  // namespace chat
