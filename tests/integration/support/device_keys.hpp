#pragma once

// Signed E2EE keys for the integration tests: what an olm client uploads,
// made with libchat's crypto instead of libolm.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/json/base64.hpp>

namespace chat::test {

// Signs `object` as `user` with `key` under `key_id`.
inline void sign_as(nlohmann::json& object, std::string_view user, const crypto::SigningKey& key,
                    const std::string& key_id) {
    auto bytes = crypto::signing_bytes(object).value();
    object["signatures"][std::string(user)][key_id] = chat::json::base64_encode(key.sign(bytes));
}

inline std::string public_key(const crypto::SigningKey& key) {
    return key.verify_key().public_key_base64();
}

// A device's identity key; device ids from chatd are letters only, which
// SigningKey accepts as a key version.
inline crypto::SigningKey device_signing_key(const std::string& device_id) {
    return crypto::SigningKey::generate(device_id);
}

inline nlohmann::json signed_device_keys(const std::string& user, const std::string& device,
                                         const crypto::SigningKey& key) {
    nlohmann::json keys = {
        {"user_id", user},
        {"device_id", device},
        {"algorithms", {"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"}},
        {"keys", {{"ed25519:" + device, public_key(key)}, {"curve25519:" + device, "Y3VydmUyNTUxOQ"}}}};
    sign_as(keys, user, key, "ed25519:" + device);
    return keys;
}

inline nlohmann::json signed_one_time_key(const std::string& user, const std::string& device,
                                          const crypto::SigningKey& key, const std::string& value,
                                          bool fallback = false) {
    nlohmann::json otk = {{"key", value}};
    if (fallback) otk["fallback"] = true;
    sign_as(otk, user, key, "ed25519:" + device);
    return otk;
}

inline nlohmann::json cross_signing_key(const std::string& user, const char* usage,
                                        const crypto::SigningKey& key) {
    return nlohmann::json{{"user_id", user},
                          {"usage", {usage}},
                          {"keys", {{"ed25519:" + public_key(key), public_key(key)}}}};
}

}  // namespace chat::test
