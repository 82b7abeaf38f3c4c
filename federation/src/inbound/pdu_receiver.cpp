#include <chat/federation/inbound/pdu_receiver.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include <chat/federation/client/federation_client.hpp>
#include <chat/federation/keys/key_ring.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/ingest/pdu_checks.hpp>
#include <chat/store/txn.hpp>

namespace chat::federation {

namespace {

using nlohmann::json;

// How far one received event may pull history in: each level is one
// /get_missing_events round (up to kMissingLimit events). A gap deeper than
// this is left for a later event or backfill.
constexpr int kMaxFetchDepth = 3;
constexpr int kMissingLimit = 20;

}  // namespace

PduReceiver::PduReceiver(DbExecutor& db, ingest::EventIngest& ingest, KeyRing& keys,
                         FederationClient& client)
    : db_(db), ingest_(ingest), keys_(keys), client_(client) {}

Task<Result<PduPtr>> PduReceiver::verify(json event, const RoomVersion& version) {
    auto parsed = Pdu::from_json(std::move(event), version);
    if (!parsed) co_return parsed.error();
    auto pdu = std::make_shared<const Pdu>(std::move(*parsed));
    // Versions before 5 ignore key validity (events-and-rooms §6.5).
    const std::int64_t needed_at = version.enforce_key_validity ? pdu->origin_server_ts() : 0;
    std::map<std::pair<std::string, std::string>, crypto::VerifyKey> found;
    std::optional<Error> unreachable;
    for (const auto& [server, key_ids] : ingest::signing_keys_needed(*pdu)) {
        for (const auto& key_id : key_ids) {
            auto key = co_await keys_.verify_key(server, key_id, needed_at);
            if (key) {
                found.insert_or_assign({std::string(server.str()), key_id}, std::move(*key));
                break;
            }
            if (key.error().code == Errc::remote_unavailable) unreachable = key.error();
        }
    }
    ingest::KeyLookup lookup = [&](const ServerName& server,
                                   std::string_view key_id) -> std::optional<crypto::VerifyKey> {
        auto it = found.find({std::string(server.str()), std::string(key_id)});
        if (it == found.end()) return std::nullopt;
        return it->second;
    };
    if (auto signed_ok = ingest::check_signatures(*pdu, lookup); !signed_ok) {
        // No key because nobody answered is "try later", not a forgery.
        if (unreachable) co_return *unreachable;
        co_return signed_ok.error();
    }
    co_return ingest::with_checked_hash(pdu);
}

Task<std::vector<PduPtr>> PduReceiver::verify_all(const json& events, const RoomVersion& version) {
    std::vector<PduPtr> out;
    if (!events.is_array()) co_return out;
    for (const auto& event : events) {
        auto pdu = co_await verify(event, version);
        if (pdu) out.push_back(std::move(*pdu));
    }
    co_return out;
}

Task<Result<const RoomVersion*>> PduReceiver::room_version(const RoomId& room_id) {
    co_return co_await db_.read("federation_room_version",
                                [&](store::ReadTxn& txn) -> Result<const RoomVersion*> {
                                    auto room = txn.rooms().get(room_id);
                                    if (!room) return room.error();
                                    if (!*room) return make_error(Errc::not_found, "Unknown room");
                                    const RoomVersion* v = RoomVersion::find((*room)->room_version);
                                    if (!v) return make_error(Errc::internal, "Unknown room version");
                                    return v;
                                });
}

Task<Result<PduPtr>> PduReceiver::verify_in_room(json event) {
    auto room_field = event.find("room_id");
    if (!event.is_object() || room_field == event.end() || !room_field->is_string())
        co_return make_error(Errc::bad_json, "PDU without room_id");
    auto room_id = RoomId::parse(room_field->get_ref<const std::string&>());
    if (!room_id) co_return make_error(Errc::bad_json, "PDU with an invalid room_id");
    auto version = co_await room_version(*room_id);
    if (!version) co_return version.error();
    co_return co_await verify(std::move(event), **version);
}

Task<Result<ingest::IngestResult>> PduReceiver::receive(json event, const ServerName& origin) {
    auto pdu = co_await verify_in_room(std::move(event));
    if (!pdu) co_return pdu.error();
    co_return co_await accept_fetching(std::move(*pdu), origin, 0);
}

Task<std::vector<Result<ingest::IngestResult>>> PduReceiver::receive_all(std::vector<json> events,
                                                                         const ServerName& origin) {
    std::vector<Result<ingest::IngestResult>> results;
    results.reserve(events.size());
    std::vector<PduPtr> verified;
    std::vector<std::size_t> slot;  // verified[k] answers results[slot[k]]
    for (auto& event : events) {
        auto pdu = co_await verify_in_room(std::move(event));
        if (pdu) {
            slot.push_back(results.size());
            verified.push_back(std::move(*pdu));
            results.push_back(make_error(Errc::internal, "not accepted"));
        } else {
            results.push_back(pdu.error());
        }
    }
    if (verified.empty()) co_return results;
    // One write transaction, one commit, for all of them.
    auto accepted = co_await db_.run([&] { return ingest_.accept_many(verified); });
    for (std::size_t k = 0; k < verified.size(); ++k) {
        Result<ingest::IngestResult>& r = accepted[k];
        // What the batch lacked is fetched from the origin, one event at a
        // time, as receive() does.
        if (r && r->status == ingest::IngestStatus::missing_events)
            r = co_await accept_fetching(verified[k], origin, 0);
        results[slot[k]] = std::move(r);
    }
    co_return results;
}

Task<Result<ingest::IngestResult>> PduReceiver::accept_fetching(PduPtr pdu,
                                                               const ServerName& origin,
                                                               int depth) {
    auto result = co_await db_.run([&] { return ingest_.accept(pdu); });
    if (!result || result->status != ingest::IngestStatus::missing_events ||
        depth >= kMaxFetchDepth)
        co_return result;
    if (auto fetched = co_await fetch_missing(*pdu, result->missing, origin, depth); !fetched)
        co_return fetched.error();
    co_return co_await db_.run([&] { return ingest_.accept(pdu); });
}

Task<Result<void>> PduReceiver::fetch_missing(const Pdu& pdu, const std::vector<EventId>& missing,
                                              const ServerName& origin, int depth) {
    const std::string room = percent_encode(pdu.room_id().str());
    const auto& auth = pdu.auth_events();
    const bool needs_auth = std::any_of(missing.begin(), missing.end(), [&](const EventId& id) {
        return std::find(auth.begin(), auth.end(), id) != auth.end();
    });
    if (needs_auth) {
        auto chain = co_await client_.get(origin, "/_matrix/federation/v1/event_auth/" + room +
                                                      "/" + percent_encode(pdu.event_id().str()));
        if (!chain) co_return chain.error();
        auto events = co_await verify_all(chain->value("auth_chain", json::array()), pdu.version());
        auto stored = co_await db_.run([&] { return ingest_.accept_outliers(events); });
        if (!stored) co_return stored.error();
    }
    const bool needs_prev = std::any_of(missing.begin(), missing.end(), [&](const EventId& id) {
        return std::find(auth.begin(), auth.end(), id) == auth.end();
    });
    if (!needs_prev) co_return ok();

    auto extremities = co_await db_.read("federation_extremities", [&](store::ReadTxn& txn) {
        return txn.extremities().get(pdu.room_id());
    });
    if (!extremities) co_return extremities.error();
    json earliest = json::array();
    for (const auto& id : *extremities) earliest.push_back(std::string(id.str()));
    json body = {{"earliest_events", std::move(earliest)},
                 {"latest_events", json::array({std::string(pdu.event_id().str())})},
                 {"limit", kMissingLimit},
                 {"min_depth", 0}};
    auto answer = co_await client_.post(
        origin, "/_matrix/federation/v1/get_missing_events/" + room, std::move(body));
    if (!answer) co_return answer.error();
    auto events = co_await verify_all(answer->value("events", json::array()), pdu.version());
    std::sort(events.begin(), events.end(),
              [](const PduPtr& a, const PduPtr& b) { return a->depth() < b->depth(); });
    for (auto& event : events) {
        if (event->room_id() != pdu.room_id()) continue;
        // A failure of one older event leaves the gap for the retry to report.
        (void)co_await accept_fetching(event, origin, depth + 1);
    }
    co_return ok();
}

}  // namespace chat::federation
