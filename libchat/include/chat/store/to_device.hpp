#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// A to-device message queued for one device (client-server spec
// "Send-to-Device messaging"). `content` is the sender's, unchecked.
struct ToDeviceRow {
    Position position = 0;  // on Stream::to_device
    UserId user_id;         // recipient
    std::string device_id;  // recipient device
    UserId sender;
    std::string type;
    nlohmann::json content;
};

class ToDeviceReader {
public:
    virtual ~ToDeviceReader() = default;
    // The device's messages at positions in (after, up_to], oldest first, at
    // most `limit`.
    virtual Result<std::vector<ToDeviceRow>> pending(const UserId& user_id,
                                                     std::string_view device_id, Position after,
                                                     Position up_to, std::size_t limit) = 0;
};

class ToDevice : public ToDeviceReader {
public:
    // Queues `row` (its position comes from Stream::to_device in this
    // transaction). Errors: Errc::not_found when the device does not exist.
    virtual Result<void> add(const ToDeviceRow& row) = 0;
    // Drops the device's messages at or below `through`: the device
    // acknowledged them. Returns how many went.
    virtual Result<std::int64_t> remove_through(const UserId& user_id, std::string_view device_id,
                                                Position through) = 0;
    // Records a sendToDevice transaction id of the sending device; false
    // when it was recorded before (a retry: send nothing again).
    virtual Result<bool> record_txn(const UserId& user_id, std::string_view device_id,
                                    std::string_view txn_id, std::int64_t now_ts) = 0;
};

}  // namespace chat::store
