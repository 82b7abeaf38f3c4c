#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// Server-side search over message text (spec client-server.md section 13.1;
// modules/search.md, category room_events).
//
// Events::persist indexes the searchable text of every timeline event and
// Events::redact drops it, in the same transaction: the index never shows
// text a client could no longer read. Outliers are indexed when promoted.

// The keys the spec defines, each searched in one event type.
inline constexpr std::string_view kSearchKeyBody = "content.body";    // m.room.message
inline constexpr std::string_view kSearchKeyName = "content.name";    // m.room.name
inline constexpr std::string_view kSearchKeyTopic = "content.topic";  // m.room.topic

// Bounds on what a client's search_term may cost: words beyond the first
// kMaxSearchTerms are ignored, and each word is cut to kMaxSearchTermBytes
// (at a UTF-8 character boundary).
inline constexpr std::size_t kMaxSearchTerms = 16;
inline constexpr std::size_t kMaxSearchTermBytes = 100;

// What of an event is searchable, and under which key.
struct SearchableText {
    std::string_view key;  // one of the kSearchKey* constants
    std::string text;
};

// The searchable text of an event of `type` with `content`: content.body of
// m.room.message, content.name of m.room.name, content.topic of m.room.topic
// plus the text/plain body of its `m.topic` when that says something else.
// None when the event carries no such text. `content` is untrusted (any JSON
// value, fields of any type); pure.
std::optional<SearchableText> searchable_text(std::string_view type,
                                              const nlohmann::json& content);

// The event type whose text `key` names; none for a key the spec does not define.
std::optional<std::string_view> search_key_type(std::string_view key);

// A client's search_term cut into words: split on whitespace and control
// characters, empty words dropped, bounded by kMaxSearchTerms and
// kMaxSearchTermBytes. The words are plain text, never query syntax: a
// backend must match each one literally. Pure.
std::vector<std::string> search_terms(std::string_view search_term);

// The words of `text` that a search for `terms` matched, as they appear in
// it, for the response's `highlights`: words starting with a word of a term,
// compared case-insensitively in ASCII (a word folded otherwise, such as
// "CAFÉ" for "cafe", is missed). Words are runs of ASCII letters and digits
// and of non-ASCII bytes. Pure.
void add_highlights(std::string_view text, std::span<const std::string> terms,
                    std::set<std::string>& out);

enum class SearchOrder {
    rank,    // best match first
    recent,  // newest (highest stream ordering) first
};

// One search. Every term must match (as a word prefix, case-insensitively,
// diacritics folded); results are timeline events only (no outliers,
// rejected, soft-failed or redacted events) of `rooms`, whose key is among
// `keys`.
struct SearchQuery {
    std::vector<RoomId> rooms;
    std::vector<std::string> terms;  // from search_terms(); none: no results
    std::vector<std::string> keys;   // kSearchKey* values; empty: all of them
    SearchOrder order = SearchOrder::rank;
    std::size_t limit = 10;
    // Pagination. rank: how many results to skip. recent: only events with a
    // stream ordering below `before` (stable while new events arrive).
    std::size_t offset = 0;
    std::optional<Position> before;
};

struct SearchHit {
    EventId event_id;
    RoomId room_id;
    Position stream_ordering = 0;
    double rank = 0;  // higher is a better match (recent order fills it in too)
};

class SearchReader {
public:
    virtual ~SearchReader() = default;

    // The results of `query` in its order, at most query.limit. Blocks:
    // reads the index for every match of the rarest term, so its cost grows
    // with how common the words are, not with the size of the rooms.
    // Errors: Errc::storage.
    virtual Result<std::vector<SearchHit>> search(const SearchQuery& query) = 0;

    // How many results `query` has in all (limit and pagination ignored),
    // counting no further than `cap`: the spec's approximate `count`.
    virtual Result<std::int64_t> count(const SearchQuery& query, std::int64_t cap) = 0;
};

}  // namespace chat::store
