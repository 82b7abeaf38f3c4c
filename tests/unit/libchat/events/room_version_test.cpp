#include <chat/events/room_version.hpp>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/spec_vectors.hpp"

namespace chat {
namespace {

// The §1.2 table, written out row by row so that the descriptor table is checked against
// an independent copy rather than against itself.
struct Row {
    const char* id;
    EventIdFormat event_id;
    PduFormat pdu;
    RedactionRules redaction;
    AuthRules auth;
    StateResAlgorithm state_res;
    bool strict_json;
    bool key_validity;
    RoomIdFormat room_id;
};

using E = EventIdFormat;
using P = PduFormat;
using R = RedactionRules;
using A = AuthRules;
using S = StateResAlgorithm;
using I = RoomIdFormat;

constexpr Row kTable[] = {
    {"1", E::legacy, P::v1, R::r1, A::a1, S::v1, false, false, I::local_domain},
    {"2", E::legacy, P::v1, R::r1, A::a1, S::v2, false, false, I::local_domain},
    {"3", E::base64, P::v3, R::r1, A::a3, S::v2, false, false, I::local_domain},
    {"4", E::url_safe_base64, P::v3, R::r1, A::a3, S::v2, false, false, I::local_domain},
    {"5", E::url_safe_base64, P::v3, R::r1, A::a3, S::v2, false, true, I::local_domain},
    {"6", E::url_safe_base64, P::v6, R::r6, A::a6, S::v2, true, true, I::local_domain},
    {"7", E::url_safe_base64, P::v6, R::r6, A::a7, S::v2, true, true, I::local_domain},
    {"8", E::url_safe_base64, P::v6, R::r8, A::a8, S::v2, true, true, I::local_domain},
    {"9", E::url_safe_base64, P::v6, R::r9, A::a8, S::v2, true, true, I::local_domain},
    {"10", E::url_safe_base64, P::v6, R::r9, A::a10, S::v2, true, true, I::local_domain},
    {"11", E::url_safe_base64, P::v11, R::r11, A::a11, S::v2, true, true, I::local_domain},
    {"12", E::url_safe_base64, P::v12, R::r11, A::a12, S::v2_1, true, true,
     I::create_event_hash},
};

int number(const RoomVersion& v) { return std::stoi(std::string(v.id)); }

TEST(RoomVersion, DescriptorsMatchTheSpecTable) {
    for (const auto& row : kTable) {
        const auto* v = RoomVersion::find(row.id);
        ASSERT_NE(v, nullptr) << row.id;
        EXPECT_EQ(v->id, row.id);
        EXPECT_EQ(v->stability, RoomVersionStability::stable) << row.id;
        EXPECT_EQ(v->event_id_format, row.event_id) << row.id;
        EXPECT_EQ(v->pdu_format, row.pdu) << row.id;
        EXPECT_EQ(v->redaction_rules, row.redaction) << row.id;
        EXPECT_EQ(v->auth_rules, row.auth) << row.id;
        EXPECT_EQ(v->state_res, row.state_res) << row.id;
        EXPECT_EQ(v->strict_canonical_json, row.strict_json) << row.id;
        EXPECT_EQ(v->enforce_key_validity, row.key_validity) << row.id;
        EXPECT_EQ(v->room_id_format, row.room_id) << row.id;
    }
}

// The feature matrix of §1.2 and the deltas of §10.3, as "first version with the feature".
TEST(RoomVersion, FeatureFlagsStartAtTheSpecifiedVersion) {
    for (const auto& v : RoomVersion::all()) {
        const int n = number(v);
        SCOPED_TRACE("room version " + std::to_string(n));
        EXPECT_EQ(v.event_id_in_pdu(), n <= 2);
        EXPECT_EQ(v.event_id_domain_signature, n <= 2);
        EXPECT_EQ(v.redaction_auth_rule, n <= 2);
        EXPECT_EQ(v.special_aliases_auth, n <= 5);
        EXPECT_EQ(v.float_power_levels, n <= 5);
        EXPECT_EQ(v.notifications_in_power_levels_auth, n >= 6);
        EXPECT_EQ(v.knock, n >= 7);
        EXPECT_EQ(v.restricted_joins, n >= 8);
        EXPECT_EQ(v.string_power_levels, n <= 9);
        EXPECT_EQ(v.knock_restricted, n >= 10);
        EXPECT_EQ(v.integer_only_power_levels, n >= 10);
        EXPECT_EQ(v.creator_in_create, n <= 10);
        EXPECT_EQ(v.redacts_in_content, n >= 11);
        EXPECT_EQ(v.room_id_is_create_event_hash, n >= 12);
        EXPECT_EQ(v.creators_have_infinite_power, n >= 12);
    }
}

TEST(RoomVersion, MaxDepthIsTheSpecLimit) {
    const auto& c = test::spec_vectors()["constants"];
    for (const auto& v : RoomVersion::all()) {
        auto expected = number(v) <= 5 ? c["depth_max_room_v1_to_v5"].get<std::int64_t>()
                                       : c["depth_max_room_v6_plus"].get<std::int64_t>();
        EXPECT_EQ(v.max_depth, expected) << v.id;
    }
    EXPECT_EQ(RoomVersion::v5.max_depth, INT64_MAX);
    EXPECT_EQ(RoomVersion::v6.max_depth, 9007199254740991);
}

TEST(RoomVersion, AllListsOneToTwelveInOrder) {
    auto all = RoomVersion::all();
    ASSERT_EQ(all.size(), 12u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].id, std::to_string(i + 1));
        EXPECT_EQ(RoomVersion::find(all[i].id), &all[i]);
    }
    EXPECT_EQ(&RoomVersion::v1, &all[0]);
    EXPECT_EQ(&RoomVersion::v11, &all[10]);
    EXPECT_EQ(&RoomVersion::v12, &all[11]);
}

