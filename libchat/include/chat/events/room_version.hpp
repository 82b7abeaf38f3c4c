#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <chat/core/result.hpp>

namespace chat {

// How a room version names its events (spec: events-and-rooms.md §2.5, §6.3).
enum class EventIdFormat {
    legacy,           // v1-v2: "$opaque:domain", carried in the PDU's `event_id` field
    base64,           // v3: "$" + standard unpadded base64 of the reference hash
    url_safe_base64,  // v4+: "$" + URL-safe unpadded base64 of the reference hash
};

// PDU shapes (§5).
enum class PduFormat {
    v1,   // v1-v2: event_id field; prev_events/auth_events are [id, {"sha256": b64}] pairs
    v3,   // v3-v5: no event_id; prev_events/auth_events are id lists; depth <= 2^63-1
    v6,   // v6-v10: as v3, depth <= 2^53-1
    v11,  // v11: `redacts` inside content of m.room.redaction, no `creator` in create
    v12,  // v12: room id is the create event's hash; create carries no room_id
};

// Redaction algorithms (§7), named after the first version that uses each. Declared in
// version order: each later algorithm compares greater.
enum class RedactionRules {
    r1,   // v1-v5
    r6,   // v6-v7: m.room.aliases loses its special treatment
    r8,   // v8: join_rules keeps `allow`
    r9,   // v9-v10: member keeps `join_authorised_via_users_server`
    r11,  // v11-v12: rewrite (create keeps all content, origin etc. dropped, ...)
};

// Authorization rule sets (§10), named after the first version that uses each.
enum class AuthRules {
    a1,   // v1-v2
    a3,   // v3-v5: redaction rule 11 removed
    a6,   // v6: m.room.aliases rule removed, notifications covered by PL rules
    a7,   // v7: knock
    a8,   // v8-v9: restricted joins
    a10,  // v10: knock_restricted, integer-only power levels
    a11,  // v11: no `creator` in create; first join checked against the create sender
    a12,  // v12: creators, room_id = create event hash, create not in auth_events
};

// State resolution algorithms (§11).
enum class StateResAlgorithm {
    v1,    // room v1 only
    v2,    // rooms v2-v11
    v2_1,  // room v12: v2 with the v12 changes (§11.5)
};

// How room ids are formed (§2.4).
enum class RoomIdFormat {
    local_domain,       // v1-v11: "!opaque:domain"
    create_event_hash,  // v12: "!" + URL-safe unpadded base64 of the create event's reference hash
};

enum class RoomVersionStability { stable, unstable };

// Every rule that depends on a room's version (spec: events-and-rooms.md §1.2 and the
// per-section tables it points to). One constant descriptor per version lives in a static
// table: look them up with find()/get(), never build one. Code that needs a
// version-dependent answer asks the descriptor instead of comparing version strings.
// Immutable and thread-safe.
struct RoomVersion {
    std::string_view id;  // "1".."12"
    RoomVersionStability stability;

    EventIdFormat event_id_format;
    PduFormat pdu_format;
    RedactionRules redaction_rules;
    AuthRules auth_rules;
    StateResAlgorithm state_res;
    RoomIdFormat room_id_format;

    // §10.2 rule 4 (v1-v5): m.room.aliases has its own auth rule (state_key must equal the
    // sender's domain). From v6 aliases are ordinary state events.
    bool special_aliases_auth;
    // §10.2 rule 11 (v1-v2): redactions are checked against the redact level by the auth
    // rules themselves. From v3 that check moves to §7.3 (applying redactions).
    bool redaction_auth_rule;
    // §6.5.2 (v1-v2): events also need a signature from the server named in `event_id`.
    bool event_id_domain_signature;
    // §10.3 v7: the `knock` join rule and `knock` membership.
    bool knock;
    // §10.3 v8: the `restricted` join rule, `allow` and `join_authorised_via_users_server`.
    bool restricted_joins;
    // §10.3 v10: the `knock_restricted` join rule.
    bool knock_restricted;
    // §8.3: power level values may be numeric strings (v1-v9).
    bool string_power_levels;
    // §8.3: power level values may be floats, truncated towards zero (v1-v5).
    bool float_power_levels;
    // §8.3, §10.3 v10: power level values must be JSON integers (v10+).
    bool integer_only_power_levels;
    // §10.3 v6: PL rules 9.4/9.5 also cover the `notifications` map (v6+).
    bool notifications_in_power_levels_auth;
    // §5: m.room.create content carries a required `creator` (v1-v10).
    bool creator_in_create;
    // §5: m.room.redaction names its target in `content.redacts` (v11+), not top-level.
    bool redacts_in_content;
    // §2.4, §10.3 v12: the room id is "!" + the create event's reference hash, the create
    // event has no `room_id` and is never listed in `auth_events`.
    bool room_id_is_create_event_hash;
    // §8.2 v12: the create sender and `additional_creators` have infinite power.
    bool creators_have_infinite_power;
    // §4 rule 8: canonical JSON is strictly enforced (v6+); v1-v5 events may carry floats
    // and out-of-range integers that must still be hashed and verified.
    bool strict_canonical_json;
    // §6.5.4: a signing key's valid_until_ts must cover the event's origin_server_ts (v5+).
    bool enforce_key_validity;
    // §2.8: the largest allowed `depth` (2^63-1 for v1-v5, 2^53-1 for v6+).
    std::int64_t max_depth;

    // True for v1-v2, whose PDUs carry their own `event_id`.
    constexpr bool event_id_in_pdu() const noexcept {
        return event_id_format == EventIdFormat::legacy;
    }

    // The descriptor for `id`, or nullptr for a version we do not implement. Untrusted
    // input is fine; nothing is allocated.
    static const RoomVersion* find(std::string_view id) noexcept;
    // As find(), but an unknown version is Errc::unsupported_room_version (the error a
    // client or remote server should see). The pointer is never null on success.
    static Result<const RoomVersion*> get(std::string_view id);
    // Every version we implement, "1" to "12" in order.
    static std::span<const RoomVersion> all() noexcept;
    // The version for new rooms: "12", as the spec recommends (§1.1).
    static const RoomVersion& default_version() noexcept;

    // Shorthands for code and tests that name a version.
    static const RoomVersion& v1;
    static const RoomVersion& v2;
    static const RoomVersion& v3;
    static const RoomVersion& v4;
    static const RoomVersion& v5;
    static const RoomVersion& v6;
    static const RoomVersion& v7;
    static const RoomVersion& v8;
    static const RoomVersion& v9;
    static const RoomVersion& v10;
    static const RoomVersion& v11;
    static const RoomVersion& v12;

    // Descriptors are unique per version, so the id identifies them.
    friend constexpr bool operator==(const RoomVersion& a, const RoomVersion& b) noexcept {
        return a.id == b.id;
    }
};

inline constexpr std::size_t kMaxRoomVersionIdLength = 32;

// True when `id` matches the room version grammar (§1.1): 1 to 32 code points, each from
// [a-z0-9.-]. Says nothing about whether we support it. Untrusted input is fine.
bool is_valid_room_version_id(std::string_view id) noexcept;

// True for valid ids made only of [0-9.], which the spec reserves for itself (§1.1).
bool is_reserved_room_version_id(std::string_view id) noexcept;

}  // namespace chat
