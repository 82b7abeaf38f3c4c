#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <chat/core/result.hpp>
#include <chat/store/stream.hpp>

namespace chat::sync {

// A /sync `next_batch` / `since` token: what one client has seen, as one
// position per stored stream plus the typing counter (typing lives in the
// daemon's memory and has no stored stream). Clients treat it as opaque.
//
// Text form: "s" then the positions of store::kAllStreams in order, then
// typing, joined by '_' ("s12_4_7_0_0_0_0_3"). Positions are never negative
// here (live streams start at 0). A stream added later must keep accepting
// tokens of the older length (missing positions read as 0).
struct SyncToken {
    store::StreamPositions streams;
    std::int64_t typing = 0;

    std::string str() const;

    // Parses an untrusted token. Errors: Errc::invalid_param for anything
    // but the exact text form (sign, spaces, leading '+', overflow, a wrong
    // number of fields, trailing bytes).
    static Result<SyncToken> parse(std::string_view text);

    friend bool operator==(const SyncToken&, const SyncToken&) = default;
};

// A /messages pagination token: a position on the events stream, meaning
// "between the event at `position` and the next": paginating backwards from
// it returns events at or below it, forwards events above it. Text form
// "t<position>"; backfilled history has negative positions ("t-42").
struct PaginationToken {
    store::Position position = 0;

    std::string str() const;

    // Parses an untrusted token. Accepts "t<position>" and, because the spec
    // lets clients paginate from a sync `next_batch`, a SyncToken (its events
    // position). Errors: Errc::invalid_param.
    static Result<PaginationToken> parse(std::string_view text);

    friend bool operator==(const PaginationToken&, const PaginationToken&) = default;
};

}  // namespace chat::sync
