#include <chat/auth/power_levels.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

namespace chat::auth {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// §8.3 numeric strings (v1-v9): [ws] ['+'|'-'] digit+ [ws]. Leading zeros may make the
// text arbitrarily long, so the value is capped as it is accumulated.
std::optional<std::int64_t> parse_level_string(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_space(text[begin])) ++begin;
    while (end > begin && is_space(text[end - 1])) --end;
    bool negative = false;
    if (begin < end && (text[begin] == '+' || text[begin] == '-')) {
        negative = text[begin] == '-';
        ++begin;
    }
    if (begin == end) return std::nullopt;
    std::int64_t value = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
        if (value > kMaxPowerLevel) return std::nullopt;
    }
    return negative ? -value : value;
}

std::optional<std::int64_t> in_range(std::int64_t value) {
    if (value < kMinPowerLevel || value > kMaxPowerLevel) return std::nullopt;
    return value;
}

Error bad_field(std::string_view field, std::string_view what) {
    return make_error(Errc::bad_json,
                      "m.room.power_levels: '" + std::string(field) + "' " + std::string(what));
}

// An object of levels (`events`, `notifications`, `users`). `users` keys must be user ids.
Result<PowerLevelsContent::LevelMap> parse_level_map(const nlohmann::json& value,
                                                    std::string_view field,
                                                    const RoomVersion& version, bool user_keys) {
    if (!value.is_object()) return bad_field(field, "must be an object");
    PowerLevelsContent::LevelMap levels;
    for (auto it = value.begin(); it != value.end(); ++it) {
        if (user_keys && !UserId::parse(it.key()))
            return bad_field(field, "has a key that is not a user id");
        auto level = parse_power_level(it.value(), version);
        if (!level) return bad_field(field, "has a value that is not a valid power level");
        levels.emplace(it.key(), *level);
    }
    return levels;
}

// The member of `content` that holds `field`; C is PowerLevelsContent, const or not.
template <typename C>
auto& field_ref(C& content, PowerLevelField field) {
    switch (field) {
    case PowerLevelField::users_default: return content.users_default;
    case PowerLevelField::events_default: return content.events_default;
    case PowerLevelField::state_default: return content.state_default;
    case PowerLevelField::ban: return content.ban;
    case PowerLevelField::kick: return content.kick;
    case PowerLevelField::redact: return content.redact;
    case PowerLevelField::invite: return content.invite;
    }
    return content.users_default;  // unreachable: every enumerator has a case
}

}  // namespace

std::optional<std::int64_t> parse_power_level(const nlohmann::json& value,
                                              const RoomVersion& version) {
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(kMaxPowerLevel)) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer()) return in_range(value.get<std::int64_t>());
    if (value.is_string() && version.string_power_levels)
        return parse_level_string(value.get_ref<const std::string&>());
    if (value.is_number_float() && version.float_power_levels) {
        // §8.3: the exponent is already applied by the JSON number; truncate toward zero.
        const double d = value.get<double>();
        if (!std::isfinite(d)) return std::nullopt;
        const double t = std::trunc(d);
        if (t < static_cast<double>(kMinPowerLevel) || t > static_cast<double>(kMaxPowerLevel))
            return std::nullopt;
        return static_cast<std::int64_t>(t);
    }
    return std::nullopt;
}

std::string_view field_name(PowerLevelField field) noexcept {
    switch (field) {
    case PowerLevelField::users_default: return "users_default";
    case PowerLevelField::events_default: return "events_default";
    case PowerLevelField::state_default: return "state_default";
    case PowerLevelField::ban: return "ban";
    case PowerLevelField::kick: return "kick";
    case PowerLevelField::redact: return "redact";
    case PowerLevelField::invite: return "invite";
    }
    return "";
}

std::optional<std::int64_t> field_value(const PowerLevelsContent& content,
                                        PowerLevelField field) noexcept {
    return field_ref(content, field);
}

Result<PowerLevelsContent> PowerLevelsContent::parse(const nlohmann::json& content,
                                                     const RoomVersion& version) {
    if (!content.is_object())
        return make_error(Errc::bad_json, "m.room.power_levels: content must be an object");
    PowerLevelsContent parsed;
    for (const auto field : kPowerLevelFields) {
        auto it = content.find(field_name(field));
        if (it == content.end()) continue;
        auto level = parse_power_level(*it, version);
        if (!level) return bad_field(field_name(field), "is not a valid power level");
        field_ref(parsed, field) = *level;
    }
    struct MapField {
        std::string_view name;
        LevelMap PowerLevelsContent::*member;
        bool user_keys;
    };
    static constexpr MapField kMaps[] = {
        {"users", &PowerLevelsContent::users, true},
        {"events", &PowerLevelsContent::events, false},
        {"notifications", &PowerLevelsContent::notifications, false},
    };
    for (const auto& map : kMaps) {
        auto it = content.find(map.name);
        if (it == content.end()) continue;
        auto levels = parse_level_map(*it, map.name, version, map.user_keys);
        if (!levels) return std::move(levels).error();
        parsed.*map.member = std::move(*levels);
    }
    return parsed;
}

