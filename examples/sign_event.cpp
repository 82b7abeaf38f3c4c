// Embeds libchat's protocol primitives with no daemon: loads (or creates) a
// signing key, builds a room version 12 create event, hashes and signs it,
// and prints the event with its id and the room id derived from it.
//
//   sign_event [KEY_FILE]     (default: ./example_signing.key)

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include <chat/crypto/signing_key.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/events/pdu.hpp>
#include <chat/events/room_version.hpp>

int main(int argc, char** argv) {
    const std::filesystem::path key_path = argc > 1 ? argv[1] : "example_signing.key";

    auto key = chat::crypto::SigningKey::load(key_path);
    if (!key) {
        auto fresh = chat::crypto::SigningKey::generate("example");
        if (auto saved = fresh.save(key_path); !saved) {
            std::cerr << "cannot save " << key_path << ": " << saved.error().message << '\n';
            return 1;
        }
        key = std::move(fresh);
    }

    const auto& version = chat::RoomVersion::default_version();
    nlohmann::json create = {
        {"type", "m.room.create"},
        {"state_key", ""},
        {"sender", "@alice:example.org"},
        {"content", {{"room_version", std::string(version.id)}}},
        {"origin_server_ts", 1700000000000},
        {"depth", 1},
        {"prev_events", nlohmann::json::array()},
        {"auth_events", nlohmann::json::array()},
    };
    if (auto signed_ok = chat::sign_event(create, "example.org", *key, version); !signed_ok) {
        std::cerr << "signing failed: " << signed_ok.error().message << '\n';
        return 1;
    }
    auto pdu = chat::Pdu::from_json(create, version);
    if (!pdu) {
        std::cerr << "invalid event: " << pdu.error().message << '\n';
        return 1;
    }
    auto verified = chat::verify_event_signature(pdu->json(), "example.org", key->verify_key(),
                                                 version);
    std::cout << pdu->json().dump(2) << '\n'
              << "event_id: " << pdu->event_id().str() << '\n'
              << "room_id:  " << pdu->room_id().str() << '\n'
              << "signature verifies: " << (verified ? "yes" : "no") << '\n';
    return verified ? 0 : 1;
}
