#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/events.hpp>
#include <chat/store/txn.hpp>

namespace chat::sync {

// Timeline events per room when a filter names no limit, and the most a
// filter may ask for (the spec asks servers for both).
inline constexpr std::size_t kDefaultTimelineLimit = 10;
inline constexpr std::size_t kMaxTimelineLimit = 100;
// The longest list a filter may hold (types, senders, rooms, event_fields).
inline constexpr std::size_t kMaxFilterListEntries = 10'000;

// A set of strings looked up by string_view.
using StringSet = std::set<std::string, std::less<>>;

// Spec "EventFilter". An absent list restricts nothing; a `not_` list wins
// over its include list. Types may hold '*' wildcards (any sequence).
struct EventFilter {
    std::optional<std::int64_t> limit;  // >= 0 when present
    std::optional<std::vector<std::string>> types;
    std::vector<std::string> not_types;
    std::optional<StringSet> senders;
    StringSet not_senders;

    bool matches_type(std::string_view type) const;
    bool matches_sender(std::string_view sender) const;
    bool matches(std::string_view type, std::string_view sender) const {
        return matches_type(type) && matches_sender(sender);
    }
};

// Spec "RoomEventFilter": an EventFilter plus rooms, contains_url and the
// lazy-loading switches.
struct RoomEventFilter : EventFilter {
    std::optional<StringSet> rooms;
    StringSet not_rooms;
    std::optional<bool> contains_url;  // true: only with content.url; false: only without
    bool lazy_load_members = false;
    bool include_redundant_members = false;
    bool unread_thread_notifications = false;

    bool matches_room(std::string_view room_id) const;
    // Type, sender, room and contains_url (`content` may be null: no url).
    bool matches(std::string_view type, std::string_view sender, std::string_view room_id,
                 const nlohmann::json* content) const;
    bool matches(const store::StoredEvent& ev) const;
};

// Spec "RoomFilter". rooms/not_rooms apply before the sub-filters.
struct RoomFilter {
    std::optional<StringSet> rooms;
    StringSet not_rooms;
    bool include_leave = false;
    RoomEventFilter timeline;
    RoomEventFilter state;
    RoomEventFilter ephemeral;
    RoomEventFilter account_data;

    bool matches_room(std::string_view room_id) const;
};

enum class EventFormat { client, federation };

// A sync filter (spec "Filter"; POST /user/{userId}/filter, /sync?filter=).
// Keeps the JSON it was parsed from, so that the filter API returns it
// exactly as uploaded (matrix-js-sdk compares it and re-uploads on any
// difference).
struct Filter {
    std::optional<std::vector<std::string>> event_fields;
    EventFormat event_format = EventFormat::client;
    EventFilter presence;
    EventFilter account_data;
    RoomFilter room;
    nlohmann::json original = nlohmann::json::object();

    // Parses an untrusted filter. Unknown keys are kept and ignored; a null
    // value reads as absent. Errors: Errc::bad_json for a wrong type or a
    // value the schema forbids (a room id without '!', an unknown
    // event_format, a list longer than kMaxFilterListEntries);
    // Errc::invalid_param for a negative limit.
    static Result<Filter> from_json(const nlohmann::json& json);

    // room.timeline.limit, or kDefaultTimelineLimit, at most kMaxTimelineLimit.
    std::size_t timeline_limit() const;
};

// Whether `type` matches `pattern`, where '*' matches any sequence of
// characters (possibly empty) and everything else itself. Linear in the
// input sizes' product at worst; no backtracking blow-up.
bool glob_match(std::string_view pattern, std::string_view type);

// Keeps only the `fields` (dot-separated property paths with '\.' and '\\'
// escapes, spec appendices) of a formatted event; paths that name nothing
// are skipped. Pure.
nlohmann::json apply_event_fields(const nlohmann::json& event, std::span<const std::string> fields);

// The filter a /sync `filter` query parameter names: inline JSON when it
// starts with '{', otherwise the id of one `user` uploaded. Untrusted input.
// Errors: Errc::not_json (inline text that is not JSON), bad_json /
// invalid_param (see Filter::from_json), Errc::invalid_param (an id that is
// not a decimal number), Errc::not_found (no such filter), storage. Blocks
// on the store.
Result<Filter> load_filter(store::ReadTxn& txn, const UserId& user, std::string_view param);

}  // namespace chat::sync