nlohmann::json PowerLevelsContent::to_json() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto field : kPowerLevelFields) {
        if (auto value = field_value(*this, field)) out[std::string(field_name(field))] = *value;
    }
    auto map_json = [](const LevelMap& levels) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& [key, level] : levels) object[key] = level;
        return object;
    };
    out["users"] = map_json(users);
    out["events"] = map_json(events);
    out["notifications"] = map_json(notifications);
    return out;
}

PowerLevels::PowerLevels(const RoomVersion& version, std::optional<PowerLevelsContent> content,
                         std::vector<UserId> creators)
    : version_(&version), content_(std::move(content)), creators_(std::move(creators)) {}

Result<PowerLevels> PowerLevels::from_events(const RoomVersion& version, const Pdu* create,
                                             const Pdu* power_levels) {
    std::optional<PowerLevelsContent> content;
    if (power_levels) {
        auto parsed = PowerLevelsContent::parse(power_levels->content(), version);
        if (!parsed) return std::move(parsed).error();
        content = std::move(*parsed);
    }
    std::vector<UserId> creators;
    if (create) creators = creators_of(*create);
    return PowerLevels(version, std::move(content), std::move(creators));
}

std::vector<UserId> PowerLevels::creators_of(const Pdu& create) {
    std::vector<UserId> creators;
    const auto& version = create.version();
    const auto& content = create.content();
    if (version.creator_in_create) {
        // v1-v10: the creator is content.creator (§10.1).
        auto it = content.find("creator");
        if (it != content.end() && it->is_string()) {
            if (auto user = UserId::parse(it->get_ref<const std::string&>()))
                creators.push_back(std::move(*user));
        }
        return creators;
    }
    creators.push_back(create.sender());
    if (!version.creators_have_infinite_power) return creators;
    // v12: the sender and every additional creator (§8.2).
    auto it = content.find("additional_creators");
    if (it == content.end() || !it->is_array()) return creators;
    for (const auto& entry : *it) {
        if (!entry.is_string()) continue;
        auto user = UserId::parse(entry.get_ref<const std::string&>());
        if (user && std::find(creators.begin(), creators.end(), *user) == creators.end())
            creators.push_back(std::move(*user));
    }
    return creators;
}

bool PowerLevels::has_infinite_power(std::string_view user_id) const {
    if (!version_->creators_have_infinite_power) return false;
    return std::any_of(creators_.begin(), creators_.end(),
                       [&](const UserId& c) { return c.str() == user_id; });
}

std::int64_t PowerLevels::user_level(std::string_view user_id) const {
    if (has_infinite_power(user_id)) return kInfinitePowerLevel;
    if (content_) {
        auto it = content_->users.find(user_id);
        if (it != content_->users.end()) return it->second;
        return users_default();
    }
    // No PL event (§8.2): in v1-v11 the creator has 100, everyone else users_default.
    if (!version_->creators_have_infinite_power && !creators_.empty() &&
        creators_.front().str() == user_id)
        return kCreatorDefaultPowerLevel;
    return kDefaultUsersDefault;
}

std::int64_t PowerLevels::required_level(std::string_view type, bool is_state) const {
    if (content_) {
        auto it = content_->events.find(type);
        if (it != content_->events.end()) return it->second;
    }
    return is_state ? state_default() : events_default();
}

std::int64_t PowerLevels::users_default() const noexcept {
    return content_ ? content_->users_default.value_or(kDefaultUsersDefault)
                    : kDefaultUsersDefault;
}
std::int64_t PowerLevels::events_default() const noexcept {
    return content_ ? content_->events_default.value_or(kDefaultEventsDefault)
                    : kDefaultEventsDefault;
}
std::int64_t PowerLevels::state_default() const noexcept {
    return content_ ? content_->state_default.value_or(kDefaultStateDefault)
                    : kDefaultStateDefault;
}
std::int64_t PowerLevels::ban() const noexcept {
    return content_ ? content_->ban.value_or(kDefaultBan) : kDefaultBan;
}
std::int64_t PowerLevels::kick() const noexcept {
    return content_ ? content_->kick.value_or(kDefaultKick) : kDefaultKick;
}
std::int64_t PowerLevels::redact() const noexcept {
    return content_ ? content_->redact.value_or(kDefaultRedact) : kDefaultRedact;
}
std::int64_t PowerLevels::invite() const noexcept {
    return content_ ? content_->invite.value_or(kDefaultInvite) : kDefaultInvite;
}

std::optional<std::int64_t> PowerLevels::notification_level(std::string_view key) const {
    if (content_) {
        auto it = content_->notifications.find(key);
        if (it != content_->notifications.end()) return it->second;
    }
    if (key == "room") return kDefaultRoomNotification;
    return std::nullopt;
}

}  // namespace chat::auth
