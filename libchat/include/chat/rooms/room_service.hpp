#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>
#include <chat/store/store.hpp>
#include <chat/sync/notifier.hpp>

namespace chat::rooms {

// The room presets of createRoom (client-server API), which choose the
// join rule, history visibility and guest access of a new room.
enum class Preset { private_chat, trusted_private_chat, public_chat };

struct CreateRoomOptions {
    UserId creator;
    Preset preset = Preset::private_chat;
    const RoomVersion* version = nullptr;  // null: RoomVersion::default_version()
    std::optional<std::string> name;
    std::optional<std::string> topic;
    std::vector<UserId> invite;
    bool is_direct = false;
    // Extra state events: each {"type", "state_key" (default ""), "content"}.
    std::vector<nlohmann::json> initial_state;
    // Merged over the default power levels content.
    nlohmann::json power_level_content_override = nlohmann::json::object();
    // Merged into the create event's content (room_version and creator are ours).
    nlohmann::json creation_content = nlohmann::json::object();
};

// An event as persisted: the PDU and its position on the events stream.
struct SentEvent {
    PduPtr event;
    store::Position stream_position = 0;
};

struct CreatedRoom {
    RoomId room_id;
    std::vector<SentEvent> events;  // create, join, power levels, ... in order
};

// Identifies a client's send for idempotency: a retry with the same key
// returns the first event (PUT .../send/{type}/{txnId}).
struct TxnKey {
    std::string device_id;
    std::string txn_id;
};

// What an embedding program calls to act in rooms on this server: it builds
// each event (prev_events from the forward extremities, auth_events from the
// current state, depth, content hash, our signature), authorizes it against
// the current state with the room version's rules, persists it with its
// state group, extremities and current state in one write transaction, tells
// the notifier, and returns it with its stream position.
//
// Thread-safe; every call blocks on the store (run it off network threads).
// Errors: forbidden (the auth rules refused; the message names the rule),
// not_found (unknown room or event), bad_json/invalid_param (bad input),
// storage.
class RoomService {
public:
    RoomService(store::Store& store, ServerName server_name, crypto::SigningKey signing_key,
                sync::Notifier& notifier, const Clock& clock);

    Result<CreatedRoom> create_room(const CreateRoomOptions& options);

    // A message-like (non-state) event.
    Result<SentEvent> send_message(const UserId& sender, const RoomId& room_id, std::string type,
                                   nlohmann::json content, const std::optional<TxnKey>& txn = {});
    // send_message() without waiting for the store (Store::write_async):
    // `done` gets what send_message() would have returned, once the event is
    // durable, on the thread that ran its batch, which may be this one before
    // this returns (with AsyncLead::now; `later` only queues it). `done` must
    // not call the blocking methods of this class, but may send again.
    void send_message_async(const UserId& sender, const RoomId& room_id, std::string type,
                            nlohmann::json content, std::optional<TxnKey> txn,
                            std::function<void(Result<SentEvent>)> done,
                            store::AsyncLead lead = store::AsyncLead::now);
    Result<SentEvent> send_state(const UserId& sender, const RoomId& room_id, std::string type,
                                 std::string state_key, nlohmann::json content);

    Result<SentEvent> invite(const UserId& sender, const RoomId& room_id, const UserId& target,
                             std::optional<std::string> reason = {});
    Result<SentEvent> join(const UserId& user, const RoomId& room_id);
    Result<SentEvent> leave(const UserId& user, const RoomId& room_id,
                            std::optional<std::string> reason = {});
    Result<SentEvent> kick(const UserId& sender, const RoomId& room_id, const UserId& target,
                           std::optional<std::string> reason = {});
    Result<SentEvent> ban(const UserId& sender, const RoomId& room_id, const UserId& target,
                          std::optional<std::string> reason = {});
    Result<SentEvent> unban(const UserId& sender, const RoomId& room_id, const UserId& target);
    Result<SentEvent> knock(const UserId& user, const RoomId& room_id,
                            std::optional<std::string> reason = {});

    // Sends an m.room.redaction and applies it to the target when the rules
    // of §7.3 allow (the sender's power reaches the redact level, or the
    // sender's server sent the target); otherwise the redaction stays
    // pending, as the spec asks.
    Result<SentEvent> redact(const UserId& sender, const RoomId& room_id, const EventId& target,
                             std::optional<std::string> reason = {},
                             const std::optional<TxnKey>& txn = {});

    // Moves `user`'s receipt of `type` ("m.read" or "m.read.private") in the
    // room (and thread) to `event_id`. Receipts only move forward: one for an
    // event not after the current one changes nothing and returns nullopt.
    // Otherwise returns the new position on the receipts stream. Errors:
    // invalid_param (type), not_found (event not in the room), forbidden
    // (the user is not joined).
    Result<std::optional<store::Position>> set_receipt(
        const UserId& user, const RoomId& room_id, std::string type, const EventId& event_id,
        std::optional<std::string> thread_id = {});

    // Sets global (no room) or per-room account data of `type`; returns its
    // position on the account_data stream. Errors: bad_json (not an object).
    Result<store::Position> set_account_data(const UserId& user,
                                             const std::optional<RoomId>& room_id,
                                             std::string type, nlohmann::json content);

    // Sends a new m.room.member join event for `user` in `room_id` carrying their current
    // displayname and avatar_url from the users table (other content of their current member
    // event kept, but not join_authorised_via_users_server), as the spec asks after a profile
    // change. Returns nullopt, sending nothing, when the user is not joined or the member event
    // already shows the current profile. Errors: as join().
    Result<std::optional<SentEvent>> update_member_profile(const UserId& user,
                                                           const RoomId& room_id);

    const ServerName& server_name() const noexcept { return server_name_; }

private:
    // Fills in the displayname and avatar_url of a local target's profile (users table) in
    // the content of an m.room.member join, invite or knock that does not carry them, so that
    // clients show names without a profile lookup. Keys already present are kept (a per-room
    // name); unset profile fields are left out. Other events pass unchanged.
    // In member_profile.cpp.
    Result<void> add_member_profile(store::ReadTxn& txn, std::string_view type,
                                    const std::optional<std::string>& state_key,
                                    nlohmann::json& content) const;

    struct Draft;
    class ContextCache;
    Result<SentEvent> append(store::WriteTxn& txn, const Draft& draft);
    struct Sealed;
    Result<Sealed> seal(nlohmann::json ev, const RoomVersion& version,
                        std::optional<Pdu::Parts> parts = std::nullopt) const;
    Result<SentEvent> append_create(store::WriteTxn& txn, const CreateRoomOptions& options,
                                    const RoomVersion& version);
    // One event's write: the txn id's first event if it has one (`fresh`
    // false), else append() and what follows it (the txn id, a redaction).
    Result<SentEvent> write_event(store::WriteTxn& txn, const Draft& draft,
                                  const std::optional<TxnKey>& txn_key, bool& fresh);
    Result<SentEvent> write_one(std::string_view name, const Draft& draft,
                                const std::optional<TxnKey>& txn_key = {});
    Result<SentEvent> membership(const UserId& sender, const RoomId& room_id,
                                 const UserId& target, std::string_view membership,
                                 std::optional<std::string> reason);
    Result<void> apply_redaction(store::WriteTxn& txn, const Pdu& redaction);

    store::Store& store_;
    ServerName server_name_;
    crypto::SigningKey signing_key_;
    sync::Notifier& notifier_;
    const Clock& clock_;
    std::shared_ptr<ContextCache> contexts_;  // what append() keeps per room; see the .cpp
};

}  // namespace chat::rooms
