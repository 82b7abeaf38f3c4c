#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/store/stream.hpp>

#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

// The text of a write transaction's events, held in memory until the writer
// puts it into the search index (event_search) just before COMMIT.
//
// Indexing at persist time made FTS5 write a segment at every group-commit
// savepoint, one per event (migration 0210). From 0210 the text waited in a
// table instead, which still cost two B-tree writes and a read per event
// (issue 3's send path); here it costs neither.
//
// Undo follows the write's savepoint: the writer marks before each write and
// restores the mark when it rolls the write back, so a failed write's text
// is never indexed and text it dequeued comes back. Only the writer's
// SqliteStore uses one, on its thread, under its lock.
class SearchQueue {
public:
    // Queues `text` under the event's stream ordering.
    void add(Position ordering, std::string text);
    // Drops the text queued under `ordering` in this transaction; false if
    // none is (then it is in the index already, or never was).
    bool remove(Position ordering);

    struct Mark {
        std::size_t added = 0;
        std::size_t removed = 0;
    };
    Mark mark() const noexcept { return {entries_.size(), removals_.size()}; }
    // Undoes every add and remove since `mark`.
    void restore(Mark mark);

    // Inserts what is queued into event_search, in stream order, and empties
    // the queue. Called once per transaction, before COMMIT.
    Result<void> flush(Connection& conn);
    // The transaction was rolled back: nothing queued may be indexed.
    void clear() noexcept;

private:
    struct Entry {
        Position ordering;
        std::string text;
        bool removed = false;
    };
    std::vector<Entry> entries_;
    std::vector<std::size_t> removals_;  // entries_ indices, in the order removed
};

}  // namespace chat::store::sqlite
