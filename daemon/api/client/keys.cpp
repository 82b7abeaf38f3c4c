#include "api/client/keys.hpp"

#include "api/client/body_fields.hpp"
#include "api/client/keys_federation.hpp"

#include <nlohmann/json.hpp>

#include <chat/e2ee/keys.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/sync_token.hpp>

#include "auth/authenticate.hpp"
#include "auth/uia.hpp"
#include "services/services.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

// Bounds on one sendToDevice request: recipients and the message size are
// already capped by the body limit; this caps the rows one request writes.
constexpr std::size_t kMaxToDeviceRecipients = 10000;
constexpr std::size_t kMaxTxnIdBytes = 255;

// Device-list and key-count changes matter to other users' long-polls.
void wake(const Services& services, bool changed) {
    if (changed) services.wake->poke();
}

}  // namespace

Task<Result<Reply>> post_keys_upload(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    const auto& services = request.services();
    const auto& requester = request.requester();
    auto uploaded = co_await services.db->write("keys_upload", [&](store::WriteTxn& txn) {
        return e2ee::upload_keys(txn, requester.user_id, requester.device_id, *body);
    });
    if (!uploaded) co_return uploaded.error();
    wake(services, uploaded->device_list_position.has_value());
    if (uploaded->device_list_position)
        co_await announce_device_change(services, requester.user_id,
                                        std::string(requester.device_id), false);
    co_return Reply::json(json{{"one_time_key_counts", uploaded->one_time_key_counts}});
}

Task<Result<Reply>> post_keys_query(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto wanted = required_object(*body, "device_keys");
    if (!wanted) co_return wanted.error();
    const auto& services = request.services();
    json local, remote;
    if (wanted->size() <= 1000) split_by_server(*wanted, services.server_name, local, remote);
    else local = *wanted;  // too many: the local check refuses it
    auto answer = co_await services.db->read("keys_query", [&](store::ReadTxn& txn) {
        return e2ee::query_keys(txn, request.requester().user_id, services.server_name, local);
    });
    if (!answer) co_return answer.error();
    co_await query_remote_keys(services, remote, *answer);
    co_return Reply::json(*answer);
}

Task<Result<Reply>> post_keys_claim(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto wanted = required_object(*body, "one_time_keys");
    if (!wanted) co_return wanted.error();
    const auto& services = request.services();
    json local, remote;
    if (wanted->size() <= 1000) split_by_server(*wanted, services.server_name, local, remote);
    else local = *wanted;  // too many: the local check refuses it
    auto claimed = co_await services.db->write("keys_claim", [&](store::WriteTxn& txn) {
        return e2ee::claim_keys(txn, services.server_name, local);
    });
    if (!claimed) co_return claimed.error();
    co_await claim_remote_keys(services, remote, claimed->body);
    // The owners' next sync reports the lower key counts.
    wake(services, !claimed->owners.empty());
    co_return Reply::json(claimed->body);
}

Task<Result<Reply>> get_keys_changes(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto from_text = request.query("from");
    auto to_text = request.query("to");
    if (!from_text || !to_text)
        co_return make_error(Errc::missing_param, "'from' and 'to' are required");
    auto from = sync::SyncToken::parse(*from_text);
    if (!from) co_return from.error();
    auto to = sync::SyncToken::parse(*to_text);
    if (!to) co_return to.error();
    const auto& services = request.services();
    auto delta = co_await services.db->read("keys_changes", [&](store::ReadTxn& txn) {
        return e2ee::device_list_changes(txn, request.requester().user_id, from->streams,
                                         to->streams);
    });
    if (!delta) co_return delta.error();
    co_return Reply::json(json{{"changed", delta->changed}, {"left", delta->left}});
}

// The spec (v1.11) skips UIA when there is nothing to protect: no master
// key yet (the first device sets cross-signing up), or a repeat of the
// stored keys.
Task<Result<Reply>> post_keys_device_signing_upload(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto needs_auth = co_await services.db->read("cross_signing_needs_auth",
                                                 [&](store::ReadTxn& txn) {
                                                     return e2ee::cross_signing_needs_auth(
                                                         txn, user, *body);
                                                 });
    if (!needs_auth) co_return needs_auth.error();
    if (*needs_auth) {
        auto uia =
            co_await services.uia->check(request, *body, UiaSessions::Stage::password, user);
        if (!uia) co_return uia.error();
        if (!uia->passed) co_return std::move(*uia->reply);
    }
    auto stored = co_await services.db->write("cross_signing_upload", [&](store::WriteTxn& txn) {
        return e2ee::upload_cross_signing(txn, user, *body);
    });
    if (!stored) co_return stored.error();
    wake(services, stored->has_value());
    if (stored->has_value()) co_await announce_device_change(services, user, "", true);
    co_return Reply::json(json::object());
}

Task<Result<Reply>> post_keys_signatures_upload(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    const auto& services = request.services();
    auto result = co_await services.db->write("signatures_upload", [&](store::WriteTxn& txn) {
        return e2ee::upload_signatures(txn, request.requester().user_id, services.server_name,
                                       *body);
    });
    if (!result) co_return result.error();
    wake(services, result->device_list_position.has_value());
    co_return Reply::json(json{{"failures", result->failures}});
}

// Messages to unknown users or devices are dropped (spec); remote users'
// go to their servers as m.direct_to_device. A retried txnId from the same
// device sends nothing again.
Task<Result<Reply>> put_send_to_device(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    std::string type(request.path_param("eventType"));
    std::string txn_id(request.path_param("txnId"));
    if (type.empty() || txn_id.empty() || txn_id.size() > kMaxTxnIdBytes)
        co_return make_error(Errc::invalid_param, "Invalid event type or transaction ID");
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto messages = required_object(*body, "messages");
    if (!messages) co_return messages.error();
    std::size_t recipients = 0;
    for (auto& [user, devices] : messages->items()) {
        if (!devices.is_object())
            co_return make_error(Errc::bad_json, "Each user's messages must be an object");
        for (auto& [device, content] : devices.items()) {
            if (!content.is_object())
                co_return make_error(Errc::bad_json, "Message content must be an object");
            if (++recipients > kMaxToDeviceRecipients)
                co_return make_error(Errc::too_large, "Too many recipients");
        }
    }
    const auto& services = request.services();
    const auto& requester = request.requester();
    const auto now = services.clock->now_ms();
    auto sent = co_await services.db->write("send_to_device", [&](store::WriteTxn& txn) -> Result<std::pair<bool, bool>> {
        auto first = txn.to_device().record_txn(requester.user_id, requester.device_id, txn_id, now);
        if (!first) return first.error();
        if (!*first) return std::pair{false, false};
        bool any = false;
        for (auto& [user_text, devices] : messages->items()) {
            auto user = UserId::parse(user_text);
            if (!user || user->server() != services.server_name) continue;
            auto delivered = deliver_local_to_device(txn, requester.user_id, type, *user, devices);
            if (!delivered) return delivered.error();
            any |= *delivered;
        }
        return std::pair{true, any};
    });
    if (!sent) co_return sent.error();
    wake(services, sent->second);
    // Remote users' messages go once, with an id unique per sending device.
    if (sent->first)
        send_remote_to_device(services, requester.user_id, type,
                              std::string(requester.device_id) + ":" + txn_id, *messages);
    co_return Reply::json(json::object());
}

}  // namespace chat::daemon
