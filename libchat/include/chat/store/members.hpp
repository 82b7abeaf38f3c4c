#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// A user's membership of a room: "join", "invite", "leave", "ban" or
// "knock" (the m.room.member `membership` value), the event that set it and
// its events stream position.
struct MembershipRow {
    UserId user_id;
    RoomId room_id;
    std::string membership;
    EventId event_id;
    Position stream_ordering = 0;
};

// Memberships per user, kept from the current state by
// CurrentState::apply_delta, plus out-of-band ones (an invite to or the
// rejection of a room we are not in). Every lookup here is indexed.
class MembersReader {
public:
    virtual ~MembersReader() = default;

    virtual Result<std::optional<MembershipRow>> get(const UserId& user_id,
                                                     const RoomId& room_id) = 0;
    // The rooms where `user_id` has `membership` now ("join": the joined rooms).
    virtual Result<std::vector<MembershipRow>> rooms_for_user(const UserId& user_id,
                                                              std::string_view membership) = 0;
    virtual Result<std::vector<MembershipRow>> members_of(const RoomId& room_id,
                                                          std::string_view membership) = 0;
    virtual Result<std::int64_t> count(const RoomId& room_id, std::string_view membership) = 0;
    // Every membership change of `user_id` with from < stream_ordering <= to,
    // oldest first: a join then a leave inside the range gives both.
    virtual Result<std::vector<MembershipRow>> changes_for_user(const UserId& user_id,
                                                                Position from, Position to) = 0;
    // The membership event at which `user_id` forgot the room; none if never.
    virtual Result<std::optional<EventId>> forgotten_at(const UserId& user_id,
                                                        const RoomId& room_id) = 0;
};

class Members : public MembersReader {
public:
    // Sets a membership that the room's current state does not carry (we are
    // not in the room): a remote invite, a knock, a rejected invite. Logged
    // like any change.
    virtual Result<void> set_out_of_band(const MembershipRow& row) = 0;
    // Records that `user_id` forgot the room at their membership event
    // `event_id` (a leave or ban): sync leaves it out from then on, until a
    // later membership event.
    virtual Result<void> forget(const UserId& user_id, const RoomId& room_id,
                                const EventId& event_id) = 0;
};

}  // namespace chat::store
