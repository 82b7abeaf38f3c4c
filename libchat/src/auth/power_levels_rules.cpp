// The m.room.power_levels rule: v1-v5 rule 10, v6-v11 rule 9, v12 rule 10
// (events-and-rooms.md §10.2 rule 10, §10.3 v6 and v10, §10.4 rule 10). Comments use v12
// sub-rule numbers; RuleNumbers gives each version's.

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include <chat/auth/power_levels.hpp>

#include "auth/rule_input.hpp"

namespace chat::auth::detail {
namespace {

const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

bool is_level_map(const nlohmann::json& value, const RoomVersion& version, bool user_keys) {
    if (!value.is_object()) return false;
    for (auto it = value.begin(); it != value.end(); ++it) {
        if (user_keys && !UserId::parse(it.key())) return false;
        if (!parse_power_level(it.value(), version)) return false;
    }
    return true;
}

using LevelMap = PowerLevelsContent::LevelMap;

// 10.7 and 10.8 over one map: entries changed or removed are judged by their old value,
// entries added or changed by their new one.
const std::string* first_removed_above(const LevelMap& old_map, const LevelMap& new_map,
                                       std::int64_t sender_level) {
    for (const auto& [key, old_level] : old_map) {
        auto it = new_map.find(key);
        const bool changed_or_removed = it == new_map.end() || it->second != old_level;
        if (changed_or_removed && old_level > sender_level) return &key;
    }
    return nullptr;
}

const std::string* first_added_above(const LevelMap& old_map, const LevelMap& new_map,
                                     std::int64_t sender_level) {
    for (const auto& [key, new_level] : new_map) {
        auto it = old_map.find(key);
        const bool added_or_changed = it == old_map.end() || it->second != new_level;
        if (added_or_changed && new_level > sender_level) return &key;
    }
    return nullptr;
}

}  // namespace

Result<void> check_power_levels_event(const RuleInput& in) {
    const auto& version = in.version();
    const auto& n = in.n;
    const int rule = n.power_levels();
    const auto& content = in.event.content();

    if (version.integer_only_power_levels) {
        // 10.1 (v10+): the seven scalar keys, when present, are integers.
        for (const auto field : kPowerLevelFields) {
            const auto* value = find_member(content, field_name(field));
            if (value && !parse_power_level(*value, version))
                return deny(version, {rule, n.pl_scalars_integers()},
                            "'" + std::string(field_name(field)) + "' must be an integer");
        }
        // 10.2 (v10+): events and notifications, when present, map to integers.
        for (const std::string_view name : {"events", "notifications"}) {
            const auto* value = find_member(content, name);
            if (value && !is_level_map(*value, version, false))
                return deny(version, {rule, n.pl_maps_integers()},
                            "'" + std::string(name) + "' must be an object of integers");
        }
    }

    // 10.3 (v1-v9: 10.1): users maps user ids to levels (v1-v9 also integer strings,
    // v1-v5 also floats). An absent `users` is an empty one.
    if (const auto* users = find_member(content, "users");
        users && !is_level_map(*users, version, true))
        return deny(version, {rule, n.pl_users()},
                    "'users' must be an object of user ids to integer power levels");

    // v1-v9 check only `users`; a scalar or events value that is no power level at all
    // has no meaning, and is refused here [not in spec].
    auto parsed = PowerLevelsContent::parse(content, version);
    if (!parsed) return deny(version, {rule}, parsed.error().message);
    const PowerLevelsContent& proposed = *parsed;

    // 10.4 (v12): creators have infinite power and are never listed.
    if (version.creators_have_infinite_power) {
        for (const auto& creator : PowerLevels::creators_of(*in.create)) {
            if (proposed.users.contains(creator.str()))
                return deny(version, {rule, n.pl_creators()},
                            "'users' must not list a room creator");
        }
    }

    // 10.5: the first PL event is allowed.
    const Pdu* previous = in.state.power_levels();
    if (!previous) return ok();
    if (!in.levels || !in.levels->content())
        return levels_unusable(in, {rule, n.pl_scalars_changed()});
    const PowerLevelsContent& current = *in.levels->content();
    const std::int64_t sender_level = in.levels->user_level(in.event.sender().str());

    // 10.6: a scalar that is added, removed or changed must stay within the sender's
    // level on both sides.
    for (const auto field : kPowerLevelFields) {
        const auto old_value = field_value(current, field);
        const auto new_value = field_value(proposed, field);
        if (old_value == new_value) continue;
        if ((old_value && *old_value > sender_level) || (new_value && *new_value > sender_level))
            return deny(version, {rule, n.pl_scalars_changed()},
                        "sender cannot change '" + std::string(field_name(field)) +
                            "' beyond their own power level");
    }

    // 10.7 and 10.8: events, and (v6+) notifications.
    const bool with_notifications = version.notifications_in_power_levels_auth;
    if (const auto* key = first_removed_above(current.events, proposed.events, sender_level))
        return deny(version, {rule, n.pl_maps_removed()},
                    "sender cannot change the level of event type " + *key +
                        ", which is above their own");
    if (with_notifications) {
        if (const auto* key = first_removed_above(current.notifications, proposed.notifications,
                                                  sender_level))
            return deny(version, {rule, n.pl_maps_removed()},
                        "sender cannot change notification level '" + *key +
                            "', which is above their own");
    }
    if (const auto* key = first_added_above(current.events, proposed.events, sender_level))
        return deny(version, {rule, n.pl_maps_added()},
                    "sender cannot set the level of event type " + *key +
                        " above their own");
    if (with_notifications) {
        if (const auto* key = first_added_above(current.notifications, proposed.notifications,
                                                sender_level))
            return deny(version, {rule, n.pl_maps_added()},
                        "sender cannot set notification level '" + *key + "' above their own");
    }

    // 10.9: another user's entry that changes or goes must be below the sender's level
    // (so nobody demotes a peer); the sender may lower their own.
    const auto sender = in.event.sender().str();
    for (const auto& [user, old_level] : current.users) {
        if (user == sender) continue;
        auto it = proposed.users.find(user);
        const bool changed_or_removed = it == proposed.users.end() || it->second != old_level;
        if (changed_or_removed && old_level >= sender_level)
            return deny(version, {rule, n.pl_users_removed()},
                        "sender cannot change the level of a user at or above their own");
    }
    // 10.10: nobody is raised above the sender.
    if (first_added_above(current.users, proposed.users, sender_level))
        return deny(version, {rule, n.pl_users_added()},
                    "sender cannot give a user a power level above their own");

    return ok();  // 10.11
}

}  // namespace chat::auth::detail
