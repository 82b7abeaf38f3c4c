#include <chat/events/room_version.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace chat {
namespace {

constexpr std::int64_t kMaxDepthV1 = std::numeric_limits<std::int64_t>::max();  // 2^63 - 1
constexpr std::int64_t kMaxDepthV6 = 9007199254740991;                          // 2^53 - 1

// One row of the §1.2 table. The spec versions are a line: each feature starts at one
// version and holds for every later one, so the rules read as "since version N". An
// experimental version added later would be written out field by field instead.
constexpr RoomVersion spec_version(std::string_view id, int n) {
    RoomVersion v{};
    v.id = id;
    v.stability = RoomVersionStability::stable;

    v.event_id_format = n <= 2   ? EventIdFormat::legacy
                        : n == 3 ? EventIdFormat::base64
                                 : EventIdFormat::url_safe_base64;
    v.pdu_format = n <= 2    ? PduFormat::v1
                   : n <= 5  ? PduFormat::v3
                   : n <= 10 ? PduFormat::v6
                   : n == 11 ? PduFormat::v11
                             : PduFormat::v12;
    v.redaction_rules = n <= 5    ? RedactionRules::r1
                        : n <= 7  ? RedactionRules::r6
                        : n == 8  ? RedactionRules::r8
                        : n <= 10 ? RedactionRules::r9
                                  : RedactionRules::r11;
    v.auth_rules = n <= 2    ? AuthRules::a1
                   : n <= 5  ? AuthRules::a3
                   : n == 6  ? AuthRules::a6
                   : n == 7  ? AuthRules::a7
                   : n <= 9  ? AuthRules::a8
                   : n == 10 ? AuthRules::a10
                   : n == 11 ? AuthRules::a11
                             : AuthRules::a12;
    v.state_res = n == 1    ? StateResAlgorithm::v1
                  : n <= 11 ? StateResAlgorithm::v2
                            : StateResAlgorithm::v2_1;
    v.room_id_format = n <= 11 ? RoomIdFormat::local_domain : RoomIdFormat::create_event_hash;

    v.special_aliases_auth = n <= 5;
    v.redaction_auth_rule = n <= 2;
    v.event_id_domain_signature = n <= 2;
    v.knock = n >= 7;
    v.restricted_joins = n >= 8;
    v.knock_restricted = n >= 10;
    v.string_power_levels = n <= 9;
    v.float_power_levels = n <= 5;
    v.integer_only_power_levels = n >= 10;
    v.notifications_in_power_levels_auth = n >= 6;
    v.creator_in_create = n <= 10;
    v.redacts_in_content = n >= 11;
    v.room_id_is_create_event_hash = n >= 12;
    v.creators_have_infinite_power = n >= 12;
    v.strict_canonical_json = n >= 6;
    v.enforce_key_validity = n >= 5;
    v.max_depth = n <= 5 ? kMaxDepthV1 : kMaxDepthV6;
    return v;
}

constexpr std::array<RoomVersion, 12> kVersions = {
    spec_version("1", 1),   spec_version("2", 2),   spec_version("3", 3),
    spec_version("4", 4),   spec_version("5", 5),   spec_version("6", 6),
    spec_version("7", 7),   spec_version("8", 8),   spec_version("9", 9),
    spec_version("10", 10), spec_version("11", 11), spec_version("12", 12),
};

constexpr std::size_t kDefaultIndex = 11;  // "12"

// Spot checks of the table against §1.2, so that an edit to spec_version() that breaks a
// row fails the build.
static_assert(kVersions[0].state_res == StateResAlgorithm::v1);
static_assert(kVersions[1].state_res == StateResAlgorithm::v2);
static_assert(kVersions[2].event_id_format == EventIdFormat::base64);
static_assert(kVersions[3].event_id_format == EventIdFormat::url_safe_base64);
static_assert(!kVersions[3].enforce_key_validity && kVersions[4].enforce_key_validity);
static_assert(kVersions[4].float_power_levels && !kVersions[5].float_power_levels);
static_assert(kVersions[5].redaction_rules == RedactionRules::r6);
static_assert(kVersions[8].string_power_levels && !kVersions[9].string_power_levels);
static_assert(kVersions[10].redaction_rules == RedactionRules::r11);
static_assert(kVersions[11].room_id_format == RoomIdFormat::create_event_hash);
static_assert(kVersions[kDefaultIndex].id == "12");

}  // namespace

const RoomVersion& RoomVersion::v1 = kVersions[0];
const RoomVersion& RoomVersion::v2 = kVersions[1];
const RoomVersion& RoomVersion::v3 = kVersions[2];
const RoomVersion& RoomVersion::v4 = kVersions[3];
const RoomVersion& RoomVersion::v5 = kVersions[4];
const RoomVersion& RoomVersion::v6 = kVersions[5];
const RoomVersion& RoomVersion::v7 = kVersions[6];
const RoomVersion& RoomVersion::v8 = kVersions[7];
const RoomVersion& RoomVersion::v9 = kVersions[8];
const RoomVersion& RoomVersion::v10 = kVersions[9];
const RoomVersion& RoomVersion::v11 = kVersions[10];
const RoomVersion& RoomVersion::v12 = kVersions[11];

const RoomVersion* RoomVersion::find(std::string_view id) noexcept {
    for (const auto& v : kVersions)
        if (v.id == id) return &v;
    return nullptr;
}

Result<const RoomVersion*> RoomVersion::get(std::string_view id) {
    if (const auto* v = find(id)) return v;
    // The id is untrusted: keep it out of the client message, bounded in the log detail.
    return make_error(Errc::unsupported_room_version, "This room version is not supported.",
                      "room version: " + std::string(id.substr(0, kMaxRoomVersionIdLength)));
}

std::span<const RoomVersion> RoomVersion::all() noexcept { return kVersions; }

const RoomVersion& RoomVersion::default_version() noexcept { return kVersions[kDefaultIndex]; }

bool is_valid_room_version_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxRoomVersionIdLength) return false;
    // Every allowed code point is ASCII, so code points and bytes coincide here.
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool is_reserved_room_version_id(std::string_view id) noexcept {
    if (!is_valid_room_version_id(id)) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || c == '.')) return false;
    return true;
}

}  // namespace chat
