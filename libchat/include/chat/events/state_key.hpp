#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace chat {

// The key of one entry of room state: (event type, state_key).
struct StateKey {
    std::string type;
    std::string state_key;

    friend bool operator==(const StateKey&, const StateKey&) = default;
    friend auto operator<=>(const StateKey&, const StateKey&) = default;
};

inline StateKey state_key(std::string_view type, std::string_view key) {
    return StateKey{std::string(type), std::string(key)};
}

}  // namespace chat
