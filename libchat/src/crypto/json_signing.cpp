#include <chat/crypto/json_signing.hpp>

#include <utility>

#include <nlohmann/json.hpp>

#include <chat/json/base64.hpp>
#include <chat/json/canonical.hpp>

namespace chat::crypto {
namespace {

constexpr std::string_view kEd25519Prefix = "ed25519:";

Error forbidden(std::string detail) {
    return make_error(Errc::forbidden, "Invalid signature.", std::move(detail));
}

}  // namespace

Result<std::string> signing_bytes(const nlohmann::json& object, json::Numbers numbers) {
    if (!object.is_object()) return make_error(Errc::bad_json, "Expected a JSON object.");
    // Build the stripped copy key by key rather than copying and erasing, so that the
    // (possibly large) signatures and unsigned subtrees are never copied.
    nlohmann::json stripped = nlohmann::json::object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == "signatures" || it.key() == "unsigned") continue;
        stripped[it.key()] = it.value();
    }
    if (numbers == json::Numbers::lenient) return json::canonical_json_lenient(stripped);
    return json::canonical_json(stripped);
}

Result<void> sign_json(nlohmann::json& object, std::string_view entity, const SigningKey& key,
                       json::Numbers numbers, std::string* signed_bytes) {
    if (!object.is_object()) return make_error(Errc::bad_json, "Expected a JSON object.");
    std::string entity_key(entity);
    if (auto it = object.find("signatures"); it != object.end()) {
        if (!it->is_object())
            return make_error(Errc::bad_json, "'signatures' must be an object.");
        if (auto e = it->find(entity_key); e != it->end() && !e->is_object())
            return make_error(Errc::bad_json, "'signatures' entries must be objects.");
    }
    auto bytes = signing_bytes(object, numbers);
    if (!bytes) return std::move(bytes).error();
    object["signatures"][entity_key][key.key_id()] = json::base64_encode(key.sign(*bytes));
    if (signed_bytes != nullptr) *signed_bytes = std::move(*bytes);
    return ok();
}

Result<void> verify_json(const nlohmann::json& object, std::string_view entity,
                         const VerifyKey& key, json::Numbers numbers) {
    if (!object.is_object()) return forbidden("not a JSON object");
    auto sigs = object.find("signatures");
    if (sigs == object.end() || !sigs->is_object()) return forbidden("no signatures");
    auto by_entity = sigs->find(std::string(entity));
    if (by_entity == sigs->end() || !by_entity->is_object())
        return forbidden("no signature from " + std::string(entity));
    auto sig_b64 = by_entity->find(key.key_id());
    if (sig_b64 == by_entity->end() || !sig_b64->is_string())
        return forbidden("no signature by " + std::string(entity) + " " + key.key_id());
    auto signature = json::base64_decode(sig_b64->get_ref<const std::string&>());
    if (!signature) return forbidden("signature is not base64");

    auto bytes = signing_bytes(object, numbers);
    if (!bytes) return std::move(bytes).error();
    if (!key.verify(*bytes, *signature))
        return forbidden("bad signature by " + std::string(entity) + " " + key.key_id());
    return ok();
}

std::vector<std::string> signature_key_ids(const nlohmann::json& object, std::string_view entity) {
    std::vector<std::string> ids;
    if (!object.is_object()) return ids;
    auto sigs = object.find("signatures");
    if (sigs == object.end() || !sigs->is_object()) return ids;
    auto by_entity = sigs->find(std::string(entity));
    if (by_entity == sigs->end() || !by_entity->is_object()) return ids;
    for (auto it = by_entity->begin(); it != by_entity->end(); ++it)
        if (it.key().starts_with(kEd25519Prefix) && it.value().is_string())
            ids.push_back(it.key());
    return ids;
}

}  // namespace chat::crypto
