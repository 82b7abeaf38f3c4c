#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// One pusher: a device of `user_id` that wants notifications through a push
// gateway (spec "Pushers"). Identified by (app_id, pushkey, user_id).
struct PusherRow {
    UserId user_id;
    std::string app_id;
    std::string pushkey;
    std::string kind = "http";
    std::string app_display_name;
    std::string device_display_name;
    std::optional<std::string> profile_tag;
    std::string lang;
    nlohmann::json data = nlohmann::json::object();  // url, format, anything else the app set
    std::int64_t pushkey_ts = 0;
    // The stream ordering of the last push action the gateway accepted.
    Position delivered_up_to = 0;
};

class PushersReader {
public:
    virtual ~PushersReader() = default;
    // The user's pushers, in (app_id, pushkey) order.
    virtual Result<std::vector<PusherRow>> for_user(const UserId& user_id) = 0;
    // Every pusher of every user (the push sender's work list).
    virtual Result<std::vector<PusherRow>> all() = 0;
};

class Pushers : public PushersReader {
public:
    // Inserts or replaces the pusher (app_id, pushkey, user_id), all fields
    // as given, delivered_up_to included.
    virtual Result<void> put(const PusherRow& row) = 0;
    // Removes one pusher; false when there was none.
    virtual Result<bool> remove(const UserId& user_id, std::string_view app_id,
                                std::string_view pushkey) = 0;
    // Removes the pushers with this app_id and pushkey of every user but
    // `keep` (spec: `append: false`); returns how many.
    virtual Result<std::int64_t> remove_for_other_users(std::string_view app_id,
                                                        std::string_view pushkey,
                                                        const UserId& keep) = 0;
    // Moves delivered_up_to forward to `position`; never back. False when the
    // pusher is gone (removed while a notification was in flight).
    virtual Result<bool> set_delivered(const UserId& user_id, std::string_view app_id,
                                       std::string_view pushkey, Position position) = 0;
};

}  // namespace chat::store
