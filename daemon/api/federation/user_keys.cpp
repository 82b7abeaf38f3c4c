#include "api/federation/user_keys.hpp"

#include <chat/core/user_id.hpp>
#include <chat/e2ee/keys.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "api/client/keys_federation.hpp"
#include "services/services.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

// Bounds what one EDU may write: a device count per user like a client's
// sendToDevice request would need.
constexpr std::size_t kMaxToDeviceUsers = 1000;

// The request map without users of other servers: we answer for ours only.
json local_part(const json& wanted, std::string_view local_server) {
    json local, remote;
    split_by_server(wanted, local_server, local, remote);
    return local;
}

// A requester id that is no user: signatures shown only to their signer
// stay hidden from another server.
UserId server_requester(const ServerName& origin) {
    auto id = UserId::parse("@:" + std::string(origin.str()));
    return id ? *id : *UserId::parse("@:invalid");
}

}  // namespace

Task<Result<Reply>> get_federation_user_devices(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    if (user->server() != services.server_name)
        co_return make_error(Errc::invalid_param, "User is not on this server");
    auto answer = co_await services.db->read("federation_user_devices", [&](store::ReadTxn& txn) -> Result<json> {
        auto row = txn.users().get(*user);
        if (!row) return row.error();
        if (!*row) return make_error(Errc::not_found, "Unknown user");
        json wanted = {{std::string(user->str()), json::array()}};
        auto keys = e2ee::query_keys(txn, server_requester(origin), services.server_name, wanted);
        if (!keys) return keys.error();
        auto devices = txn.devices().list(*user);
        if (!devices) return devices.error();
        const auto& uploaded = (*keys)["device_keys"][std::string(user->str())];
        json list = json::array();
        for (const auto& device : *devices) {
            json entry = {{"device_id", device.device_id}};
            if (auto k = uploaded.find(device.device_id); k != uploaded.end()) {
                json device_keys = *k;
                device_keys.erase("unsigned");
                entry["keys"] = std::move(device_keys);
            }
            if (device.display_name) entry["device_display_name"] = *device.display_name;
            list.push_back(std::move(entry));
        }
        // The stream_id of the user's last m.device_list_update: the next one
        // names it in prev_id, so a server that resynced here can apply that
        // update. Before any was sent, the device_lists position will do.
        auto last_sent = txn.e2ee_keys().last_sent_device_list_update(*user);
        if (!last_sent) return last_sent.error();
        auto stream_id = txn.current_position(store::Stream::device_lists);
        if (!stream_id) return stream_id.error();
        json out = {{"user_id", std::string(user->str())},
                    {"stream_id", last_sent->value_or(*stream_id)},
                    {"devices", std::move(list)}};
        for (auto [section, field] : {std::pair{"master_keys", "master_key"},
                                      std::pair{"self_signing_keys", "self_signing_key"}}) {
            auto& part = (*keys)[section];
            if (auto k = part.find(std::string(user->str())); k != part.end()) out[field] = *k;
        }
        return out;
    });
    if (!answer) co_return answer.error();
    co_return Reply::json(*answer);
}

Task<Result<Reply>> post_federation_user_keys_query(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto wanted = required_object(*body, "device_keys");
    if (!wanted) co_return wanted.error();
    auto local = local_part(*wanted, services.server_name);
    auto answer = co_await services.db->read("federation_keys_query", [&](store::ReadTxn& txn) {
        return e2ee::query_keys(txn, server_requester(origin), services.server_name, local);
    });
    if (!answer) co_return answer.error();
    // user_signing keys are private to their owner; failures are ours to
    // report, not the asking server's.
    answer->erase("user_signing_keys");
    answer->erase("failures");
    co_return Reply::json(*answer);
}

Task<Result<Reply>> post_federation_user_keys_claim(Request& request, const ServerName&) {
    const auto& services = request.services();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto wanted = required_object(*body, "one_time_keys");
    if (!wanted) co_return wanted.error();
    auto local = local_part(*wanted, services.server_name);
    auto claimed = co_await services.db->write("federation_keys_claim", [&](store::WriteTxn& txn) {
        return e2ee::claim_keys(txn, services.server_name, local);
    });
    if (!claimed) co_return claimed.error();
    if (!claimed->owners.empty()) services.wake->poke();
    claimed->body.erase("failures");
    co_return Reply::json(claimed->body);
}

Task<void> device_list_update_edu(const Services& services, const ServerName& origin,
                                  const json& content) {
    auto user = UserId::parse(content.value("user_id", ""));
    if (!user || user->server() != origin.str()) co_return;
    auto marked = co_await services.db->write("federation_device_list_update", [&](store::WriteTxn& txn) -> Result<void> {
        auto position = txn.next_position(store::Stream::device_lists);
        if (!position) return position.error();
        return txn.e2ee_keys().mark_changed(*user, *position);
    });
    if (marked) services.wake->poke();
}

Task<void> direct_to_device_edu(const Services& services, const ServerName& origin,
                                const json& content) {
    auto sender = UserId::parse(content.value("sender", ""));
    const auto type = content.value("type", "");
    const auto message_id = content.value("message_id", "");
    auto messages = content.find("messages");
    if (!sender || sender->server() != origin.str() || type.empty() || message_id.empty() ||
        message_id.size() > 255 || messages == content.end() || !messages->is_object() ||
        messages->size() > kMaxToDeviceUsers)
        co_return;
    const auto now = services.clock->now_ms();
    // Dedup by (origin, message_id): the sender is of the origin, so the
    // transaction-id table keyed by (sender, "federation", id) does it.
    auto delivered = co_await services.db->write("federation_to_device", [&](store::WriteTxn& txn) -> Result<bool> {
        auto first = txn.to_device().record_txn(*sender, "federation", message_id, now);
        if (!first) return first.error();
        if (!*first) return false;
        bool any = false;
        for (auto it = messages->begin(); it != messages->end(); ++it) {
            auto user = UserId::parse(it.key());
            if (!user || user->server() != services.server_name || !it->is_object()) continue;
            auto done = deliver_local_to_device(txn, *sender, type, *user, *it);
            if (!done) return done.error();
            any |= *done;
        }
        return any;
    });
    if (delivered && *delivered) services.wake->poke();
}

}  // namespace chat::daemon
