#include <chat/rooms/event_builder.hpp>

#include <algorithm>
#include <vector>

#include <chat/auth/auth_rules.hpp>
#include <chat/crypto/random.hpp>
#include <chat/events/event_hashes.hpp>

namespace chat::rooms {

namespace {

using nlohmann::json;

constexpr std::size_t kEventIdRandomChars = 18;

json reference(const RoomVersion& version, const store::StoredEvent& event) {
    if (version.pdu_format != PduFormat::v1) return std::string(event.event_id.str());
    json hashes = json::object();
    if (auto it = event.json.find("hashes"); it != event.json.end() && it->is_object())
        hashes = *it;
    return json::array({std::string(event.event_id.str()), hashes});
}

}  // namespace

Result<EventTemplate> build_template(store::ReadTxn& txn, const TemplateFields& fields,
                                     const ServerName& origin, std::int64_t now_ms) {
    auto room = txn.rooms().get(fields.room_id);
    if (!room) return room.error();
    if (!*room) return make_error(Errc::not_found, "Unknown room.");
    const RoomVersion* version = RoomVersion::find((*room)->room_version);
    if (!version) return make_error(Errc::internal, "Stored room has an unknown version.");

    auto extremities = txn.extremities().get(fields.room_id);
    if (!extremities) return extremities.error();
    if (extremities->empty()) return make_error(Errc::not_found, "We are not in this room.");
    if (extremities->size() > kMaxPrevEvents)
        extremities->erase(extremities->begin() + kMaxPrevEvents, extremities->end());
    auto prevs = txn.events().get_many(*extremities);
    if (!prevs) return prevs.error();
    json prev_refs = json::array();
    std::int64_t depth = 0;
    for (const auto& p : *prevs) {
        prev_refs.push_back(reference(*version, p));
        depth = std::max(depth, p.depth);
    }

    auto keys = auth::auth_event_keys(*version, fields.type, fields.sender, fields.state_key,
                                      fields.content);
    std::vector<StateKey> wanted = keys;
    if (version->room_id_is_create_event_hash)
        wanted.push_back(chat::state_key("m.room.create", ""));
    std::vector<EventId> ids;
    for (const auto& key : wanted) {
        auto id = txn.current_state().entry(fields.room_id, key.type, key.state_key);
        if (!id) return id.error();
        if (*id) ids.push_back(**id);
    }
    auto auth_rows = txn.events().get_many(ids);
    if (!auth_rows) return auth_rows.error();
    auth::AuthState state;
    json auth_refs = json::array();
    for (const auto& row : *auth_rows) {
        auto pdu = row.to_pdu();
        if (!pdu) return pdu.error();
        state.put(*pdu);
        const auto key = chat::state_key(row.type, row.state_key.value_or(""));
        if (std::find(keys.begin(), keys.end(), key) != keys.end())
            auth_refs.push_back(reference(*version, row));
    }

    json event = {
        {"room_id", std::string(fields.room_id.str())},
        {"sender", std::string(fields.sender.str())},
        {"type", fields.type},
        {"content", fields.content},
        {"origin", std::string(origin.str())},
        {"origin_server_ts", now_ms},
        {"depth", std::min(depth + 1, version->max_depth)},
        {"prev_events", std::move(prev_refs)},
        {"auth_events", std::move(auth_refs)},
    };
    if (fields.state_key) event["state_key"] = *fields.state_key;

    // Would the event pass? Check a copy completed with a throwaway key:
    // the rules read no signatures except for restricted joins, which a
    // template never carries yet.
    auto probe_key = crypto::SigningKey::generate("probe");
    auto probe = sign_template(event, *version, origin, probe_key);
    if (!probe) return probe.error();
    if (auto allowed = auth::check(**probe, state); !allowed) return allowed.error();
    return EventTemplate{.version = version, .event = std::move(event)};
}

Result<PduPtr> sign_template(json event, const RoomVersion& version, const ServerName& server,
                             const crypto::SigningKey& key) {
    if (version.event_id_in_pdu() && !event.contains("event_id"))
        event["event_id"] = "$" + crypto::random_alphanumeric(kEventIdRandomChars) + ":" +
                            std::string(server.str());
    event.erase("hashes");
    if (!event.contains("signatures")) event["signatures"] = json::object();
    if (auto s = sign_event(event, server.str(), key, version); !s) return s.error();
    auto parsed = Pdu::from_json(std::move(event), version);
    if (!parsed) return parsed.error();
    return PduPtr(std::make_shared<const Pdu>(std::move(*parsed)));
}

}  // namespace chat::rooms
