#include <chat/events/event_hashes.hpp>

#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/sha256.hpp>
#include <chat/events/redaction.hpp>
#include <chat/json/base64.hpp>
#include <chat/json/canonical.hpp>

namespace chat {
namespace {

Error not_an_object() { return make_error(Errc::bad_json, "An event must be a JSON object."); }

Result<std::string> canonical(const nlohmann::json& value, const RoomVersion& version) {
    if (version.strict_canonical_json) return json::canonical_json(value);
    return json::canonical_json_lenient(value);
}

// A v3+ event id is derived from the event, so a copy kept in the object is not part of it.
void drop_local_event_id(nlohmann::json& event, const RoomVersion& version) {
    if (!version.event_id_in_pdu()) event.erase("event_id");
}

// `hashes` with sha256 set to `hash_b64`: other algorithms kept, a non-object replaced.
nlohmann::json hashes_with_sha256(const nlohmann::json& event, std::string hash_b64) {
    nlohmann::json hashes = nlohmann::json::object();
    if (auto it = event.find("hashes"); it != event.end() && it->is_object()) hashes = *it;
    hashes["sha256"] = std::move(hash_b64);
    return hashes;
}

// The redacted copy that is signed and verified (§6.4 step 3, §6.5 step 1).
nlohmann::json redacted_for_signing(const nlohmann::json& event, const RoomVersion& version) {
    auto redacted = redact(event, version);
    drop_local_event_id(redacted, version);
    return redacted;
}

// A v3+ event id: "$" and the reference hash in the version's base64.
std::string id_from_reference_hash(const std::string& hash, const RoomVersion& version) {
    return "$" + (version.event_id_format == EventIdFormat::base64
                      ? json::base64_encode(hash)
                      : json::base64_url_encode(hash));
}

}  // namespace

json::Numbers canonical_numbers(const RoomVersion& version) noexcept {
    return version.strict_canonical_json ? json::Numbers::strict : json::Numbers::lenient;
}

Result<std::string> content_hash_preimage(const nlohmann::json& event, const RoomVersion& version) {
    if (!event.is_object()) return not_an_object();
    // Written straight from the event, without the members the hash leaves out.
    const bool drop_event_id = !version.event_id_in_pdu();
    return json::canonical_json_except(
        event,
        [&](std::string_view key) {
            return key == "unsigned" || key == "signatures" || key == "hashes" ||
                   (drop_event_id && key == "event_id");
        },
        !version.strict_canonical_json);
}

Result<std::string> content_hash(const nlohmann::json& event, const RoomVersion& version) {
    auto bytes = content_hash_preimage(event, version);
    if (!bytes) return std::move(bytes).error();
    return crypto::sha256(*bytes);
}

Result<std::string> reference_hash_preimage(const nlohmann::json& event,
                                            const RoomVersion& version) {
    if (!event.is_object()) return not_an_object();
    auto redacted = redacted_for_signing(event, version);
    redacted.erase("signatures");  // redaction has already dropped `unsigned`
    return canonical(redacted, version);
}

Result<std::string> reference_hash(const nlohmann::json& event, const RoomVersion& version) {
    auto bytes = reference_hash_preimage(event, version);
    if (!bytes) return std::move(bytes).error();
    return crypto::sha256(*bytes);
}

Result<std::string> compute_event_id(const nlohmann::json& event, const RoomVersion& version) {
    if (!event.is_object()) return not_an_object();
    switch (version.event_id_format) {
    case EventIdFormat::legacy: {
        auto it = event.find("event_id");
        if (it == event.end() || !it->is_string())
            return make_error(Errc::bad_json, "The event has no event_id.");
        return it->get<std::string>();
    }
    case EventIdFormat::base64:
    case EventIdFormat::url_safe_base64: {
        auto hash = reference_hash(event, version);
        if (!hash) return std::move(hash).error();
        return id_from_reference_hash(*hash, version);
    }
    }
    return make_error(Errc::internal, "Internal server error.", "unknown EventIdFormat");
}

Result<std::string> room_id_from_create_event(const nlohmann::json& create_event,
                                              const RoomVersion& version) {
    if (version.room_id_format != RoomIdFormat::create_event_hash)
        return make_error(Errc::invalid_param,
                          "This room version does not derive room ids from the create event.",
                          "room version " + std::string(version.id));
    if (!create_event.is_object()) return not_an_object();
    auto type = create_event.find("type");
    if (type == create_event.end() || !type->is_string() || *type != "m.room.create")
        return make_error(Errc::invalid_param, "Not an m.room.create event.");
    auto hash = reference_hash(create_event, version);
    if (!hash) return std::move(hash).error();
    return "!" + json::base64_url_encode(*hash);
}

Result<void> add_content_hash(nlohmann::json& event, const RoomVersion& version) {
    auto hash = content_hash(event, version);
    if (!hash) return std::move(hash).error();
    event["hashes"] = hashes_with_sha256(event, json::base64_encode(*hash));
    return ok();
}

Result<void> sign_event(nlohmann::json& event, std::string_view server_name,
                        const crypto::SigningKey& key, const RoomVersion& version,
                        std::string* event_id) {
    auto hash = content_hash(event, version);
    if (!hash) return std::move(hash).error();
    auto hashes = hashes_with_sha256(event, json::base64_encode(*hash));

    // Room for our signature, as sign_json asks.
    const std::string entity(server_name);
    if (auto sigs = event.find("signatures"); sigs != event.end()) {
        if (!sigs->is_object())
            return make_error(Errc::bad_json, "'signatures' must be an object.");
        if (auto e = sigs->find(entity); e != sigs->end() && !e->is_object())
            return make_error(Errc::bad_json, "'signatures' entries must be objects.");
    }

    // The signed bytes (§6.4: the redacted event with its new hashes, without
    // signatures and unsigned) are written straight from the event, not from
    // a redacted copy; they are also what the reference hash is taken of, so
    // the id costs no second redaction and canonical form. The hashes go into
    // the event first (the bytes carry them) and come out again on failure.
    std::optional<nlohmann::json> old_hashes;
    if (auto h = event.find("hashes"); h != event.end()) old_hashes = std::move(*h);
    event["hashes"] = std::move(hashes);
    const auto restore = [&] {
        if (old_hashes)
            event["hashes"] = std::move(*old_hashes);
        else
            event.erase("hashes");
    };
    const auto type = event.find("type");
    std::optional<nlohmann::json> content;
    if (auto c = event.find("content"); c != event.end())
        content = redacted_content(*c, type == event.end() ? nullptr : &*type, version);
    auto bytes = json::canonical_json_select(
        event,
        [&](std::string_view k, const nlohmann::json& value) -> const nlohmann::json* {
            if (k == "signatures" || k == "unsigned") return nullptr;
            if (k == "content") return &*content;
            if (k == "event_id" && !version.event_id_in_pdu()) return nullptr;
            return redaction_keeps(k, version) ? &value : nullptr;
        },
        !version.strict_canonical_json);
    if (!bytes) {
        restore();
        return std::move(bytes).error();
    }
    if (event_id != nullptr) {
        if (version.event_id_format == EventIdFormat::legacy) {
            auto id = compute_event_id(event, version);  // the event's own field
            if (!id) {
                restore();
                return std::move(id).error();
            }
            *event_id = std::move(*id);
        } else {
            *event_id = id_from_reference_hash(crypto::sha256(*bytes), version);
        }
    }
    event["signatures"][entity][key.key_id()] = json::base64_encode(key.sign(*bytes));
    return ok();
}

Result<void> verify_event_signature(const nlohmann::json& event, std::string_view entity,
                                    const crypto::VerifyKey& key, const RoomVersion& version) {
    if (!event.is_object())
        return make_error(Errc::forbidden, "Invalid signature.", "event is not an object");
    auto redacted = redacted_for_signing(event, version);
    return crypto::verify_json(redacted, entity, key, canonical_numbers(version));
}

bool check_content_hash(const nlohmann::json& event, const RoomVersion& version) {
    if (!event.is_object()) return false;
    auto hashes = event.find("hashes");
    if (hashes == event.end() || !hashes->is_object()) return false;
    auto claimed_b64 = hashes->find("sha256");
    if (claimed_b64 == hashes->end() || !claimed_b64->is_string()) return false;
    auto claimed = json::base64_decode(claimed_b64->get_ref<const std::string&>());
    if (!claimed) return false;
    auto actual = content_hash(event, version);
    return actual && *actual == *claimed;
}

}  // namespace chat
