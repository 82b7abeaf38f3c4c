#include <chat/push/condition.hpp>

#include <cstddef>

#include <chat/auth/power_levels.hpp>

namespace chat::push {

namespace {

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;
// room_member_count takes at most this many digits: more than any room has
// members, and far from int64 overflow.
constexpr std::size_t kMaxCountDigits = 15;

const std::string* string_param(const nlohmann::json& condition, const char* name) {
    auto it = condition.find(name);
    if (it == condition.end() || !it->is_string()) return nullptr;
    return &it->get_ref<const std::string&>();
}

// Integers compare by value whether nlohmann stored them signed or unsigned;
// is_plain_value() has already bounded both to +/-(2^53-1).
std::int64_t as_int64(const nlohmann::json& v) {
    return v.is_number_unsigned() ? static_cast<std::int64_t>(v.get<std::uint64_t>())
                                  : v.get<std::int64_t>();
}

// Exact equality of two plain values, with no type coercion: "true" is not
// true, 1 is not true (push.md § event_property_is).
bool plain_equal(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.is_string()) return b.is_string() && a.get_ref<const std::string&>() ==
                                                   b.get_ref<const std::string&>();
    if (a.is_boolean()) return b.is_boolean() && a.get<bool>() == b.get<bool>();
    if (a.is_null()) return b.is_null();
    if (a.is_number_integer()) return b.is_number_integer() && as_int64(a) == as_int64(b);
    return false;
}

}  // namespace

bool is_plain_value(const nlohmann::json& value) noexcept {
    if (value.is_string() || value.is_boolean() || value.is_null()) return true;
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxSafeInteger);
    if (value.is_number_integer()) {
        auto v = value.get<std::int64_t>();
        return v >= -kMaxSafeInteger && v <= kMaxSafeInteger;
    }
    return false;  // floats, arrays, objects
}

Condition Condition::compile(const nlohmann::json& condition) {
    Condition c;
    if (!condition.is_object()) return c;
    const std::string* kind = string_param(condition, "kind");
    if (!kind) return c;

    auto set_path = [&]() -> bool {
        const std::string* key = string_param(condition, "key");
        if (!key) return false;
        c.path_ = split_key_path(*key);
        c.canonical_key_ = join_key_path(c.path_);
        return true;
    };

    if (*kind == "event_match") {
        const std::string* pattern = string_param(condition, "pattern");
        if (!pattern || !set_path()) return c;
        c.pattern_ = Glob::compile(*pattern);
        c.word_match_ = c.path_.size() == 2 && c.path_[0] == "content" && c.path_[1] == "body";
        c.kind_ = Kind::event_match;
    } else if (*kind == "event_property_is" || *kind == "event_property_contains") {
        auto value = condition.find("value");
        if (value == condition.end() || !is_plain_value(*value) || !set_path()) return c;
        c.value_ = *value;
        c.kind_ = *kind == "event_property_is" ? Kind::event_property_is
                                                : Kind::event_property_contains;
    } else if (*kind == "contains_display_name") {
        c.kind_ = Kind::contains_display_name;
    } else if (*kind == "room_member_count") {
        const std::string* is = string_param(condition, "is");
        if (!is) return c;
        std::string_view text = *is;
        // Two-character prefixes first, so that "<=" is not read as "<".
        if (text.starts_with("==")) {
            text.remove_prefix(2);
        } else if (text.starts_with("<=")) {
            c.compare_ = Compare::le, text.remove_prefix(2);
        } else if (text.starts_with(">=")) {
            c.compare_ = Compare::ge, text.remove_prefix(2);
        } else if (text.starts_with("<")) {
            c.compare_ = Compare::lt, text.remove_prefix(1);
        } else if (text.starts_with(">")) {
            c.compare_ = Compare::gt, text.remove_prefix(1);
        }
        if (text.empty() || text.size() > kMaxCountDigits) return c;
        std::int64_t count = 0;
        for (char d : text) {
            if (d < '0' || d > '9') return c;
            count = count * 10 + (d - '0');
        }
        c.count_ = count;
        c.kind_ = Kind::room_member_count;
    } else if (*kind == "sender_notification_permission") {
        const std::string* key = string_param(condition, "key");
        if (!key) return c;
        c.notification_key_ = *key;
        c.kind_ = Kind::sender_notification_permission;
    }
    return c;
}

bool Condition::matches(const EventView& event, const RoomFacts& room,
                        const MemberFacts& member) const {
    switch (kind_) {
    case Kind::event_match: return event_match(event);
    case Kind::event_property_is: return property_is(event);
    case Kind::event_property_contains: return property_contains(event);
    case Kind::contains_display_name: {
        const Glob* name = member.display_name();
        return name && event.body() && name->matches_words(*event.body());
    }
    case Kind::room_member_count: return member_count(room);
    case Kind::sender_notification_permission: return sender_permission(event, room);
    case Kind::never: return false;
    }
    return false;
}

bool Condition::event_match(const EventView& event) const {
    // Absent, or not a string: no match, even for "*" (push.md § event_match).
    const FoldedText* value = event.folded(canonical_key_);
    if (!value) return false;
    return word_match_ ? pattern_.matches_words(*value) : pattern_.matches(*value);
}

bool Condition::property_is(const EventView& event) const {
    const nlohmann::json* value = event.find(path_);
    return value && is_plain_value(*value) && plain_equal(*value, value_);
}

bool Condition::property_contains(const EventView& event) const {
    const nlohmann::json* array = event.find(path_);
    if (!array || !array->is_array()) return false;
    for (const auto& element : *array)
        if (is_plain_value(element) && plain_equal(element, value_)) return true;
    return false;
}

bool Condition::member_count(const RoomFacts& room) const {
    const std::int64_t n = room.member_count;
    switch (compare_) {
    case Compare::eq: return n == count_;
    case Compare::lt: return n < count_;
    case Compare::gt: return n > count_;
    case Compare::le: return n <= count_;
    case Compare::ge: return n >= count_;
    }
    return false;
}

bool Condition::sender_permission(const EventView& event, const RoomFacts& room) const {
    if (!room.power_levels || event.sender().empty()) return false;
    // A key the power levels do not list needs 50, the default of "room"
    // (m.room.power_levels § notifications); Synapse does the same.
    std::int64_t required = room.power_levels->notification_level(notification_key_)
                                .value_or(auth::PowerLevels::kDefaultRoomNotification);
    return room.power_levels->user_level(event.sender()) >= required;
}

}  // namespace chat::push
