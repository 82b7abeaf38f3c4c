#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/push/event_view.hpp>
#include <chat/push/glob.hpp>

namespace chat::auth {
class PowerLevels;
}

namespace chat::push {

// What the conditions of every member's rules need to know about the room an
// event was sent in; the same for every member, so built once per event.
struct RoomFacts {
    // The room's joined members (room_member_count; the spec says "members",
    // and implementations count joined ones).
    std::int64_t member_count = 0;
    // The room's power levels (sender_notification_permission). Null: that
    // condition never matches. Borrowed.
    const auth::PowerLevels* power_levels = nullptr;
};

// What one member brings to the evaluation: their display name in the room
// (contains_display_name), compiled once. An empty name never matches, as it
// would otherwise match every word boundary.
class MemberFacts {
public:
    MemberFacts() = default;
    explicit MemberFacts(std::string_view display_name)
        : display_name_(Glob::literal(display_name)), has_display_name_(!display_name.empty()) {}

    const Glob* display_name() const noexcept {
        return has_display_name_ ? &display_name_ : nullptr;
    }

private:
    Glob display_name_;
    bool has_display_name_ = false;
};

// One push condition (push.md § Conditions), compiled from its JSON once so
// that matching allocates nothing.
//
// Every kind of the spec is understood: event_match, event_property_is,
// event_property_contains, contains_display_name, room_member_count,
// sender_notification_permission. An unknown kind, or a known kind whose
// parameters are missing or malformed, compiles to a condition that never
// matches ("Unrecognised conditions MUST NOT match any events"). Immutable.
class Condition {
public:
    enum class Kind {
        event_match,
        event_property_is,
        event_property_contains,
        contains_display_name,
        room_member_count,
        sender_notification_permission,
        never,  // unknown or malformed
    };

    // Untrusted `condition` (any JSON value) is fine.
    static Condition compile(const nlohmann::json& condition);

    Kind kind() const noexcept { return kind_; }
    bool matches(const EventView& event, const RoomFacts& room, const MemberFacts& member) const;

private:
    enum class Compare { eq, lt, gt, le, ge };

    bool event_match(const EventView& event) const;
    bool property_is(const EventView& event) const;
    bool property_contains(const EventView& event) const;
    bool member_count(const RoomFacts& room) const;
    bool sender_permission(const EventView& event, const RoomFacts& room) const;

    Kind kind_ = Kind::never;
    std::vector<std::string> path_;  // the property, for the event_* kinds
    std::string canonical_key_;      // join_key_path(path_)
    bool word_match_ = false;        // event_match on content.body
    Glob pattern_;
    nlohmann::json value_;           // event_property_is / _contains
    Compare compare_ = Compare::eq;
    std::int64_t count_ = 0;
    std::string notification_key_;   // sender_notification_permission
};

// Whether `value` may be compared by event_property_is/_contains: a string,
// an integer within +/-(2^53-1), a boolean or null.
bool is_plain_value(const nlohmann::json& value) noexcept;

}  // namespace chat::push
