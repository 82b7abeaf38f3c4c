#include "api/federation/transactions.hpp"

#include <list>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/events/event_hashes.hpp>
#include <chat/federation/inbound/pdu_receiver.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/ingest/event_ingest.hpp>
#include <chat/presence/presence.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/federation/room_access.hpp"
#include "api/federation/user_keys.hpp"
#include "services/presence_tracker.hpp"
#include "services/services.hpp"
#include "services/typing_tracker.hpp"
#include "services/wake_hub.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxPdus = 50;
constexpr std::size_t kMaxEdus = 100;
constexpr std::int64_t kRemoteTypingTimeoutMs = 30'000;

// The answers to the last transactions, by (origin, txnId): a sender retries
// a transaction until it gets a 200, and may retry one we already processed.
class AnsweredTransactions {
public:
    static constexpr std::size_t kKept = 1024;

    std::optional<json> find(const std::string& key) {
        std::lock_guard lock(mutex_);
        auto it = answers_.find(key);
        if (it == answers_.end()) return std::nullopt;
        return it->second;
    }
    void put(const std::string& key, json answer) {
        std::lock_guard lock(mutex_);
        if (answers_.emplace(key, std::move(answer)).second) order_.push_back(key);
        while (order_.size() > kKept) {
            answers_.erase(order_.front());
            order_.pop_front();
        }
    }

private:
    std::mutex mutex_;
    std::map<std::string, json> answers_;  // guarded by mutex_
    std::list<std::string> order_;         // oldest first
};

AnsweredTransactions& answered() {
    static AnsweredTransactions instance;
    return instance;
}

std::string describe(const Error& error) { return error.message.empty() ? "refused" : error.message; }

// m.typing: a user of the origin, joined to the room, starts or stops typing.
Task<void> typing_edu(const Services& services, const ServerName& origin, const json& content) {
    auto room = RoomId::parse(content.value("room_id", ""));
    auto user = UserId::parse(content.value("user_id", ""));
    auto typing = content.find("typing");
    if (!room || !user || typing == content.end() || !typing->is_boolean()) co_return;
    if (user->server() != origin.str()) co_return;
    auto allowed = co_await services.db->read("federation_typing", [&](store::ReadTxn& txn) -> Result<bool> {
        auto acl = acl_allows(txn, *room, origin);
        if (!acl || !*acl) return false;
        auto row = txn.members().get(*user, *room);
        if (!row) return row.error();
        return *row && (*row)->membership == "join";
    });
    if (!allowed || !*allowed) co_return;
    const auto now = services.clock->now_ms();
    if (services.typing->set(*room, *user, typing->get<bool>(), now + kRemoteTypingTimeoutMs))
        services.wake->poke();
}

// m.receipt: read receipts of users of the origin; only those listed change.
Task<void> receipt_edu(const Services& services, const ServerName& origin, const json& content) {
    if (!content.is_object()) co_return;
    for (auto room_it = content.begin(); room_it != content.end(); ++room_it) {
        auto room = RoomId::parse(room_it.key());
        if (!room || !room_it->is_object()) continue;
        auto reads = room_it->find("m.read");
        if (reads == room_it->end() || !reads->is_object()) continue;
        for (auto user_it = reads->begin(); user_it != reads->end(); ++user_it) {
            auto user = UserId::parse(user_it.key());
            if (!user || user->server() != origin.str() || !user_it->is_object()) continue;
            auto ids = user_it->find("event_ids");
            if (ids == user_it->end() || !ids->is_array() || ids->empty() ||
                !ids->front().is_string())
                continue;
            auto event = EventId::parse(ids->front().get<std::string>());
            if (!event) continue;
            std::optional<std::string> thread;
            if (auto data = user_it->find("data"); data != user_it->end() && data->is_object())
                if (auto t = data->find("thread_id"); t != data->end() && t->is_string())
                    thread = t->get<std::string>();
            auto acl = co_await services.db->read("federation_receipt_acl", [&](store::ReadTxn& txn) {
                return acl_allows(txn, *room, origin);
            });
            if (!acl || !*acl) continue;
            auto moved = co_await services.db->run([&] {
                return services.rooms->set_receipt(*user, *room, "m.read", *event, thread);
            });
            if (moved && *moved) services.wake->advanced(store::Stream::receipts, **moved);
        }
    }
}

