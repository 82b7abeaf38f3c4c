#pragma once

// Shared by the push tests: events as clients see them, and room power levels.

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/auth/power_levels.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/room_version.hpp>
#include <chat/json/parse.hpp>

namespace chat::push::test {

inline constexpr const char* kRoom = "!room:a.test";
inline constexpr const char* kAlice = "@alice:a.test";  // the user whose rules are evaluated
inline constexpr const char* kBob = "@bob:a.test";      // another member, the usual sender

inline nlohmann::json j(std::string_view text) {
    auto parsed = chat::json::parse(text);
    if (!parsed) throw std::runtime_error("bad test JSON: " + parsed.error().message);
    return *parsed;
}

inline UserId user(std::string_view id) {
    auto parsed = UserId::parse(id);
    if (!parsed) throw std::runtime_error("bad test user ID");
    return *parsed;
}

inline nlohmann::json event(std::string type, nlohmann::json content,
                            std::optional<std::string> state_key = std::nullopt,
                            std::string sender = kBob) {
    nlohmann::json e = {{"type", std::move(type)},
                        {"content", std::move(content)},
                        {"sender", std::move(sender)},
                        {"room_id", kRoom},
                        {"event_id", "$e:a.test"},
                        {"origin_server_ts", 1}};
    if (state_key) e["state_key"] = *state_key;
    return e;
}

inline nlohmann::json text_message(std::string body, std::string sender = kBob) {
    return event("m.room.message", {{"msgtype", "m.text"}, {"body", std::move(body)}},
                 std::nullopt, std::move(sender));
}

// Power levels of a v10 room from the content of its m.room.power_levels event.
inline auth::PowerLevels power_levels(const nlohmann::json& content) {
    auto parsed = auth::PowerLevelsContent::parse(content, RoomVersion::v10);
    if (!parsed) throw std::runtime_error("bad test power levels: " + parsed.error().message);
    return auth::PowerLevels(RoomVersion::v10, std::move(*parsed), {});
}

}  // namespace chat::push::test
