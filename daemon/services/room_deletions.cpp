#include "services/room_deletions.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chat/crypto/random.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/store.hpp>
#include <chat/store/txn.hpp>

namespace chat::daemon {

namespace {

// Finished deletions remembered for delete_status; the oldest go first.
constexpr std::size_t kMaxRemembered = 1000;

bool finished(const RoomDeletionStatus& s) {
    return s.status == "complete" || s.status == "failed";
}

}  // namespace

RoomDeletions::RoomDeletions(store::Store& store, rooms::RoomService& rooms, const Clock& clock,
                             std::string server_name)
    : store_(store), rooms_(rooms), clock_(clock), server_name_(std::move(server_name)),
      worker_(std::make_unique<boost::asio::thread_pool>(1)) {}

RoomDeletions::~RoomDeletions() { worker_->join(); }

Result<std::string> RoomDeletions::start(RoomDeletionRequest request) {
    auto delete_id = crypto::random_alphanumeric(16);
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, job] : jobs_) {
            if (job.room_id == request.room_id && !finished(job))
                return make_error(Errc::invalid_param,
                                  "Purge already in progress for " + std::string(request.room_id.str()));
        }
        while (order_.size() >= kMaxRemembered) {
            auto oldest = std::find_if(order_.begin(), order_.end(), [&](const std::string& id) {
                return finished(jobs_.at(id));
            });
            if (oldest == order_.end()) break;
            jobs_.erase(*oldest);
            order_.erase(oldest);
        }
        jobs_.emplace(delete_id, RoomDeletionStatus{.delete_id = delete_id,
                                                    .room_id = request.room_id,
                                                    .status = "shutting_down"});
        order_.push_back(delete_id);
    }
    boost::asio::post(*worker_, [this, delete_id, request = std::move(request)] {
        run(delete_id, request);
    });
    return delete_id;
}

std::optional<RoomDeletionStatus> RoomDeletions::by_id(std::string_view delete_id) const {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(std::string(delete_id));
    if (it == jobs_.end()) return std::nullopt;
    return it->second;
}

std::vector<RoomDeletionStatus> RoomDeletions::for_room(const RoomId& room_id) const {
    std::lock_guard lock(mutex_);
    std::vector<RoomDeletionStatus> out;
    for (const auto& id : order_) {
        const auto& job = jobs_.at(id);
        if (job.room_id == room_id) out.push_back(job);
    }
    return out;
}

template <typename F>
void RoomDeletions::update(const std::string& delete_id, F change) {
    std::lock_guard lock(mutex_);
    if (auto it = jobs_.find(delete_id); it != jobs_.end()) change(it->second);
}

void RoomDeletions::run(const std::string& delete_id, const RoomDeletionRequest& request) {
    // Runs on the worker thread: an exception must not end the process.
    try {
        auto done = shut_down(delete_id, request);
        if (done && request.purge) {
            update(delete_id, [](RoomDeletionStatus& s) { s.status = "purging"; });
            auto purged = store_.write("admin_purge_room", [&](store::WriteTxn& txn) {
                return txn.admin().purge_room(request.room_id);
            });
            if (!purged) done = purged.error();
        }
        if (!done) {
            update(delete_id, [&](RoomDeletionStatus& s) {
                s.status = "failed";
                s.error = done.error().message;
            });
            return;
        }
        update(delete_id, [](RoomDeletionStatus& s) { s.status = "complete"; });
    } catch (const std::exception& e) {
        update(delete_id, [&](RoomDeletionStatus& s) {
            s.status = "failed";
            s.error = e.what();
        });
    }
}

Result<void> RoomDeletions::shut_down(const std::string& delete_id,
                                      const RoomDeletionRequest& request) {
    const auto& room_id = request.room_id;
    auto members = store_.read("admin_room_local_members",
                               [&](store::ReadTxn& txn) -> Result<std::vector<UserId>> {
                                   auto rows = txn.members().members_of(room_id, "join");
                                   if (!rows) return rows.error();
                                   std::vector<UserId> local;
                                   for (auto& row : *rows) {
                                       if (row.user_id.server() == server_name_)
                                           local.push_back(std::move(row.user_id));
                                   }
                                   return local;
                               });
    if (!members) return members.error();

    // The new room first, so that members have somewhere to go.
    std::optional<RoomId> new_room;
    if (request.new_room_user_id) {
        rooms::CreateRoomOptions options{.creator = *request.new_room_user_id,
                                         .preset = rooms::Preset::public_chat,
                                         .name = request.room_name};
        // Members who arrive may read but not speak, as in Synapse.
        options.power_level_content_override = {{"users_default", -10}};
        auto created = rooms_.create_room(options);
        if (!created) return created.error();
        new_room = created->room_id;
        auto sent = rooms_.send_message(*request.new_room_user_id, *new_room, "m.room.message",
                                        {{"msgtype", "m.text"}, {"body", request.message}});
        if (!sent) return sent.error();
        update(delete_id,
               [&](RoomDeletionStatus& s) { s.new_room_id = std::string(new_room->str()); });
    }

    for (const auto& user : *members) {
        auto left = rooms_.leave(user, room_id, request.message);
        if (left && new_room && user != *request.new_room_user_id) {
            if (auto joined = rooms_.join(user, *new_room); !joined) left = joined.error();
        }
        update(delete_id, [&](RoomDeletionStatus& s) {
            (left ? s.kicked_users : s.failed_to_kick_users).push_back(std::string(user.str()));
        });
    }

    auto aliases = store_.write(
        "admin_room_unpublish", [&](store::WriteTxn& txn) -> Result<std::vector<std::string>> {
            std::vector<std::string> removed;
            auto list = txn.aliases().for_room(room_id);
            if (!list) return list.error();
            for (const auto& alias : *list) {
                if (alias.server() != server_name_) continue;
                if (auto gone = txn.aliases().remove(alias); !gone) return gone.error();
                removed.push_back(std::string(alias.str()));
            }
            auto room = txn.rooms().get(room_id);
            if (!room) return room.error();
            if (*room) {
                if (auto hidden = txn.rooms().set_visibility(room_id, "private"); !hidden)
                    return hidden.error();
            }
            if (request.block) {
                store::RoomBlock block{room_id, request.requester, clock_.now_ms()};
                if (auto blocked = txn.admin().block_room(block); !blocked)
                    return blocked.error();
            }
            return removed;
        });
    if (!aliases) return aliases.error();
    update(delete_id, [&](RoomDeletionStatus& s) { s.local_aliases = *aliases; });
    return ok();
}

}  // namespace chat::daemon
