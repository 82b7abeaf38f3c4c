#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/txn.hpp>

namespace chat::receipts {

// MSC4089's receipt type before the proposal is merged (DESIGN "Delivered
// receipts"); /versions advertises kDeliveryFeature in unstable_features.
inline constexpr std::string_view kDeliveryType = "org.matrix.msc4089.delivery";
inline constexpr std::string_view kDeliveryFeature = "org.matrix.msc4089";

// What the operator allows (configuration `receipts.delivery`).
struct DeliveryPolicy {
    bool explicit_receipts = true;  // clients' own receipts are routed
    bool inferred = true;           // the server infers delivery from /sync
    // Public rooms (join rule "public") leak who is online to anyone who can
    // join, so the proposal suggests leaving them out by default.
    bool public_rooms = false;
};

// Records `user`'s explicit delivery receipt for `event_id`. Returns the new
// position on the receipts stream, or none when nothing is routed: a
// duplicate, the user's own event, an event from before they joined, a
// room the policy leaves out. Those are not errors: the proposal asks
// servers to accept duplicates so that clients do not retry forever.
// Errors: forbidden (not joined), not_found (no such event in the room).
Result<std::optional<store::Position>> record_delivery_receipt(store::WriteTxn& txn,
                                                               const UserId& user,
                                                               const RoomId& room_id,
                                                               const EventId& event_id,
                                                               std::int64_t now_ts,
                                                               const DeliveryPolicy& policy);

// A device of `user` has received every event up to `synced_to` (its sync
// carried a `since` token there). Moves the user's inferred delivery
// position in every joined room with new events from others, and tells each
// sender of those events, marked inferred. Returns the last receipts stream
// position taken, or none when nothing moved. When `moves` is given, each
// move is appended to it (the daemon tells remote senders' servers).
Result<std::optional<store::Position>> infer_delivery(
    store::WriteTxn& txn, const UserId& user, store::Position synced_to, std::int64_t now_ts,
    const DeliveryPolicy& policy, std::vector<store::InferredDeliveryRow>* moves = nullptr);

}  // namespace chat::receipts
