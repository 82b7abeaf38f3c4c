#include "services/presence_writer.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/federation/sender/federation_sender.hpp>
#include <chat/rooms/room_servers.hpp>
#include <chat/presence/presence.hpp>
#include <chat/store/txn.hpp>

#include "config/config.hpp"
#include "services/presence_tracker.hpp"
#include "services/services.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

Task<Result<void>> write_presence(const Services& services, std::vector<UserId> users) {
    if (users.empty()) co_return ok();
    auto own = ServerName::parse(services.server_name);
    // m.presence EDUs for the servers that share a room with each user.
    std::map<ServerName, nlohmann::json> edus;
    const auto now = services.clock->now_ms();
    auto last = co_await services.db->write(
        "presence", [&](store::WriteTxn& txn) -> Result<std::optional<store::Position>> {
            std::optional<store::Position> position;
            for (const auto& user : users) {
                // Taken on the writer thread: the newest status wins even if
                // two writes for one user race.
                std::optional<store::PresenceRow> stored;
                if (services.config->workers.enabled) {
                    // Another worker may have set a status message since this
                    // one last set it: the stored one is newer.
                    auto row = txn.presence().get(user);
                    if (!row) return row.error();
                    stored = std::move(*row);
                    if (stored) services.presence->adopt_stored_message(user, stored->status_msg);
                }
                auto status = services.presence->take_for_write(user);
                if (!status) continue;
                // Another worker may have written the same status already
                // (each tracks the users it serves): the store decides.
                if (stored && !presence::visible_change(presence::from_row(*stored), *status))
                    continue;
                auto written = presence::write(txn, user, *status);
                if (!written) return written.error();
                position = *written;
                if (services.federation_sender && own && user.server() == own->str()) {
                    auto rooms = txn.members().rooms_for_user(user, "join");
                    if (!rooms) return rooms.error();
                    nlohmann::json entry = presence::content(*status, now);
                    entry["user_id"] = std::string(user.str());
                    for (const auto& row : *rooms) {
                        auto servers = rooms::remote_servers(txn, row.room_id, *own);
                        if (!servers) return servers.error();
                        for (const auto& server : *servers) {
                            auto& push = edus[server];
                            if (!push.is_array()) push = nlohmann::json::array();
                            if (std::find(push.begin(), push.end(), entry) == push.end())
                                push.push_back(entry);
                        }
                    }
                }
            }
            return position;
        });
    if (!last) co_return last.error();
    if (*last) services.wake->advanced(store::Stream::presence, **last);
    for (auto& [server, push] : edus) {
        nlohmann::json edu = {{"edu_type", "m.presence"}, {"content", {{"push", std::move(push)}}}};
        services.federation_sender->send_edu({server}, std::move(edu));
    }
    co_return ok();
}

Task<void> note_activity(const Services& services, const UserId& user) {
    if (!services.config->presence_enabled) co_return;
    if (!services.presence->activity(user, services.clock->now_ms())) co_return;
    std::vector<UserId> users{user};
    // Presence is best effort: a failed write is retried by the next tick.
    (void)co_await write_presence(services, std::move(users));
}

}  // namespace chat::daemon
