#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>

namespace chat::auth {

// The range of a power level written in an event, every room version (§8.3): +/-(2^53-1).
inline constexpr std::int64_t kMaxPowerLevel = (std::int64_t{1} << 53) - 1;
inline constexpr std::int64_t kMinPowerLevel = -kMaxPowerLevel;

// The power level of a v12 room creator (§8.2): a sentinel above every level an event can
// hold, so that ordinary comparisons give the spec's "infinite" answers. Never written
// into an event.
inline constexpr std::int64_t kInfinitePowerLevel = std::numeric_limits<std::int64_t>::max();

// The power level of the room creator in v1-v11 while the room has no PL event (§8.2).
inline constexpr std::int64_t kCreatorDefaultPowerLevel = 100;

// Reads one power level value (a scalar field, or an entry of `users`, `events` or
// `notifications`) by the rules of `version` (§8.3):
// - a JSON integer, every version;
// - v1-v9 (string_power_levels): a string of optional whitespace, an optional single
//   '+' or '-', one or more decimal digits (leading zeros allowed), optional whitespace;
// - v1-v5 (float_power_levels): a JSON float, truncated toward zero; Inf and NaN refused.
// Anything else, and any value outside [kMinPowerLevel, kMaxPowerLevel], gives nullopt.
// Untrusted input; never throws.
std::optional<std::int64_t> parse_power_level(const nlohmann::json& value,
                                              const RoomVersion& version);

// The content of an m.room.power_levels event as written: the fields that are present,
// with their values normalised to integers. What the PL auth rules compare (§10.2 rule
// 10), and what the room service writes when it creates a room.
struct PowerLevelsContent {
    using LevelMap = std::map<std::string, std::int64_t, std::less<>>;

    std::optional<std::int64_t> users_default;
    std::optional<std::int64_t> events_default;
    std::optional<std::int64_t> state_default;
    std::optional<std::int64_t> ban;
    std::optional<std::int64_t> kick;
    std::optional<std::int64_t> redact;
    std::optional<std::int64_t> invite;
    LevelMap users;          // user id -> level; keys are valid user ids
    LevelMap events;         // event type -> level needed to send it
    LevelMap notifications;  // notification key ("room", ...) -> level

    // Parses untrusted `content` for `version`. Every field above that is present must be
    // a valid value (parse_power_level), `users`, `events` and `notifications` objects of
    // them, and the keys of `users` valid user ids (UserId::parse). Unknown fields are
    // ignored. Stricter than rules 10.1-10.3 of v1-v9, which only check `users`: a
    // malformed value has no meaning, so an event carrying one is refused [not in spec].
    // Errors: Errc::bad_json, the message naming the field.
    static Result<PowerLevelsContent> parse(const nlohmann::json& content,
                                            const RoomVersion& version);

    // The content as JSON integers: present scalars, and the three maps (empty ones too).
    nlohmann::json to_json() const;

    friend bool operator==(const PowerLevelsContent&, const PowerLevelsContent&) = default;
};

// Which scalar field of PowerLevelsContent (the seven keys rule 10.3 / v12 10.6 compare).
enum class PowerLevelField {
    users_default,
    events_default,
    state_default,
    ban,
    kick,
    redact,
    invite,
};

// The JSON key of `field` ("users_default", ...).
std::string_view field_name(PowerLevelField field) noexcept;
// The value of `field` in `content`, when present.
std::optional<std::int64_t> field_value(const PowerLevelsContent& content,
                                        PowerLevelField field) noexcept;
// The seven scalar fields, in the spec's order.
inline constexpr PowerLevelField kPowerLevelFields[] = {
    PowerLevelField::users_default, PowerLevelField::events_default,
    PowerLevelField::state_default, PowerLevelField::ban,
    PowerLevelField::redact,        PowerLevelField::kick,
    PowerLevelField::invite,
};

// The power levels in force in a room (§8): the content of its m.room.power_levels event,
// or the defaults of §8.1 when it has none, together with its creators (§8.2). An
// immutable value; every query is pure and cheap. Used by the auth rules, the room
// service and push rules.
class PowerLevels {
public:
    // The defaults of §8.1, §8.2. Absent fields take the default of the first column of
    // the §8.1 table: users_default 0, events_default 0, state_default 50, ban 50, kick 50,
    // redact 50, invite 0, notifications.room 50.
    static constexpr std::int64_t kDefaultUsersDefault = 0;
    static constexpr std::int64_t kDefaultEventsDefault = 0;
    static constexpr std::int64_t kDefaultStateDefault = 50;
    static constexpr std::int64_t kDefaultBan = 50;
    static constexpr std::int64_t kDefaultKick = 50;
    static constexpr std::int64_t kDefaultRedact = 50;
    static constexpr std::int64_t kDefaultInvite = 0;
    static constexpr std::int64_t kDefaultRoomNotification = 50;

    // `content`: the room's PL event content, nullopt when the room has none. `creators`:
    // creators_of() the create event (v1-v11: the creator, who has 100 while there is no
    // PL event; v12: every creator, each with infinite power).
    PowerLevels(const RoomVersion& version, std::optional<PowerLevelsContent> content,
                std::vector<UserId> creators);

    // The levels of a room from its create event and PL event, either of which may be
    // null (then: no creators, or the defaults). Errors: Errc::bad_json when the PL
    // event's content does not parse (PowerLevelsContent::parse).
    static Result<PowerLevels> from_events(const RoomVersion& version, const Pdu* create,
                                           const Pdu* power_levels);

    // The creators named by an m.room.create event (§8.2, §10.1): v1-v10 `content.creator`,
    // v11 the sender, v12 the sender then every `content.additional_creators` entry.
    // Entries that are not valid user ids are skipped. Never throws.
    static std::vector<UserId> creators_of(const Pdu& create);

    // A user's level (§8.2): kInfinitePowerLevel for a v12 creator; otherwise users[u],
    // else users_default; with no PL event, v1-v11 give the creator 100.
    std::int64_t user_level(std::string_view user_id) const;
    // True for a v12 creator (infinite power). Always false in v1-v11.
    bool has_infinite_power(std::string_view user_id) const;

    // The level needed to send an event of `type` (§8.2): events[type], else
    // state_default for a state event, else events_default.
    std::int64_t required_level(std::string_view type, bool is_state) const;

    std::int64_t users_default() const noexcept;
    std::int64_t events_default() const noexcept;
    std::int64_t state_default() const noexcept;
    std::int64_t ban() const noexcept;
    std::int64_t kick() const noexcept;
    std::int64_t redact() const noexcept;
    std::int64_t invite() const noexcept;
    // The level needed to trigger the notification `key` ("room" for @room): the
    // `notifications` entry, else 50 for "room", else nullopt.
    std::optional<std::int64_t> notification_level(std::string_view key) const;

    const RoomVersion& version() const noexcept { return *version_; }
    // The PL event's content, or null when the room has none.
    const PowerLevelsContent* content() const noexcept { return content_ ? &*content_ : nullptr; }
    const std::vector<UserId>& creators() const noexcept { return creators_; }

private:
    const RoomVersion* version_;
    std::optional<PowerLevelsContent> content_;
    std::vector<UserId> creators_;
};

}  // namespace chat::auth
