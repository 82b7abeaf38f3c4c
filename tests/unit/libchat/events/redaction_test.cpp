#include <chat/events/redaction.hpp>

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat {
namespace {

using nlohmann::json;

// A full PDU of `type` with `content`, carrying every top-level key §7.1 mentions plus
// some it does not.
json event_of(const std::string& type, json content) {
    return {
        {"event_id", "$e:a.test"},
        {"type", type},
        {"room_id", "!r:a.test"},
        {"sender", "@u:a.test"},
        {"state_key", ""},
        {"content", std::move(content)},
        {"hashes", {{"sha256", "aGFzaA"}}},
        {"signatures", {{"a.test", {{"ed25519:1", "c2ln"}}}}},
        {"depth", 7},
        {"prev_events", json::array({"$p"})},
        {"auth_events", json::array({"$a"})},
        {"origin_server_ts", 1000},
        {"origin", "a.test"},
        {"prev_state", json::array()},
        {"membership", "join"},
        {"unsigned", {{"age", 5}}},
        {"redacts", "$target"},
        {"extra", "gone"},
    };
}

json content_after(const RoomVersion& v, const std::string& type, const json& content) {
    return redact(event_of(type, content), v)["content"];
}

// §7.1

TEST(Redaction, KeepsTheCommonTopLevelKeysAndDropsTheRest) {
    for (const auto& v : RoomVersion::all()) {
        auto out = redact(event_of("m.room.message", {{"body", "hi"}}), v);
        for (const char* key : {"event_id", "type", "room_id", "sender", "state_key", "content",
                                "hashes", "signatures", "depth", "prev_events", "auth_events",
                                "origin_server_ts"})
            EXPECT_TRUE(out.contains(key)) << v.id << " " << key;
        for (const char* key : {"unsigned", "redacts", "extra"})
            EXPECT_FALSE(out.contains(key)) << v.id << " " << key;
        EXPECT_EQ(out["content"], json::object()) << v.id;
        EXPECT_EQ(out["hashes"], json({{"sha256", "aGFzaA"}}));
    }
}

TEST(Redaction, OriginPrevStateAndMembershipAreKeptUntilV10Only) {
    auto before = redact(event_of("m.room.message", json::object()), RoomVersion::v10);
    auto after = redact(event_of("m.room.message", json::object()), RoomVersion::v11);
    for (const char* key : {"origin", "prev_state", "membership"}) {
        EXPECT_TRUE(before.contains(key)) << key;
        EXPECT_FALSE(after.contains(key)) << key;
    }
    EXPECT_EQ(before["origin"], "a.test");
}

// §7.2, one test per row that changes between versions.

TEST(Redaction, MemberKeepsJoinAuthorisedViaUsersServerFromV9) {
    json content = {{"membership", "join"},
                    {"join_authorised_via_users_server", "@x:b.test"},
                    {"displayname", "U"}};
    EXPECT_EQ(content_after(RoomVersion::v8, "m.room.member", content),
              json({{"membership", "join"}}));
    EXPECT_EQ(content_after(RoomVersion::v9, "m.room.member", content),
              json({{"membership", "join"}, {"join_authorised_via_users_server", "@x:b.test"}}));
    EXPECT_EQ(content_after(RoomVersion::v1, "m.room.member", content),
              json({{"membership", "join"}}));
}

TEST(Redaction, MemberKeepsOnlyTheSignedPartOfThirdPartyInviteFromV11) {
    json content = {{"membership", "invite"},
                    {"third_party_invite",
                     {{"display_name", "x"}, {"signed", {{"mxid", "@u:a.test"}, {"token", "t"}}}}}};
    EXPECT_EQ(content_after(RoomVersion::v10, "m.room.member", content),
              json({{"membership", "invite"}}));
    EXPECT_EQ(content_after(RoomVersion::v11, "m.room.member", content),
              json({{"membership", "invite"},
                    {"third_party_invite",
                     {{"signed", {{"mxid", "@u:a.test"}, {"token", "t"}}}}}}));

    // §13.7: no `signed` leaves an empty object; a non-object is dropped.
    json unsigned_invite = {{"membership", "invite"},
                            {"third_party_invite", {{"display_name", "x"}}}};
    EXPECT_EQ(content_after(RoomVersion::v12, "m.room.member", unsigned_invite),
              json({{"membership", "invite"}, {"third_party_invite", json::object()}}));
    json odd_invite = {{"membership", "invite"}, {"third_party_invite", "x"}};
    EXPECT_EQ(content_after(RoomVersion::v12, "m.room.member", odd_invite),
              json({{"membership", "invite"}}));
}

TEST(Redaction, CreateKeepsAllContentFromV11) {
    json content = {{"creator", "@u:a.test"}, {"room_version", "10"}, {"m.federate", false}};
    EXPECT_EQ(content_after(RoomVersion::v10, "m.room.create", content),
              json({{"creator", "@u:a.test"}}));
    EXPECT_EQ(content_after(RoomVersion::v11, "m.room.create", content), content);
    json v12 = {{"room_version", "12"}, {"additional_creators", json::array({"@b:b.test"})}};
    EXPECT_EQ(content_after(RoomVersion::v12, "m.room.create", v12), v12);
}

TEST(Redaction, JoinRulesKeepAllowFromV8) {
    json content = {{"join_rule", "restricted"},
                    {"allow", json::array({{{"type", "m.room_membership"}, {"room_id", "!s"}}})},
                    {"other", 1}};
    EXPECT_EQ(content_after(RoomVersion::v7, "m.room.join_rules", content),
              json({{"join_rule", "restricted"}}));
    EXPECT_EQ(content_after(RoomVersion::v8, "m.room.join_rules", content),
              json({{"join_rule", "restricted"}, {"allow", content["allow"]}}));
    EXPECT_EQ(content_after(RoomVersion::v12, "m.room.join_rules", content),
              json({{"join_rule", "restricted"}, {"allow", content["allow"]}}));
}

TEST(Redaction, PowerLevelsKeepInviteFromV11AndNeverNotifications) {
    json content = {{"ban", 50},   {"events", {{"m.room.name", 50}}},
                    {"events_default", 0}, {"kick", 50},
                    {"redact", 50}, {"state_default", 50},
                    {"users", {{"@u:a.test", 100}}}, {"users_default", 0},
                    {"invite", 0}, {"notifications", {{"room", 50}}},
                    {"historical", 100}};
    json v1_kept = content;
    v1_kept.erase("invite");
    v1_kept.erase("notifications");
    v1_kept.erase("historical");
    json v11_kept = v1_kept;
    v11_kept["invite"] = 0;
    EXPECT_EQ(content_after(RoomVersion::v1, "m.room.power_levels", content), v1_kept);
    EXPECT_EQ(content_after(RoomVersion::v10, "m.room.power_levels", content), v1_kept);
    EXPECT_EQ(content_after(RoomVersion::v11, "m.room.power_levels", content), v11_kept);
    EXPECT_EQ(content_after(RoomVersion::v12, "m.room.power_levels", content), v11_kept);
}

TEST(Redaction, AliasesAreKeptOnlyUntilV5) {
    json content = {{"aliases", json::array({"#a:a.test"})}, {"other", 1}};
    EXPECT_EQ(content_after(RoomVersion::v5, "m.room.aliases", content),
              json({{"aliases", json::array({"#a:a.test"})}}));
    EXPECT_EQ(content_after(RoomVersion::v6, "m.room.aliases", content), json::object());
    EXPECT_EQ(content_after(RoomVersion::v11, "m.room.aliases", content), json::object());
}

TEST(Redaction, RedactionKeepsContentRedactsFromV11) {
    json content = {{"redacts", "$target"}, {"reason", "spam"}};
    EXPECT_EQ(content_after(RoomVersion::v10, "m.room.redaction", content), json::object());
    EXPECT_EQ(content_after(RoomVersion::v11, "m.room.redaction", content),
              json({{"redacts", "$target"}}));
    // The top-level `redacts` of v1-v10 redaction events goes in every version.
    auto v10_redaction = redact(event_of("m.room.redaction", content), RoomVersion::v10);
    EXPECT_FALSE(v10_redaction.contains("redacts"));
}

TEST(Redaction, HistoryVisibilityIsKeptInEveryVersion) {
    json content = {{"history_visibility", "shared"}, {"other", 1}};
    for (const auto& v : RoomVersion::all())
        EXPECT_EQ(content_after(v, "m.room.history_visibility", content),
                  json({{"history_visibility", "shared"}}))
            << v.id;
}

// Hostile or odd input.

TEST(Redaction, NeverAddsKeys) {
    json sparse = {{"type", "m.room.power_levels"}, {"content", {{"ban", 50}}}};
    for (const auto& v : RoomVersion::all())
        EXPECT_EQ(redact(sparse, v), sparse) << v.id;
    json no_content = {{"type", "m.room.member"}, {"sender", "@u:a.test"}};
    EXPECT_EQ(redact(no_content, RoomVersion::v12), no_content);
}

TEST(Redaction, NonObjectContentBecomesEmpty) {
    for (json content : {json("text"), json::array({1}), json(nullptr), json(3)}) {
        json event = {{"type", "m.room.create"}, {"content", content}};
        EXPECT_EQ(redact(event, RoomVersion::v11)["content"], json::object());
        EXPECT_EQ(redact(event, RoomVersion::v1)["content"], json::object());
    }
}

TEST(Redaction, NonStringTypeKeepsNoContent) {
    json event = {{"type", 5}, {"content", {{"membership", "join"}}}};
    EXPECT_EQ(redact(event, RoomVersion::v9)["content"], json::object());
    EXPECT_EQ(redact(event, RoomVersion::v9)["type"], 5);
}

TEST(Redaction, NonObjectEventGivesEmptyObject) {
    for (json event : {json::array(), json("x"), json(nullptr)})
        EXPECT_EQ(redact(event, RoomVersion::v12), json::object());
}

TEST(Redaction, IsIdempotent) {
    for (const auto& v : RoomVersion::all()) {
        auto once = redact(event_of("m.room.member", {{"membership", "join"},
                                                      {"third_party_invite", {{"signed", 1}}}}),
                           v);
        EXPECT_EQ(redact(once, v), once) << v.id;
    }
}

}  // namespace
}  // namespace chat