// m.presence: presence of users of the origin.
void presence_edu(const Services& services, const ServerName& origin, const json& content) {
    auto push = content.find("push");
    if (push == content.end() || !push->is_array()) return;
    bool changed = false;
    for (const auto& entry : *push) {
        if (!entry.is_object()) continue;
        auto user = UserId::parse(entry.value("user_id", ""));
        if (!user || user->server() != origin.str()) continue;
        auto state = presence::parse_state(entry.value("presence", ""));
        if (!state) continue;
        std::optional<std::string> status;
        if (auto s = entry.find("status_msg"); s != entry.end() && s->is_string())
            status = s->get<std::string>();
        changed |= services.presence->set(*user, *state, status, services.clock->now_ms());
    }
    if (changed) services.wake->poke();
}

}  // namespace

Task<Result<Reply>> put_federation_send(Request& request, const ServerName& origin) {
    const auto& services = request.services();
    const std::string key = std::string(origin.str()) + "\n" + std::string(request.path_param("txnId"));
    if (auto done = answered().find(key)) co_return Reply::json(*done);

    auto body = request.json_object();
    if (!body) co_return body.error();
    if (auto o = body->find("origin"); o != body->end() && (!o->is_string() || *o != origin.str()))
        co_return make_error(Errc::forbidden, "The transaction's origin is not the signer");
    auto pdus = body->find("pdus");
    if (pdus == body->end() || !pdus->is_array())
        co_return make_error(Errc::bad_json, "pdus must be an array");
    if (pdus->size() > kMaxPdus) co_return make_error(Errc::bad_json, "More than 50 PDUs");
    auto edus = body->find("edus");
    if (edus != body->end() && (!edus->is_array() || edus->size() > kMaxEdus))
        co_return make_error(Errc::bad_json, "edus must be an array of at most 100");

    json results = json::object();
    for (auto& pdu : *pdus) {
        std::string id = pdu.is_object() ? pdu.value("event_id", "") : "";
        // ACL per PDU (§4 step 3), before any work on it.
        if (pdu.is_object() && pdu.contains("room_id") && pdu["room_id"].is_string()) {
            if (auto room = RoomId::parse(pdu["room_id"].get<std::string>())) {
                auto allowed = co_await services.db->read("federation_send_acl", [&](store::ReadTxn& txn) {
                    return acl_allows(txn, *room, origin);
                });
                if (allowed && !*allowed) {
                    if (!id.empty()) results[id] = {{"error", "Server is banned by the room's ACL"}};
                    continue;
                }
            }
        }
        // The answer is keyed by the event id: computed for v3+, even for a
        // PDU that then fails.
        if (id.empty() && pdu.is_object() && pdu.contains("room_id") && pdu["room_id"].is_string())
            if (auto room = RoomId::parse(pdu["room_id"].get<std::string>()))
                if (auto version = co_await services.pdu_receiver->room_version(*room))
                    if (auto computed = compute_event_id(pdu, **version)) id = *computed;
        auto outcome = co_await services.pdu_receiver->receive(pdu, origin);
        json entry = json::object();
        if (!outcome) {
            entry["error"] = describe(outcome.error());
        } else {
            switch (outcome->status) {
            case ingest::IngestStatus::persisted:
            case ingest::IngestStatus::already_known:
            case ingest::IngestStatus::soft_failed: break;
            case ingest::IngestStatus::rejected: entry["error"] = outcome->reason; break;
            case ingest::IngestStatus::missing_events:
                entry["error"] = "Missing prev or auth events";
                break;
            }
        }
        // The answer is keyed by the event id, computed for v3+.
        if (outcome && !outcome->event_id.empty()) id = outcome->event_id;
        if (!id.empty()) results[id] = std::move(entry);
    }
    if (edus != body->end()) {
        for (const auto& edu : *edus) {
            if (!edu.is_object()) continue;
            const std::string type = edu.value("edu_type", "");
            const auto content = edu.find("content");
            if (content == edu.end() || !content->is_object()) continue;
            if (type == "m.typing")
                co_await typing_edu(services, origin, *content);
            else if (type == "m.receipt")
                co_await receipt_edu(services, origin, *content);
            else if (type == "m.presence" && services.presence)
                presence_edu(services, origin, *content);
            // E2EE EDUs: api/federation/user_keys.cpp
            else if (type == "m.device_list_update" || type == "m.signing_key_update")
                co_await device_list_update_edu(services, origin, *content);
            else if (type == "m.direct_to_device")
                co_await direct_to_device_edu(services, origin, *content);
        }
    }
    json answer = {{"pdus", std::move(results)}};
    answered().put(key, answer);
    co_return Reply::json(answer);
}

}  // namespace chat::daemon
