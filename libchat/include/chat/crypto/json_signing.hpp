#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/json/parse.hpp>

namespace chat::crypto {

// Signing and verifying JSON objects (spec: events-and-rooms.md §6.1, §6.2; Matrix appendix
// "Signing JSON"). Used for server keys, federation requests and, through
// chat/events/event_hashes.hpp, events.
//
// `numbers` picks the canonical JSON encoder: json::Numbers::strict (the default, and the
// only choice outside events) refuses floats and integers beyond +/-(2^53-1) with
// Errc::bad_json; json::Numbers::lenient writes them as parsed, which events of room
// versions 1-5 need (§4 rule 8). None of these functions throw, whatever the input.

// The bytes that get signed: canonical JSON of `object` without its top-level
// `signatures` and `unsigned`. Errors: bad_json when `object` is not a JSON object or
// (strict mode) has no canonical form.
Result<std::string> signing_bytes(const nlohmann::json& object,
                                  json::Numbers numbers = json::Numbers::strict);

// Signs `object` with `key` as `entity` (a server name, or a user id for user keys): sets
// signatures[entity][key.key_id()] to the unpadded base64 signature. Keeps every other
// signature and `unsigned` as they were; replaces an older signature by the same key.
// Errors: bad_json when `object` is not an object, has no canonical form, or has a
// `signatures` (or signatures[entity]) that is not an object; `object` is then unchanged.
// With `signed_bytes`, the canonical bytes that were signed are moved there (an event's
// reference hash is the SHA-256 of exactly these, so the signer need not make them twice).
Result<void> sign_json(nlohmann::json& object, std::string_view entity, const SigningKey& key,
                       json::Numbers numbers = json::Numbers::strict,
                       std::string* signed_bytes = nullptr);

// Checks the signature of `entity` made with `key` (by key.key_id()) on `object`, an
// untrusted object. Errors: forbidden when `object` is not an object, or the signature is
// missing, not a string, not valid base64, or does not verify; bad_json when the signed
// part has no canonical form in strict mode. Finding the key, and deciding which entities
// must have signed, is the caller's part (§6.2 steps 2-3, §6.5).
Result<void> verify_json(const nlohmann::json& object, std::string_view entity,
                         const VerifyKey& key, json::Numbers numbers = json::Numbers::strict);

// The ids of the Ed25519 keys ("ed25519:...") that `entity` signed `object` with, in key
// order: what to look up before calling verify_json. Other algorithms are left out, as
// §6.2 step 2 asks. Untrusted input; an absent or malformed `signatures` gives an empty list.
std::vector<std::string> signature_key_ids(const nlohmann::json& object, std::string_view entity);

}  // namespace chat::crypto
