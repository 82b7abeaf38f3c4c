#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/events.hpp>
#include <chat/store/txn.hpp>

namespace chat::sync {

// Who an event is being served to, and how (the same for every event of one
// response).
struct ClientEventContext {
    std::int64_t now_ts = 0;  // ms since the epoch: `unsigned.age` is now_ts - origin_server_ts
    const UserId* viewer = nullptr;  // the requesting user; null: nobody (no transaction_id)
    std::string_view viewer_device;  // the requesting device
    // False in /sync room sections (ClientEventWithoutRoomID).
    bool include_room_id = true;
    // load_unsigned() adds `unsigned["m.relations"]` (bundled aggregations,
    // sync/aggregations.hpp) to the non-state events it loads.
    bool bundle_aggregations = true;
    // The viewer's ignored users (m.ignored_user_list): their child events
    // are left out of aggregations.
    std::vector<std::string> ignored_senders;
};

// What the store knows about an event beyond its JSON (load_unsigned()).
struct UnsignedExtras {
    // Only when the viewer's device sent the event with a txnId (spec 0.7):
    // clients reconcile their local echo with it.
    std::optional<std::string> transaction_id;
    // State events: the content and sender of the state this one replaced.
    std::optional<nlohmann::json> prev_content;
    std::optional<UserId> prev_sender;
    std::optional<EventId> replaces_state;
    // Redacted events: the redaction, already in client format.
    std::optional<nlohmann::json> redacted_because;
    // Bundled aggregations: `unsigned["m.relations"]`.
    std::optional<nlohmann::json> relations;
};

// Formats a stored event for clients (client-server API, "ClientEvent";
// spec digest 0.10): event_id, type, content, sender, origin_server_ts,
// room_id (unless !include_room_id), state_key for state events, and
// `unsigned` with age and whatever `extras` holds. Federation-only fields
// (auth_events, prev_events, hashes, signatures, depth) are never copied,
// nor is the PDU's own `unsigned`. A redacted event shows its redacted
// content. Pure; the event is trusted (it was stored).
nlohmann::json client_event(const store::StoredEvent& ev, const ClientEventContext& ctx,
                            const UnsignedExtras& extras = {});

// Reads what `unsigned` needs for `ev` in the snapshot `txn`: the txn id
// (only when ctx.viewer and ctx.viewer_device sent it), prev_content and
// replaces_state of a state event (from the state before it),
// redacted_because, and with ctx.bundle_aggregations the bundled
// aggregations. A few indexed lookups per event; blocks on the store.
// Errors: Errc::storage.
Result<UnsignedExtras> load_unsigned(store::ReadTxn& txn, const store::StoredEvent& ev,
                                     const ClientEventContext& ctx);

// load_unsigned() then client_event().
Result<nlohmann::json> load_client_event(store::ReadTxn& txn, const store::StoredEvent& ev,
                                         const ClientEventContext& ctx);

}  // namespace chat::sync
