#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <chat/events/room_version.hpp>

namespace chat {

// The redaction algorithm of `version` (spec: events-and-rooms.md §7.1, §7.2): a copy of
// `event` with only the top-level keys the protocol needs, and only the content keys its
// type keeps. Used when applying m.room.redaction and, always, before signing, verifying
// and computing reference hashes (§6).
//
// Untrusted input is fine and nothing throws: a key is kept only if present (nothing is
// ever added), a non-object `content` becomes {}, and a `type` that is not a string keeps
// no content. A non-object `event` gives {}. `unsigned` is always dropped; callers that
// serve the redacted event to clients add unsigned.redacted_because themselves (§7.3).
//
// Ambiguity (§13.7): in v11+, an m.room.member `third_party_invite` that is an object
// becomes {"signed": ...} when it has `signed`, and {} when it has not; one that is not an
// object is dropped.
nlohmann::json redact(const nlohmann::json& event, const RoomVersion& version);

// Parts of redact(), for forms written straight from the event: whether the
// top-level member `key` (other than `content`) is kept, and the content
// kept of an event of `type` (null: not a string) whose content is `content`.
bool redaction_keeps(std::string_view key, const RoomVersion& version);
nlohmann::json redacted_content(const nlohmann::json& content, const nlohmann::json* type,
                                const RoomVersion& version);

}  // namespace chat
