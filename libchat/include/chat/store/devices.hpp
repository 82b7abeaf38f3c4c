#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// A device of a local user.
struct DeviceRow {
    UserId user_id;
    std::string device_id;
    std::optional<std::string> display_name;
    std::int64_t created_ts = 0;
    std::optional<std::int64_t> last_seen_ts;
    std::optional<std::string> last_seen_ip;
    std::optional<std::string> last_seen_user_agent;
};

class DevicesReader {
public:
    virtual ~DevicesReader() = default;
    virtual Result<std::optional<DeviceRow>> get(const UserId& user_id,
                                                 std::string_view device_id) = 0;
    // Ordered by device id.
    virtual Result<std::vector<DeviceRow>> list(const UserId& user_id) = 0;
};

class Devices : public DevicesReader {
public:
    // Returns false when the device exists (it is left unchanged: a login
    // that names an existing device reuses it). Errors: Errc::not_found for
    // an unknown user.
    virtual Result<bool> create(const DeviceRow& device) = 0;
    // Errors: Errc::not_found for an unknown device.
    virtual Result<void> set_display_name(const UserId& user_id, std::string_view device_id,
                                          const std::optional<std::string>& display_name) = 0;
    // Records activity ("last seen"). Errors: Errc::not_found for an unknown device.
    virtual Result<void> touch(const UserId& user_id, std::string_view device_id,
                               std::int64_t ts, std::string_view ip,
                               std::string_view user_agent) = 0;
    // Removes the device and its access tokens; false when it did not exist.
    virtual Result<bool> remove(const UserId& user_id, std::string_view device_id) = 0;
    // Removes every device of the user but `keep` (and their tokens);
    // returns how many went.
    virtual Result<std::int64_t> remove_all(const UserId& user_id,
                                            const std::optional<std::string>& keep = {}) = 0;
};

}  // namespace chat::store
