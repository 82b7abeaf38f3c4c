#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

struct AccountDataRow {
    UserId user_id;
    std::optional<RoomId> room_id;  // none: global account data
    std::string type;
    nlohmann::json content;
    Position stream_position = 0;  // Stream::account_data
};

class AccountDataReader {
public:
    virtual ~AccountDataReader() = default;
    virtual Result<std::optional<AccountDataRow>> get(const UserId& user_id,
                                                      const std::optional<RoomId>& room_id,
                                                      std::string_view type) = 0;
    // Global and per-room, every type.
    virtual Result<std::vector<AccountDataRow>> all_for_user(const UserId& user_id) = 0;
    // What changed for `user_id` with from < stream_position <= to, oldest
    // first (each key once, at its latest value).
    virtual Result<std::vector<AccountDataRow>> changes_for_user(const UserId& user_id,
                                                                 Position from, Position to) = 0;
};

class AccountData : public AccountDataReader {
public:
    // Inserts or replaces (user, room, type). Deleting is storing `{}`, as the
    // spec's clients observe it.
    virtual Result<void> put(const AccountDataRow& row) = 0;
};

}  // namespace chat::store
