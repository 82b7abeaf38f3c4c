#pragma once

#include <optional>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/room_alias.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// One entry of this server's room alias directory (spec: "Room aliases").
struct AliasRow {
    RoomAlias alias;
    RoomId room_id;
    UserId creator;  // who created it: may delete it without being a room admin
};

// The local alias directory: aliases on our server name and the room each
// points to. Aliases are compared byte for byte (case-sensitive).
class AliasesReader {
public:
    virtual ~AliasesReader() = default;
    // None when the alias is not in the directory.
    virtual Result<std::optional<AliasRow>> get(const RoomAlias& alias) = 0;
    // Every alias that points to the room, in alias order. Indexed.
    virtual Result<std::vector<RoomAlias>> for_room(const RoomId& room_id) = 0;
};

class Aliases : public AliasesReader {
public:
    // Adds the alias. Errors: Errc::room_in_use when the alias exists already
    // (even pointing to the same room: the spec answers 409 then too).
    virtual Result<void> put(const RoomAlias& alias, const RoomId& room_id,
                             const UserId& creator) = 0;
    // Removes the alias; false when it was not there.
    virtual Result<bool> remove(const RoomAlias& alias) = 0;
};

}  // namespace chat::store
