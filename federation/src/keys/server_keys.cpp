#include <chat/federation/keys/server_keys.hpp>

#include <algorithm>

#include <chat/crypto/json_signing.hpp>

namespace chat::federation {

namespace {

Error bad_shape(std::string what) {
    return make_error(Errc::bad_json, "Malformed server key response", std::move(what));
}

// Reads {key_id: {"key": b64, ...}} into `out`; `with_expiry` for
// old_verify_keys, whose entries also need an integer expired_ts.
Result<void> read_keys(const nlohmann::json& map, std::int64_t valid_until_ts, bool with_expiry,
                       std::vector<PublishedKey>& out) {
    if (!map.is_object()) return bad_shape("keys are not an object");
    for (const auto& [key_id, entry] : map.items()) {
        if (!entry.is_object()) return bad_shape("key entry is not an object: " + key_id);
        auto key = entry.find("key");
        if (key == entry.end() || !key->is_string()) return bad_shape("no key for " + key_id);
        // Other algorithms may appear in future; we can use only Ed25519.
        if (key_id.rfind("ed25519:", 0) != 0) continue;
        auto parsed = crypto::VerifyKey::from_base64(key_id, key->get<std::string>());
        if (!parsed) return bad_shape("invalid key " + key_id);
        PublishedKey published{std::move(*parsed), valid_until_ts, std::nullopt};
        if (with_expiry) {
            auto expired = entry.find("expired_ts");
            if (expired == entry.end() || !expired->is_number_integer())
                return bad_shape("no expired_ts for " + key_id);
            published.expired_ts = expired->get<std::int64_t>();
        }
        out.push_back(std::move(published));
    }
    return ok();
}

}  // namespace

Result<nlohmann::json> make_server_keys(const ServerName& server, const crypto::SigningKey& key,
                                        const std::vector<OldVerifyKey>& old_keys,
                                        std::int64_t valid_until_ts) {
    nlohmann::json old_json = nlohmann::json::object();
    for (const auto& old : old_keys)
        old_json[old.key_id] = {{"key", old.public_key_base64}, {"expired_ts", old.expired_ts}};
    nlohmann::json response = {
        {"server_name", std::string(server.str())},
        {"verify_keys", {{key.key_id(), {{"key", key.verify_key().public_key_base64()}}}}},
        {"old_verify_keys", std::move(old_json)},
        {"valid_until_ts", valid_until_ts}};
    auto signed_ok = crypto::sign_json(response, server.str(), key);
    if (!signed_ok)
        return make_error(Errc::internal, "Cannot sign our key response", signed_ok.error().detail);
    return response;
}

Result<ServerKeyResponse> parse_server_keys(const nlohmann::json& response,
                                            const ServerName& expected) {
    if (!response.is_object()) return bad_shape("not an object");
    auto name = response.find("server_name");
    if (name == response.end() || !name->is_string()) return bad_shape("no server_name");
    if (name->get<std::string>() != expected.str())
        return make_error(Errc::forbidden, "Key response names another server",
                          "asked " + std::string(expected.str()) + ", got " +
                              name->get<std::string>());
    auto valid_until = response.find("valid_until_ts");
    if (valid_until == response.end() || !valid_until->is_number_integer())
        return bad_shape("no integer valid_until_ts");
    const auto valid_until_ts = valid_until->get<std::int64_t>();

    std::vector<PublishedKey> current;
    auto verify_keys = response.find("verify_keys");
    if (verify_keys == response.end()) return bad_shape("no verify_keys");
    if (auto read = read_keys(*verify_keys, valid_until_ts, false, current); !read)
        return read.error();
    if (current.empty()) return bad_shape("no Ed25519 verify_keys");

    // Self-signed: every signature by a current key verifies, and one exists.
    bool signed_by_self = false;
    for (const auto& key_id : crypto::signature_key_ids(response, expected.str())) {
        auto key = std::find_if(current.begin(), current.end(),
                                [&](const PublishedKey& k) { return k.key.key_id() == key_id; });
        if (key == current.end()) continue;  // an old key's signature proves nothing
        auto verified = crypto::verify_json(response, expected.str(), key->key);
        if (!verified)
            return make_error(Errc::forbidden, "Key response signature does not verify",
                              std::string(expected.str()) + " " + key_id);
        signed_by_self = true;
    }
    if (!signed_by_self)
        return make_error(Errc::forbidden, "Key response is not signed by its own keys",
                          std::string(expected.str()));

    ServerKeyResponse out{expected, valid_until_ts, std::move(current), response};
    if (auto old = response.find("old_verify_keys"); old != response.end() && !old->is_null()) {
        if (auto read = read_keys(*old, valid_until_ts, true, out.keys); !read)
            return read.error();
    }
    return out;
}

}  // namespace chat::federation
