#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/room_version.hpp>
#include <chat/json/parse.hpp>

namespace chat {

// Hashes, ids and signatures of events in federation (PDU) format (spec:
// events-and-rooms.md §6.3-§6.5). `event` is a JSON object and may be untrusted: nothing
// here throws. Hashes are raw 32-byte SHA-256 digests; ids and JSON fields carry them as
// unpadded base64.
//
// Canonical JSON follows the room version (§4 rule 8): strict from v6, where an event with
// a float or an integer beyond +/-(2^53-1) has no hash (Errc::bad_json); lenient in v1-v5,
// where such numbers are written as parsed.
//
// In v3+ an event has no `event_id` field on the wire. Callers may keep the computed id in
// the object for convenience: every function here drops a top-level `event_id` before
// hashing or signing a v3+ event. In v1-v2 `event_id` is part of the event and is covered.

// The canonical JSON mode that `version` requires.
json::Numbers canonical_numbers(const RoomVersion& version) noexcept;

// The bytes the content hash covers (§6.3): canonical JSON of the event without
// `unsigned`, `signatures` and `hashes` (and, in v3+, `event_id`). Errors: bad_json.
Result<std::string> content_hash_preimage(const nlohmann::json& event, const RoomVersion& version);
// SHA-256 of content_hash_preimage: what `hashes.sha256` carries. Errors: bad_json.
Result<std::string> content_hash(const nlohmann::json& event, const RoomVersion& version);

// The bytes the reference hash covers (§6.3): canonical JSON of the event redacted by the
// version's rules (§7), without `signatures` and `unsigned` (and, in v3+, `event_id`).
// Exactly the bytes the origin server signed. Errors: bad_json.
Result<std::string> reference_hash_preimage(const nlohmann::json& event,
                                            const RoomVersion& version);
// SHA-256 of reference_hash_preimage. Errors: bad_json.
Result<std::string> reference_hash(const nlohmann::json& event, const RoomVersion& version);

// The event's id (§2.5, §6.3): v1-v2 its own `event_id` field (bad_json when absent or not a
// string; the id's grammar is the caller's to check); v3 "$" + standard base64 of the
// reference hash; v4+ "$" + URL-safe base64 of it.
Result<std::string> compute_event_id(const nlohmann::json& event, const RoomVersion& version);

// The room id a v12 room gets from its m.room.create event (§2.4): "!" + URL-safe base64
// of the create event's reference hash. Errors: invalid_param when `version` does not
// derive room ids from the create event, or `create_event` is not an m.room.create;
// bad_json when it cannot be hashed.
Result<std::string> room_id_from_create_event(const nlohmann::json& create_event,
                                              const RoomVersion& version);

// Sets event.hashes.sha256 to the content hash (§6.4 step 2), keeping other `hashes`
// entries. Errors: bad_json (then `event` is unchanged).
Result<void> add_content_hash(nlohmann::json& event, const RoomVersion& version);

// Signs an outgoing event as `server_name` (§6.4 steps 2-5): sets the content hash, signs
// the redacted copy, and puts the resulting `signatures` (older ones kept) on the full
// event. `unsigned` is left alone. Compute the v3+ event id afterwards with
// compute_event_id, or pass `event_id`: for v3+ it is set to what compute_event_id would
// give (the signed bytes are the reference hash's preimage, §6.1), for v1-v2 to the
// event's own `event_id`. Errors: bad_json (then `event` is unchanged).
Result<void> sign_event(nlohmann::json& event, std::string_view server_name,
                        const crypto::SigningKey& key, const RoomVersion& version,
                        std::string* event_id = nullptr);

// Checks `entity`'s signature with `key` on a received event (§6.5 step 1): redacts a
// copy by the version's rules and verifies that, so it works for full and for already
// redacted events. Errors: forbidden (missing, undecodable or wrong signature), bad_json
// (v6+ event without canonical form). Which entities must sign, and which keys are
// valid at origin_server_ts, is the caller's part (§6.5 steps 2-4).
Result<void> verify_event_signature(const nlohmann::json& event, std::string_view entity,
                                    const crypto::VerifyKey& key, const RoomVersion& version);

// True when `hashes.sha256` is present and equals the event's content hash (§6.5 step 5).
// False means the event was altered or sent redacted: keep and use redact(event, version)
// instead; the event is not rejected for it.
bool check_content_hash(const nlohmann::json& event, const RoomVersion& version);

}  // namespace chat
