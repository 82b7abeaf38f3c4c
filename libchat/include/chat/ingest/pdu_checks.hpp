#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/pdu.hpp>

namespace chat::ingest {

// The checks a received PDU passes before the authorization rules
// (federation.md §5 steps 2-3; events-and-rooms.md §6.5). Pure: the keys come
// from the caller, who fetched them (federation's KeyRing) beforehand.

// The servers that must have signed `pdu`: the sender's server; for room
// versions 1-2 also the server of the event id; for a restricted join (v8+)
// with `join_authorised_via_users_server`, that user's server. Sorted, unique.
std::vector<ServerName> required_signers(const Pdu& pdu);

// The Ed25519 key ids each required signer used on `pdu`: what to fetch
// before check_signatures(). A signer with no signature gets an empty list.
std::vector<std::pair<ServerName, std::vector<std::string>>> signing_keys_needed(const Pdu& pdu);

// A verify key of `server` with `key_id` that was valid when the event was
// sent, or none when it is unknown (or expired, for versions that enforce
// key validity).
using KeyLookup =
    std::function<std::optional<crypto::VerifyKey>(const ServerName& server, std::string_view key_id)>;

// Every required signer signed the redacted form of `pdu` with a key `keys`
// knows. Errors: forbidden, naming the server whose signature is missing or
// wrong. Failure means: drop the event (§5 step 2).
Result<void> check_signatures(const Pdu& pdu, const KeyLookup& keys);

// §5 step 3: `pdu` itself when its content hash matches, otherwise its
// redacted form (the event is kept, but only redacted). Errors: bad_json
// when the redacted form does not parse.
Result<PduPtr> with_checked_hash(const PduPtr& pdu);

}  // namespace chat::ingest
