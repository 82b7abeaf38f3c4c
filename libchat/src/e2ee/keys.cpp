#include <chat/e2ee/keys.hpp>

#include <algorithm>
#include <set>
#include <utility>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/json/base64.hpp>

namespace chat::e2ee {

namespace {

using nlohmann::json;

// Spec identifier limit; key ids and device ids are well under it in practice.
constexpr std::size_t kMaxKeyIdBytes = 255;
constexpr std::string_view kSignedCurve25519 = "signed_curve25519";
constexpr std::string_view kCurve25519 = "curve25519";
constexpr std::string_view kEd25519 = "ed25519";
// Bounds on what one request may ask for or upload.
constexpr std::size_t kMaxKeysPerUpload = 1000;
constexpr std::size_t kMaxQueriedUsers = 1000;

Error bad_json(std::string message) { return make_error(Errc::bad_json, std::move(message)); }
Error invalid(std::string message) { return make_error(Errc::invalid_param, std::move(message)); }

// A key id part: printable ASCII without ':' or spaces, as clients generate.
bool valid_id_part(std::string_view id) {
    if (id.empty() || id.size() > kMaxKeyIdBytes) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
}

// "<algorithm>:<id>" split at the first ':'; none when malformed.
std::optional<std::pair<std::string, std::string>> split_key_id(std::string_view full) {
    auto colon = full.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    auto id = full.substr(colon + 1);
    if (!valid_id_part(id)) return std::nullopt;
    return std::pair{std::string(full.substr(0, colon)), std::string(id)};
}

std::optional<std::string> string_at(const json& object, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// The device's ed25519 public key from its device_keys object.
std::optional<std::string> device_ed25519(const json& keys, std::string_view device_id) {
    auto map = keys.find("keys");
    if (map == keys.end() || !map->is_object()) return std::nullopt;
    return string_at(*map, std::string(kEd25519) + ":" + std::string(device_id));
}

// The single public key of a cross-signing key object.
std::optional<std::string> cross_signing_public(const json& key) {
    auto map = key.find("keys");
    if (map == key.end() || !map->is_object() || map->size() != 1) return std::nullopt;
    if (!map->begin()->is_string()) return std::nullopt;
    return map->begin()->get<std::string>();
}

Result<void> check_device_keys(const json& keys, const UserId& user, std::string_view device_id) {
    if (!keys.is_object()) return bad_json("'device_keys' must be an object");
    if (string_at(keys, "user_id") != std::string(user.str()))
        return invalid("'device_keys.user_id' must be your user ID");
    if (string_at(keys, "device_id") != std::string(device_id))
        return invalid("'device_keys.device_id' must be your device ID");
    auto algorithms = keys.find("algorithms");
    if (algorithms == keys.end() || !algorithms->is_array() ||
        !std::all_of(algorithms->begin(), algorithms->end(),
                     [](const json& a) { return a.is_string(); }))
        return bad_json("'device_keys.algorithms' must be a list of strings");
    auto map = keys.find("keys");
    if (map == keys.end() || !map->is_object())
        return bad_json("'device_keys.keys' must be an object");
    for (auto it = map->begin(); it != map->end(); ++it) {
        auto split = split_key_id(it.key());
        if (!split || split->second != device_id)
            return invalid("Malformed device key id '" + it.key() + "'");
        if (split->first != kEd25519 && split->first != kCurve25519)
            return invalid("Unknown device key algorithm '" + split->first + "'");
        if (!it->is_string()) return bad_json("Device keys must be strings");
    }
    auto ed = device_ed25519(keys, device_id);
    if (!ed) return invalid("'device_keys.keys' lacks the device's ed25519 key");
    return verify_key_signature(keys, user.str(), std::string(kEd25519) + ":" +
                                                      std::string(device_id), *ed);
}

// One one-time or fallback key from an upload: checks its id and shape.
Result<store::ClaimedKey> parse_uploaded_key(const std::string& full_id, const json& value,
                                             const UserId& user, std::string_view device_id,
                                             const std::optional<std::string>& device_key) {
    auto split = split_key_id(full_id);
    if (!split) return invalid("Malformed key id '" + full_id + "'");
    if (split->first == kSignedCurve25519) {
        if (!value.is_object() || !string_at(value, "key"))
            return bad_json("A signed_curve25519 key must be an object with a 'key'");
        if (device_key) {
            auto verified = verify_key_signature(
                value, user.str(), std::string(kEd25519) + ":" + std::string(device_id),
                *device_key);
            if (!verified) return verified.error();
        }
    } else if (split->first == kCurve25519) {
        if (!value.is_string()) return bad_json("A curve25519 key must be a string");
    } else {
        return invalid("Unknown key algorithm '" + split->first + "'");
    }
    return store::ClaimedKey{split->first, split->second, value};
}

json without_signatures(json object) {
    object.erase("signatures");
    object.erase("unsigned");
    return object;
}

// Adds stored signatures to `object` (a key's JSON).
void merge_signatures(json& object, const std::vector<store::KeySignatureRow>& rows,
                      const UserId& viewer, const UserId& owner) {
    for (const auto& row : rows) {
        // Others' signatures on a user's key (user-signing) are the signer's business.
        if (row.signer_user_id != owner && row.signer_user_id != viewer) continue;
        if (!object.contains("signatures") || !object["signatures"].is_object())
            object["signatures"] = json::object();
        object["signatures"][std::string(row.signer_user_id.str())][row.signer_key_id] =
            row.signature;
    }
}

Result<void> check_cross_signing_key(const json& key, const UserId& user, std::string_view usage) {
    if (!key.is_object()) return bad_json("A cross-signing key must be an object");
    if (string_at(key, "user_id") != std::string(user.str()))
        return invalid("The cross-signing key's user_id must be your user ID");
    auto usages = key.find("usage");
    if (usages == key.end() || !usages->is_array() ||
        std::find(usages->begin(), usages->end(), json(usage)) == usages->end())
        return invalid("The cross-signing key's usage must include '" + std::string(usage) + "'");
    auto map = key.find("keys");
    if (map == key.end() || !map->is_object() || map->size() != 1)
        return invalid("A cross-signing key has exactly one public key");
    auto split = split_key_id(map->begin().key());
    if (!split || split->first != kEd25519 || !map->begin()->is_string() ||
        split->second != map->begin()->get<std::string>())
        return invalid("Malformed cross-signing key id");
    auto usable = crypto::VerifyKey::from_base64("ed25519:k", split->second);
    if (!usable) return invalid("The cross-signing public key is not a valid ed25519 key");
    return ok();
}

Result<std::set<UserId>> users_sharing_rooms(store::ReadTxn& txn, const UserId& user) {
    std::set<UserId> shared{user};
    auto rooms = txn.members().rooms_for_user(user, "join");
    if (!rooms) return rooms.error();
    for (const auto& room : *rooms) {
        auto members = txn.members().members_of(room.room_id, "join");
        if (!members) return members.error();
        for (auto& m : *members) shared.insert(std::move(m.user_id));
    }
    return shared;
}

Result<store::Position> record_change(store::WriteTxn& txn, const UserId& user) {
    auto position = txn.next_position(store::Stream::device_lists);
    if (!position) return position.error();
    if (auto marked = txn.e2ee_keys().mark_changed(user, *position); !marked)
        return marked.error();
    return *position;
}

}  // namespace

Result<void> verify_key_signature(const json& object, std::string_view signer,
                                  std::string_view key_id, std::string_view public_key) {
    const auto fail = make_error(Errc::invalid_signature, "Signature does not verify");
    // A fixed key id: ours only needs the key bytes, and device ids may hold
    // characters VerifyKey does not accept in a key version.
    auto key = crypto::VerifyKey::from_base64("ed25519:k", public_key);
    if (!key) return fail;
    if (!object.is_object()) return fail;
    auto sigs = object.find("signatures");
    if (sigs == object.end() || !sigs->is_object()) return fail;
    auto by = sigs->find(signer);
    if (by == sigs->end() || !by->is_object()) return fail;
    auto sig = by->find(key_id);
    if (sig == by->end() || !sig->is_string()) return fail;
    auto raw = chat::json::base64_decode(sig->get<std::string>());
    if (!raw) return fail;
    auto bytes = crypto::signing_bytes(object);
    if (!bytes) return bytes.error();
    if (!key->verify(*bytes, *raw)) return fail;
    return ok();
}

Result<std::map<std::string, std::int64_t>> one_time_key_counts(store::ReadTxn& txn,
                                                                const UserId& user,
                                                                std::string_view device_id) {
    auto counts = txn.e2ee_keys().one_time_key_counts(user, device_id);
    if (!counts) return counts.error();
    // Clients read a missing signed_curve25519 count as "unknown"; send 0.
    counts->try_emplace(std::string(kSignedCurve25519), 0);
    return counts;
}

Result<UploadResult> upload_keys(store::WriteTxn& txn, const UserId& user,
                                 std::string_view device_id, const json& body) {
    UploadResult result;
    auto& keys = txn.e2ee_keys();
    auto stored = keys.device_keys(user, device_id);
    if (!stored) return stored.error();
    std::optional<std::string> device_key;
    if (*stored) device_key = device_ed25519(**stored, device_id);

    if (auto dk = body.find("device_keys"); dk != body.end() && !dk->is_null()) {
        if (auto checked = check_device_keys(*dk, user, device_id); !checked)
            return checked.error();
        auto uploaded = device_ed25519(*dk, device_id);
        if (device_key && uploaded != device_key)
            return invalid("The device's ed25519 key cannot change; log in as a new device");
        if (!*stored || **stored != *dk) {
            if (auto put = keys.put_device_keys(user, device_id, *dk); !put) return put.error();
            auto position = record_change(txn, user);
            if (!position) return position.error();
            result.device_list_position = *position;
        }
        device_key = uploaded;
    }

    for (const char* field : {"one_time_keys", "fallback_keys"}) {
        auto list = body.find(field);
        if (list == body.end() || list->is_null()) continue;
        if (!list->is_object()) return bad_json(std::string("'") + field + "' must be an object");
        if (list->size() > kMaxKeysPerUpload) return make_error(Errc::too_large, "Too many keys");
        const bool fallback = std::string_view(field) == "fallback_keys";
        for (auto it = list->begin(); it != list->end(); ++it) {
            auto key = parse_uploaded_key(it.key(), *it, user, device_id, device_key);
            if (!key) return key.error();
            if (fallback) {
                if (auto put = keys.put_fallback_key(user, device_id, *key); !put)
                    return put.error();
                continue;
            }
            auto existing = keys.one_time_key(user, device_id, key->algorithm, key->key_id);
            if (!existing) return existing.error();
            if (*existing) {
                if (**existing != key->key)
                    return invalid("One-time key " + it.key() + " already exists with another value");
                continue;
            }
            if (auto added = keys.add_one_time_key(user, device_id, *key); !added)
                return added.error();
        }
    }
    auto counts = one_time_key_counts(txn, user, device_id);
    if (!counts) return counts.error();
    result.one_time_key_counts = std::move(*counts);
    return result;
}

Result<json> query_keys(store::ReadTxn& txn, const UserId& requester,
                        std::string_view local_server, const json& device_keys) {
    if (!device_keys.is_object()) return bad_json("'device_keys' must be an object");
    if (device_keys.size() > kMaxQueriedUsers) return make_error(Errc::too_large, "Too many users");
    json out = {{"device_keys", json::object()},    {"failures", json::object()},
                {"master_keys", json::object()},    {"self_signing_keys", json::object()},
                {"user_signing_keys", json::object()}};
    for (auto it = device_keys.begin(); it != device_keys.end(); ++it) {
        if (!it->is_array()) return bad_json("Each user's device list must be a list");
        for (const auto& d : *it)
            if (!d.is_string()) return bad_json("Device ids must be strings");
        auto user = UserId::parse(it.key());
        if (!user) continue;  // no such user: absent from the answer
        if (user->server() != local_server) {
            // Remote keys need federation (issue 9).
            out["failures"][std::string(user->server())] =
                json{{"errcode", "M_UNKNOWN"}, {"error", "Federation is not available"}};
            continue;
        }
        std::vector<store::DeviceKeysRow> rows;
        if (it->empty()) {
            auto all = txn.e2ee_keys().all_device_keys(*user);
            if (!all) return all.error();
            rows = std::move(*all);
        } else {
            for (const auto& d : *it) {
                auto one = txn.e2ee_keys().device_keys(*user, d.get<std::string>());
                if (!one) return one.error();
                if (*one) rows.push_back({*user, d.get<std::string>(), std::move(**one)});
            }
        }
        json devices = json::object();
        for (auto& row : rows) {
            auto sigs = txn.e2ee_keys().signatures_of(*user, row.device_id);
            if (!sigs) return sigs.error();
            merge_signatures(row.keys, *sigs, requester, *user);
            auto device = txn.devices().get(*user, row.device_id);
            if (!device) return device.error();
            json unsigned_part = json::object();
            if (*device && (*device)->display_name)
                unsigned_part["device_display_name"] = *(*device)->display_name;
            row.keys["unsigned"] = std::move(unsigned_part);
            devices[row.device_id] = std::move(row.keys);
        }
        if (!devices.empty() || it->empty())
            out["device_keys"][std::string(user->str())] = std::move(devices);

        for (auto [usage, section] : {std::pair{"master", "master_keys"},
                                      std::pair{"self_signing", "self_signing_keys"},
                                      std::pair{"user_signing", "user_signing_keys"}}) {
            if (std::string_view(usage) == "user_signing" && *user != requester) continue;
            auto key = txn.e2ee_keys().cross_signing_key(*user, usage);
            if (!key) return key.error();
            if (!*key) continue;
            if (auto pub = cross_signing_public(**key)) {
                auto sigs = txn.e2ee_keys().signatures_of(*user, *pub);
                if (!sigs) return sigs.error();
                merge_signatures(**key, *sigs, requester, *user);
            }
            out[section][std::string(user->str())] = std::move(**key);
        }
    }
    return out;
}

Result<ClaimResult> claim_keys(store::WriteTxn& txn, std::string_view local_server,
                               const json& one_time_keys) {
    if (!one_time_keys.is_object()) return bad_json("'one_time_keys' must be an object");
    if (one_time_keys.size() > kMaxQueriedUsers) return make_error(Errc::too_large, "Too many users");
    ClaimResult result;
    result.body = {{"one_time_keys", json::object()}, {"failures", json::object()}};
    for (auto it = one_time_keys.begin(); it != one_time_keys.end(); ++it) {
        if (!it->is_object()) return bad_json("Each user's entry must be an object");
        for (auto d = it->begin(); d != it->end(); ++d)
            if (!d->is_string()) return bad_json("Algorithms must be strings");
        auto user = UserId::parse(it.key());
        if (!user) continue;
        if (user->server() != local_server) {
            result.body["failures"][std::string(user->server())] =
                json{{"errcode", "M_UNKNOWN"}, {"error", "Federation is not available"}};
            continue;
        }
        json devices = json::object();
        for (auto d = it->begin(); d != it->end(); ++d) {
            const auto algorithm = d->get<std::string>();
            auto key = txn.e2ee_keys().claim_one_time_key(*user, d.key(), algorithm);
            if (!key) return key.error();
            if (!*key) {
                key = txn.e2ee_keys().claim_fallback_key(*user, d.key(), algorithm);
                if (!key) return key.error();
            }
            if (!*key) continue;
            devices[d.key()][(*key)->algorithm + ":" + (*key)->key_id] = std::move((*key)->key);
        }
        if (!devices.empty()) {
            result.body["one_time_keys"][std::string(user->str())] = std::move(devices);
            result.owners.push_back(*user);
        }
    }
    return result;
}

Result<bool> cross_signing_needs_auth(store::ReadTxn& txn, const UserId& user, const json& body) {
    auto master = txn.e2ee_keys().cross_signing_key(user, "master");
    if (!master) return master.error();
    if (!*master) return false;
    auto sent = body.find("master_key");
    if (sent == body.end() || *sent != **master) return true;
    for (auto [field, usage] : {std::pair{"self_signing_key", "self_signing"},
                                std::pair{"user_signing_key", "user_signing"}}) {
        auto value = body.find(field);
        if (value == body.end() || value->is_null()) continue;
        auto stored = txn.e2ee_keys().cross_signing_key(user, usage);
        if (!stored) return stored.error();
        if (!*stored || **stored != *value) return true;
    }
    return false;
}

Result<std::optional<store::Position>> upload_cross_signing(store::WriteTxn& txn,
                                                            const UserId& user, const json& body) {
    std::optional<json> master;
    if (auto m = body.find("master_key"); m != body.end() && !m->is_null()) {
        if (auto checked = check_cross_signing_key(*m, user, "master"); !checked)
            return checked.error();
        master = *m;
    } else {
        auto stored = txn.e2ee_keys().cross_signing_key(user, "master");
        if (!stored) return stored.error();
        master = std::move(*stored);
    }
    if (!master) return make_error(Errc::missing_param, "No master key available");
    const auto master_pub = *cross_signing_public(*master);

    std::vector<std::pair<std::string, json>> to_store;
    if (body.contains("master_key") && !body["master_key"].is_null())
        to_store.emplace_back("master", *master);
    for (auto [field, usage] : {std::pair{"self_signing_key", "self_signing"},
                                std::pair{"user_signing_key", "user_signing"}}) {
        auto value = body.find(field);
        if (value == body.end() || value->is_null()) continue;
        if (auto checked = check_cross_signing_key(*value, user, usage); !checked)
            return checked.error();
        if (auto signed_by_master =
                verify_key_signature(*value, user.str(), "ed25519:" + master_pub, master_pub);
            !signed_by_master)
            return make_error(Errc::invalid_signature,
                              std::string(field) + " is not signed by the master key");
        to_store.emplace_back(usage, *value);
    }
    // A public key equal to a device id would make /keys/signatures/upload
    // ambiguous (spec: the server must not allow it).
    for (const auto& [usage, key] : to_store) {
        auto pub = cross_signing_public(key);
        auto device = txn.devices().get(user, *pub);
        if (!device) return device.error();
        if (*device) return make_error(Errc::forbidden, "A cross-signing key equals a device ID");
    }
    bool changed = false;
    for (const auto& [usage, key] : to_store) {
        auto stored = txn.e2ee_keys().cross_signing_key(user, usage);
        if (!stored) return stored.error();
        if (*stored && **stored == key) continue;
        if (auto put = txn.e2ee_keys().put_cross_signing_key(user, usage, key); !put)
            return put.error();
        changed = true;
    }
    if (!changed) return std::optional<store::Position>();
    auto position = record_change(txn, user);
    if (!position) return position.error();
    return std::optional<store::Position>(*position);
}

Result<SignaturesResult> upload_signatures(store::WriteTxn& txn, const UserId& signer,
                                           std::string_view local_server, const json& body) {
    if (!body.is_object()) return bad_json("The body must be an object");
    SignaturesResult result;
    auto& keys = txn.e2ee_keys();
    // The signer's own public keys by key id, to find who made a signature.
    std::map<std::string, std::string> signer_keys;
    std::optional<std::string> user_signing_pub;
    for (const char* usage : {"master", "self_signing", "user_signing"}) {
        auto key = keys.cross_signing_key(signer, usage);
        if (!key) return key.error();
        if (!*key) continue;
        if (auto pub = cross_signing_public(**key)) {
            signer_keys["ed25519:" + *pub] = *pub;
            if (std::string_view(usage) == "user_signing") user_signing_pub = *pub;
        }
    }
    auto fail = [&](const std::string& user, const std::string& key_id, std::string_view code,
                    std::string_view why) {
        result.failures[user][key_id] = json{{"errcode", code}, {"error", why}};
    };
    std::set<UserId> changed;
    for (auto u = body.begin(); u != body.end(); ++u) {
        if (!u->is_object()) return bad_json("Each user's entry must be an object");
        auto target_user = UserId::parse(u.key());
        for (auto k = u->begin(); k != u->end(); ++k) {
            if (!target_user) {
                fail(u.key(), k.key(), "M_INVALID_PARAM", "Invalid user ID");
                continue;
            }
            if (target_user->server() != local_server) {
                fail(u.key(), k.key(), "M_UNKNOWN", "Federation is not available");
                continue;
            }
            if (!k->is_object()) {
                fail(u.key(), k.key(), "M_BAD_JSON", "The signed key must be an object");
                continue;
            }
            // The target: a device's keys, or one of the user's cross-signing keys.
            std::optional<json> stored;
            bool is_master = false;
            auto device = keys.device_keys(*target_user, k.key());
            if (!device) return device.error();
            if (*device) {
                stored = std::move(**device);
            } else {
                auto master = keys.cross_signing_key(*target_user, "master");
                if (!master) return master.error();
                auto ssk = keys.cross_signing_key(*target_user, "self_signing");
                if (!ssk) return ssk.error();
                if (*master && cross_signing_public(**master) == k.key()) {
                    stored = std::move(**master);
                    is_master = true;
                } else if (*ssk && cross_signing_public(**ssk) == k.key()) {
                    stored = std::move(**ssk);
                }
            }
            if (!stored) {
                fail(u.key(), k.key(), "M_NOT_FOUND", "Unknown key");
                continue;
            }
            if (without_signatures(*k) != without_signatures(*stored)) {
                fail(u.key(), k.key(), "M_INVALID_SIGNATURE", "The key does not match the stored one");
                continue;
            }
            auto sigs = k->find("signatures");
            if (sigs == k->end() || !sigs->is_object() || !sigs->contains(signer.str()) ||
                !(*sigs)[std::string(signer.str())].is_object()) {
                fail(u.key(), k.key(), "M_INVALID_SIGNATURE", "No signature by you");
                continue;
            }
            bool stored_any = false;
            std::optional<std::string> failure;
            for (auto s = (*sigs)[std::string(signer.str())].begin();
                 s != (*sigs)[std::string(signer.str())].end(); ++s) {
                // Only new signatures matter: the object's own are stored already.
                const auto& old = (*stored)["signatures"];
                if (old.is_object() && old.contains(signer.str()) &&
                    old[std::string(signer.str())].contains(s.key()) &&
                    old[std::string(signer.str())][s.key()] == *s)
                    continue;
                std::optional<std::string> pub;
                if (auto found = signer_keys.find(s.key()); found != signer_keys.end())
                    pub = found->second;
                if (!pub && *target_user == signer && s.key().starts_with("ed25519:")) {
                    // A device of the signer signing its own master key.
                    auto dev = keys.device_keys(signer, s.key().substr(8));
                    if (!dev) return dev.error();
                    if (*dev) pub = device_ed25519(**dev, s.key().substr(8));
                }
                // Another user's key may only be signed by our user-signing
                // key, and only their master key.
                if (*target_user != signer &&
                    (!is_master || !user_signing_pub || s.key() != "ed25519:" + *user_signing_pub))
                    pub.reset();
                if (!pub) {
                    failure = "Unknown signing key " + s.key();
                    continue;
                }
                if (!verify_key_signature(*k, signer.str(), s.key(), *pub)) {
                    failure = "Signature by " + s.key() + " does not verify";
                    continue;
                }
                if (!s->is_string()) continue;
                store::KeySignatureRow row{signer, s.key(), *target_user, k.key(),
                                           s->get<std::string>()};
                if (auto put = keys.put_signature(row); !put) return put.error();
                stored_any = true;
            }
            if (failure) fail(u.key(), k.key(), "M_INVALID_SIGNATURE", *failure);
            if (stored_any) changed.insert(*target_user);
        }
    }
    for (const auto& user : changed) {
        auto position = record_change(txn, user);
        if (!position) return position.error();
        result.device_list_position = *position;
    }
    return result;
}

Result<DeviceListDelta> device_list_changes(store::ReadTxn& txn, const UserId& user,
                                            const store::StreamPositions& from,
                                            const store::StreamPositions& to) {
    using store::Stream;
    // Most long-poll rounds have neither: skip the room scan.
    const bool lists_moved = from[Stream::device_lists] != to[Stream::device_lists];
    const bool events_moved = from[Stream::events] != to[Stream::events];
    if (!lists_moved && !events_moved) return DeviceListDelta{};

    // Candidates first, from indexed reads of the range only; the set of
    // users sharing a room (every member of every joined room) is read only
    // when there is a candidate to classify. A sync that saw only messages
    // costs two small queries, not a scan of the user's rooms.
    std::vector<UserId> key_changes;
    if (lists_moved) {
        auto moved = txn.e2ee_keys().changed_users(from[Stream::device_lists],
                                                   to[Stream::device_lists]);
        if (!moved) return moved.error();
        key_changes = std::move(*moved);
    }
    std::vector<UserId> member_changes;
    if (events_moved) {
        auto own = txn.members().changes_for_user(user, from[Stream::events], to[Stream::events]);
        if (!own) return own.error();
        std::set<RoomId> own_rooms;
        for (const auto& row : *own) {
            // Our own join or leave: everyone in that room changes for us.
            auto members = txn.members().members_of(row.room_id, "join");
            if (!members) return members.error();
            for (const auto& m : *members) member_changes.push_back(m.user_id);
            own_rooms.insert(row.room_id);
        }
        auto state_rooms =
            txn.current_state().rooms_changed(from[Stream::events], to[Stream::events]);
        if (!state_rooms) return state_rooms.error();
        for (const auto& room : *state_rooms) {
            if (!own_rooms.contains(room)) {
                auto membership = txn.members().get(user, room);
                if (!membership) return membership.error();
                if (!*membership || (*membership)->membership != "join") continue;
            }
            auto log = txn.current_state().changes(room, from[Stream::events], to[Stream::events]);
            if (!log) return log.error();
            for (const auto& change : *log) {
                if (change.key.type != "m.room.member") continue;
                auto other = UserId::parse(change.key.state_key);
                if (other) member_changes.push_back(std::move(*other));
            }
        }
    }
    if (key_changes.empty() && member_changes.empty()) return DeviceListDelta{};

    auto shared = users_sharing_rooms(txn, user);
    if (!shared) return shared.error();
    std::set<std::string> changed;
    std::set<std::string> left;
    for (const auto& u : key_changes)
        if (shared->contains(u)) changed.insert(std::string(u.str()));
    // Someone who joined a room we share starts sharing (their keys are news
    // to us); someone who left may share none.
    for (const auto& other : member_changes) {
        if (other == user) continue;
        if (shared->contains(other))
            changed.insert(std::string(other.str()));
        else
            left.insert(std::string(other.str()));
    }
    for (const auto& c : changed) left.erase(c);
    return DeviceListDelta{{changed.begin(), changed.end()}, {left.begin(), left.end()}};
}

}  // namespace chat::e2ee
