#pragma once

// What crash_writer and crash_tests agree on: the server, its signing key
// (fixed, so that the test can verify the signatures the writer made) and
// the users of the room.

#include <string>

#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/crypto/signing_key.hpp>

namespace chat::test::crash {

inline constexpr const char* kServerName = "crash.test";

inline ServerName server_name() { return ServerName::parse(kServerName).value(); }

inline crypto::SigningKey signing_key() {
    return crypto::SigningKey::from_seed("crash", std::string(32, 'k')).value();
}

// The creator sends the state events; the others send messages; the last one
// joins and leaves over and over (membership changes while being killed).
inline UserId creator() { return UserId::parse("@alice:crash.test").value(); }
inline UserId member(int i) {
    return UserId::parse("@member" + std::to_string(i) + ":crash.test").value();
}
inline UserId toggler() { return UserId::parse("@toggler:crash.test").value(); }
inline constexpr int kMembers = 3;

// The custom state event type the writer overwrites at a few state keys.
inline constexpr const char* kStateType = "org.example.crash.state";
inline constexpr int kStateKeys = 5;

}  // namespace chat::test::crash
