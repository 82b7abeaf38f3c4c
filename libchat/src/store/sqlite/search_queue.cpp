#include "store/sqlite/search_queue.hpp"

#include <algorithm>
#include <utility>

namespace chat::store::sqlite {

void SearchQueue::add(Position ordering, std::string text) {
    entries_.push_back({ordering, std::move(text), false});
}

bool SearchQueue::remove(Position ordering) {
    for (std::size_t i = entries_.size(); i-- > 0;) {
        Entry& entry = entries_[i];
        if (entry.ordering != ordering || entry.removed) continue;
        entry.removed = true;
        removals_.push_back(i);
        return true;
    }
    return false;
}

void SearchQueue::restore(Mark mark) {
    while (removals_.size() > mark.removed) {
        // Removals made after the mark of entries added before it come back.
        if (removals_.back() < mark.added) entries_[removals_.back()].removed = false;
        removals_.pop_back();
    }
    entries_.resize(std::min(entries_.size(), mark.added));
}

Result<void> SearchQueue::flush(Connection& conn) {
    // FTS5 appends rows given in rowid order to its segment most cheaply.
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.ordering < b.ordering; });
    for (const Entry& entry : entries_) {
        if (entry.removed) continue;
        auto added = conn.run("INSERT INTO event_search(rowid, text) VALUES (?1, ?2)",
                              entry.ordering, entry.text);
        if (!added) return added.error();
    }
    clear();
    return ok();
}

void SearchQueue::clear() noexcept {
    entries_.clear();
    removals_.clear();
}

}  // namespace chat::store::sqlite
