#include <chat/ingest/pdu_checks.hpp>

#include <algorithm>

#include <chat/crypto/json_signing.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/redaction.hpp>

namespace chat::ingest {

namespace {

// The server part of an id "<sigil>localpart:server"; none when malformed.
std::optional<ServerName> server_of(std::string_view id) {
    const auto colon = id.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto server = ServerName::parse(id.substr(colon + 1));
    if (!server) return std::nullopt;
    return std::move(*server);
}

}  // namespace

std::vector<ServerName> required_signers(const Pdu& pdu) {
    std::vector<ServerName> signers;
    if (auto sender = server_of(pdu.sender().str())) signers.push_back(std::move(*sender));
    const RoomVersion& version = pdu.version();
    if (version.event_id_domain_signature)
        if (auto server = server_of(pdu.event_id().str())) signers.push_back(std::move(*server));
    if (version.restricted_joins && pdu.type() == "m.room.member" &&
        pdu.membership() == "join") {
        const auto& content = pdu.content();
        if (auto it = content.find("join_authorised_via_users_server");
            it != content.end() && it->is_string())
            if (auto server = server_of(it->get_ref<const std::string&>()))
                signers.push_back(std::move(*server));
    }
    std::sort(signers.begin(), signers.end(),
              [](const ServerName& a, const ServerName& b) { return a.str() < b.str(); });
    signers.erase(std::unique(signers.begin(), signers.end(),
                              [](const ServerName& a, const ServerName& b) {
                                  return a.str() == b.str();
                              }),
                  signers.end());
    return signers;
}

std::vector<std::pair<ServerName, std::vector<std::string>>> signing_keys_needed(const Pdu& pdu) {
    std::vector<std::pair<ServerName, std::vector<std::string>>> needed;
    for (auto& server : required_signers(pdu)) {
        auto ids = crypto::signature_key_ids(pdu.json(), server.str());
        needed.emplace_back(std::move(server), std::move(ids));
    }
    return needed;
}

Result<void> check_signatures(const Pdu& pdu, const KeyLookup& keys) {
    for (const auto& [server, key_ids] : signing_keys_needed(pdu)) {
        bool verified = false;
        for (const auto& key_id : key_ids) {
            auto key = keys(server, key_id);
            if (!key) continue;
            if (verify_event_signature(pdu.json(), server.str(), *key, pdu.version())) {
                verified = true;
                break;
            }
        }
        if (!verified)
            return make_error(Errc::forbidden,
                              "Event " + std::string(pdu.event_id().str()) +
                                  " lacks a valid signature from " + std::string(server.str()));
    }
    return ok();
}

Result<PduPtr> with_checked_hash(const PduPtr& pdu) {
    if (check_content_hash(pdu->json(), pdu->version())) return pdu;
    auto redacted = Pdu::from_json(redact(pdu->json(), pdu->version()), pdu->version());
    if (!redacted) return redacted.error();
    return PduPtr(std::make_shared<const Pdu>(std::move(*redacted)));
}

}  // namespace chat::ingest
