#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/clock.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>

namespace boost::asio {
class thread_pool;
}
namespace chat::store {
class Store;
}
namespace chat::rooms {
class RoomService;
}

namespace chat::daemon {

// What DELETE /_synapse/admin/v2/rooms/{roomId} asks for (Synapse's body and
// defaults).
struct RoomDeletionRequest {
    RoomId room_id;
    UserId requester;
    // When set, local members are moved into a new room this user creates.
    std::optional<UserId> new_room_user_id;
    std::string room_name = "Content Violation Notification";
    std::string message =
        "Sharing illegal content on this server is not permitted and rooms in violation will be "
        "blocked.";
    bool block = false;  // refuse joins from now on
    bool purge = true;   // remove the room's events and state from the store
};

// One deletion as delete_status reports it.
struct RoomDeletionStatus {
    std::string delete_id;
    RoomId room_id;
    std::string status;  // "shutting_down", "purging", "complete" or "failed"
    std::string error;   // set when failed
    std::vector<std::string> kicked_users;
    std::vector<std::string> failed_to_kick_users;
    std::vector<std::string> local_aliases;
    std::optional<std::string> new_room_id;
};

// Runs room deletions in the background, one at a time on a thread of its
// own, and remembers how each went (in memory: a restart forgets them, as in
// Synapse). A deletion: local joined members leave (and join the new room
// when one is asked for), local aliases are removed and the room leaves the
// directory, the room is blocked if asked, then purged if asked.
//
// Thread-safe. The destructor waits for the deletion in progress.
class RoomDeletions {
public:
    // All references must outlive this object.
    RoomDeletions(store::Store& store, rooms::RoomService& rooms, const Clock& clock,
                  std::string server_name);
    ~RoomDeletions();
    // Owns a thread.
    RoomDeletions(const RoomDeletions&) = delete;
    RoomDeletions& operator=(const RoomDeletions&) = delete;

    // Queues a deletion and returns its delete_id. Never blocks. Errors:
    // Errc::invalid_param when a deletion of the same room has not finished.
    Result<std::string> start(RoomDeletionRequest request);

    std::optional<RoomDeletionStatus> by_id(std::string_view delete_id) const;
    // Deletions of the room, oldest first.
    std::vector<RoomDeletionStatus> for_room(const RoomId& room_id) const;

private:
    void run(const std::string& delete_id, const RoomDeletionRequest& request);
    Result<void> shut_down(const std::string& delete_id, const RoomDeletionRequest& request);
    template <typename F>
    void update(const std::string& delete_id, F change);

    store::Store& store_;
    rooms::RoomService& rooms_;
    const Clock& clock_;
    std::string server_name_;
    mutable std::mutex mutex_;
    std::map<std::string, RoomDeletionStatus> jobs_;  // guarded by mutex_
    std::vector<std::string> order_;                  // delete ids, oldest first; mutex_
    std::unique_ptr<boost::asio::thread_pool> worker_;
};

}  // namespace chat::daemon
