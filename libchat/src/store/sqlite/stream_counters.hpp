#pragma once

// The writer's stream positions, held in memory between its transactions.
//
// Every persisted change takes the next position of a stream. Read and
// advanced in the stream_positions table each time (an upsert with
// RETURNING, whose result SQLite stages in a temporary B-tree), that cost
// about 8 us per message in the send benchmark (issue 3), 5% of the path.
// Here a position is taken from memory, and each changed stream is written
// once per transaction, just before COMMIT: what other connections and a
// reopened store see is as before.
//
// Other processes (workers, docs/architecture.md) share the file and take
// positions too: at the start of each write transaction, with the write lock
// held, `begin` asks SQLite whether another connection committed since our
// last transaction (PRAGMA data_version), and if so forgets every position,
// to read them again.
//
// Only the writer's SqliteStore uses one, on its thread, under its lock.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/store/stream.hpp>

#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

class StreamCounters {
public:
    // After BEGIN IMMEDIATE.
    Result<void> begin(Connection& conn);
    // The next position of `stream` in this transaction.
    Result<Position> next(Connection& conn, std::string_view stream);
    // The latest position taken (0 if none ever was).
    Result<Position> current(Connection& conn, std::string_view stream);

    // Undo for a write whose savepoint is rolled back: its positions are
    // given back, so the stream has no gap.
    using Mark = std::size_t;
    Mark mark() const noexcept { return undo_.size(); }
    void restore(Mark mark);

    // Writes the streams changed in this transaction (before COMMIT).
    Result<void> flush(Connection& conn);
    // After COMMIT succeeded.
    void committed();
    // After the transaction was rolled back: positions are read again.
    void abandon();

private:
    struct Counter {
        Position committed = 0;  // as in the table at our last commit
        Position now = 0;        // in this transaction
    };
    Result<Counter*> load(Connection& conn, std::string_view stream);

    std::map<std::string, Counter, std::less<>> counters_;
    std::vector<std::pair<Counter*, Position>> undo_;  // counter, position before
    std::int64_t data_version_ = -1;
};

}  // namespace chat::store::sqlite
