#include "api/federation/transactions.hpp"

#include <algorithm>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/events/event_hashes.hpp>
#include <chat/federation/inbound/pdu_receiver.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/ingest/event_ingest.hpp>
#include <chat/presence/presence.hpp>
#include <chat/receipts/delivery.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/txn.hpp>

#include "api/federation/room_access.hpp"
#include "api/federation/user_keys.hpp"
#include "config/config.hpp"
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

// At most this many event ids of one user's receipt are taken (an
// inferred delivery receipt names one event per sender of the server).
constexpr std::size_t kMaxReceiptEvents = 20;

struct RemoteReceipt {
    UserId user;
    std::vector<EventId> events;
    nlohmann::json data;  // object
};

// The receipts of one type in one room, of users of the origin only.
std::vector<RemoteReceipt> remote_receipts(const json& by_user, const ServerName& origin) {
    std::vector<RemoteReceipt> out;
    if (!by_user.is_object()) return out;
    for (auto user_it = by_user.begin(); user_it != by_user.end(); ++user_it) {
        auto user = UserId::parse(user_it.key());
        if (!user || user->server() != origin.str() || !user_it->is_object()) continue;
        auto ids = user_it->find("event_ids");
        if (ids == user_it->end() || !ids->is_array()) continue;
        RemoteReceipt receipt{.user = std::move(*user), .events = {}, .data = json::object()};
        for (const auto& id : *ids) {
            if (receipt.events.size() == kMaxReceiptEvents) break;
            if (!id.is_string()) continue;
            if (auto event = EventId::parse(id.get<std::string>())) receipt.events.push_back(*event);
        }
        if (receipt.events.empty()) continue;
        if (auto data = user_it->find("data"); data != user_it->end() && data->is_object())
            receipt.data = *data;
        out.push_back(std::move(receipt));
    }
    return out;
}

// m.receipt: receipts of users of the origin; only those listed change.
// Public read receipts (m.read) and MSC4089 delivery receipts are taken;
// any other type is ignored, m.read.private above all: it is its owner's
// alone and no server may set it for them.
Task<void> receipt_edu(const Services& services, const ServerName& origin, const json& content) {
    if (!content.is_object()) co_return;
    const receipts::DeliveryPolicy policy{.explicit_receipts = services.config->delivery_explicit,
                                          .inferred = services.config->delivery_inferred,
                                          .public_rooms = services.config->delivery_public_rooms};
    for (auto room_it = content.begin(); room_it != content.end(); ++room_it) {
        auto room = RoomId::parse(room_it.key());
        if (!room || !room_it->is_object()) continue;
        auto acl = co_await services.db->read("federation_receipt_acl", [&](store::ReadTxn& txn) {
            return acl_allows(txn, *room, origin);
        });
        if (!acl || !*acl) continue;
        if (auto reads = room_it->find("m.read"); reads != room_it->end()) {
            for (const auto& receipt : remote_receipts(*reads, origin)) {
                std::optional<std::string> thread;
                if (auto t = receipt.data.find("thread_id"); t != receipt.data.end() && t->is_string())
                    thread = t->get<std::string>();
                auto moved = co_await services.db->run([&] {
                    return services.rooms->set_receipt(receipt.user, *room, "m.read",
                                                       receipt.events.front(), thread);
                });
                if (moved && *moved) services.wake->advanced(store::Stream::receipts, **moved);
            }
        }
        auto deliveries = room_it->find(std::string(receipts::kDeliveryType));
        if (deliveries == room_it->end()) continue;
        const auto now = services.clock->now_ms();
        for (const auto& receipt : remote_receipts(*deliveries, origin)) {
            // The remote server's time, unless it lies in our future.
            std::int64_t ts = now;
            if (auto t = receipt.data.find("ts"); t != receipt.data.end() && t->is_number_integer())
                ts = std::min(now, t->get<std::int64_t>());
            // An inferred one is kept as a receipt of the event it names, if
            // this server infers delivery itself.
            auto taken = policy;
            if (auto inferred = receipt.data.find("inferred");
                inferred != receipt.data.end() && inferred->is_boolean() && inferred->get<bool>())
                taken.explicit_receipts = policy.inferred;
            for (const auto& event : receipt.events) {
                // Refusals (not joined, unknown event) only drop this receipt.
                auto moved = co_await services.db->write("federation_delivery", [&](store::WriteTxn& txn) {
                    return receipts::record_delivery_receipt(txn, receipt.user, *room, event, ts, taken);
                });
                if (moved && *moved) services.wake->advanced(store::Stream::receipts, **moved);
            }
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
    std::vector<json> to_receive;  // the PDUs the ACL let through, in order
    std::vector<std::string> ids;  // their event ids where known yet
    // A transaction's PDUs are mostly of one room: its version and ACL
    // verdict are read once.
    std::map<std::string, const RoomVersion*> versions;
    std::map<std::string, bool> allowed_in;
    for (auto& pdu : *pdus) {
        std::string id = pdu.is_object() ? pdu.value("event_id", "") : "";
        std::optional<RoomId> room;
        if (pdu.is_object() && pdu.contains("room_id") && pdu["room_id"].is_string())
            if (auto parsed = RoomId::parse(pdu["room_id"].get<std::string>()))
                room = std::move(*parsed);
        // The answer is keyed by the event id: computed for v3+, even for a
        // PDU that then fails (the ACL's refusal too).
        const std::string room_key = room ? std::string(room->str()) : std::string();
        if (id.empty() && room) {
            if (!versions.contains(room_key)) {
                auto version = co_await services.pdu_receiver->room_version(*room);
                versions[room_key] = version ? *version : nullptr;
            }
            if (const RoomVersion* version = versions[room_key])
                if (auto computed = compute_event_id(pdu, *version)) id = *computed;
        }
        // ACL per PDU (§4 step 3), before any work on it.
        if (room) {
            if (!allowed_in.contains(room_key)) {
                auto allowed = co_await services.db->read("federation_send_acl", [&](store::ReadTxn& txn) {
                    return acl_allows(txn, *room, origin);
                });
                allowed_in[room_key] = !allowed || *allowed;  // a failed read is not a refusal, as before
            }
            if (!allowed_in[room_key]) {
                if (!id.empty()) results[id] = {{"error", "Server is banned by the room's ACL"}};
                continue;
            }
        }
        ids.push_back(std::move(id));
        to_receive.push_back(std::move(pdu));
    }
    // Every PDU that passed the ACL goes into one write transaction.
    auto outcomes = co_await services.pdu_receiver->receive_all(std::move(to_receive), origin);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const auto& outcome = outcomes[i];
        std::string id = std::move(ids[i]);
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