TEST(RoomVersion, DefaultIsTwelve) {
    EXPECT_EQ(RoomVersion::default_version().id, "12");
    EXPECT_EQ(&RoomVersion::default_version(), &RoomVersion::v12);
}

TEST(RoomVersion, UnknownVersionsAreUnsupported) {
    for (const char* id : {"0", "13", "", "1 ", "01", "org.example.v1", "V1"}) {
        EXPECT_EQ(RoomVersion::find(id), nullptr) << id;
        auto got = RoomVersion::get(id);
        ASSERT_FALSE(got) << id;
        EXPECT_EQ(got.error().code, Errc::unsupported_room_version);
    }
    auto got = RoomVersion::get("10");
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, &RoomVersion::v10);
}

TEST(RoomVersion, EqualityIsById) {
    EXPECT_EQ(RoomVersion::v3, *RoomVersion::find("3"));
    EXPECT_FALSE(RoomVersion::v3 == RoomVersion::v4);
}

TEST(RoomVersionGrammar, SpecVectors) {
    const auto& vectors = test::spec_vectors()["room_versions_valid_grammar"]["vectors"];
    ASSERT_FALSE(vectors.empty());
    for (const auto& v : vectors) {
        auto id = v["input"].get<std::string>();
        EXPECT_EQ(is_valid_room_version_id(id), v["valid"].get<bool>()) << id;
        EXPECT_EQ(is_reserved_room_version_id(id), v["reserved_for_matrix"].get<bool>()) << id;
    }
}

TEST(RoomVersionGrammar, RefusesEmptyLongAndForeignCharacters) {
    EXPECT_TRUE(is_valid_room_version_id(std::string(32, 'a')));
    EXPECT_FALSE(is_valid_room_version_id(std::string(33, 'a')));
    for (const char* bad : {"", "A", "1_2", "1 2", "v1/2", "caf\xC3\xA9", "1:2", "org.Example"})
        EXPECT_FALSE(is_valid_room_version_id(bad)) << bad;
    EXPECT_FALSE(is_reserved_room_version_id(""));
    EXPECT_FALSE(is_reserved_room_version_id("1-2"));
    EXPECT_TRUE(is_reserved_room_version_id("12"));
    for (const auto& v : RoomVersion::all()) {
        EXPECT_TRUE(is_valid_room_version_id(v.id));
        EXPECT_TRUE(is_reserved_room_version_id(v.id));
    }
}

}  // namespace
}  // namespace chat
