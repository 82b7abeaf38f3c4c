#pragma once

// Builds real, signed PDUs for tests: the same hashing, signing and format
// checks as production (Pdu::from_json), with a fixed test signing key per
// server name and explicit timestamps so that results are reproducible.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/crypto/signing_key.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/pdu.hpp>

namespace chat::test {

// A deterministic key for `server`: the seed is derived from the name.
inline const crypto::SigningKey& test_key(const std::string& server) {
    static std::map<std::string, crypto::SigningKey> keys;
    auto it = keys.find(server);
    if (it == keys.end()) {
        std::string seed(32, '\0');
        for (std::size_t i = 0; i < server.size(); ++i) seed[i % 32] ^= server[i];
        it = keys.emplace(server, crypto::SigningKey::from_seed("test", seed).value()).first;
    }
    return it->second;
}

struct EventSpec {
    std::string type;
    std::string sender;
    std::optional<std::string> state_key;
    nlohmann::json content = nlohmann::json::object();
    std::vector<PduPtr> prev_events;
    std::vector<PduPtr> auth_events;
    std::optional<std::string> room_id;  // default: the room of the first prev/auth event
    std::int64_t origin_server_ts = 0;
    std::optional<std::int64_t> depth;   // default: max(prev depth) + 1, or 1
    nlohmann::json extra = nlohmann::json::object();  // more top-level keys (e.g. v1-v10 redacts)
};

// Builds, hashes, signs (by the sender's server) and parses the event.
// Throws on failure: a broken fixture is a bug in the test.
inline PduPtr build_event(const RoomVersion& version, const EventSpec& spec) {
    nlohmann::json ev = nlohmann::json::object();
    ev["type"] = spec.type;
    ev["sender"] = spec.sender;
    if (spec.state_key) ev["state_key"] = *spec.state_key;
    ev["content"] = spec.content;
    ev["origin_server_ts"] = spec.origin_server_ts;
    std::int64_t depth = 1;
    for (const auto& p : spec.prev_events) depth = std::max(depth, p->depth() + 1);
    ev["depth"] = spec.depth.value_or(depth);
    auto refs = [&](const std::vector<PduPtr>& events) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : events) {
            if (version.pdu_format == PduFormat::v1) {
                list.push_back({std::string(e->event_id().str()),
                                {{"sha256", e->json()["hashes"]["sha256"]}}});
            } else {
                list.push_back(std::string(e->event_id().str()));
            }
        }
        return list;
    };
    ev["prev_events"] = refs(spec.prev_events);
    ev["auth_events"] = refs(spec.auth_events);
    const bool v12_create = version.room_id_is_create_event_hash && spec.type == "m.room.create";
    if (spec.room_id) {
        ev["room_id"] = *spec.room_id;
    } else if (!v12_create) {
        const PduPtr& any = !spec.prev_events.empty() ? spec.prev_events.front()
                                                      : spec.auth_events.front();
        ev["room_id"] = std::string(any->room_id().str());
    }
    const auto server = spec.sender.substr(spec.sender.find(':') + 1);
    if (version.event_id_in_pdu()) {
        static int counter = 0;
        ev["event_id"] = "$e" + std::to_string(++counter) + ":" + server;
    }
    for (auto it = spec.extra.begin(); it != spec.extra.end(); ++it) ev[it.key()] = it.value();
    ev["hashes"] = nlohmann::json::object();
    ev["signatures"] = nlohmann::json::object();
    if (!sign_event(ev, server, test_key(server), version))
        throw std::runtime_error("build_event: signing failed");
    auto pdu = Pdu::from_json(std::move(ev), version);
    if (!pdu) throw std::runtime_error("build_event: " + pdu.error().message);
    return std::make_shared<const Pdu>(std::move(*pdu));
}

}  // namespace chat::test
