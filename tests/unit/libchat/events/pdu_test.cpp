#include <chat/events/pdu.hpp>

#include <gtest/gtest.h>

#include <chat/events/event_hashes.hpp>
#include <chat/json/canonical.hpp>

#include "support/event_builder.hpp"

namespace chat {
namespace {

using test::build_event;

PduPtr create_event(const RoomVersion& v, const std::string& room_id = "!room:a.test") {
    nlohmann::json content = {{"room_version", std::string(v.id)}};
    if (v.creator_in_create) content["creator"] = "@alice:a.test";
    test::EventSpec spec{.type = "m.room.create", .sender = "@alice:a.test", .state_key = "",
                         .content = content};
    if (!v.room_id_is_create_event_hash) spec.room_id = room_id;
    return build_event(v, spec);
}

TEST(Pdu, V12CreateEventTakesItsRoomIdFromItsHash) {
    auto create = create_event(RoomVersion::v12);
    EXPECT_TRUE(create->room_id().is_hash_form());
    EXPECT_EQ(create->room_id().str().substr(1), create->event_id().str().substr(1));
    EXPECT_EQ(*room_id_from_create_event(create->json(), RoomVersion::v12), create->room_id().str());
}

TEST(Pdu, ReadsEveryFieldOfAMessage) {
    for (const auto& v : RoomVersion::all()) {
        auto create = create_event(v);
        auto msg = build_event(v, {.type = "m.room.message", .sender = "@alice:a.test",
                                   .content = {{"body", "hi"}}, .prev_events = {create},
                                   .auth_events = {create}, .origin_server_ts = 1234});
        EXPECT_EQ(msg->room_id(), create->room_id()) << v.id;
        EXPECT_EQ(msg->type(), "m.room.message");
        EXPECT_FALSE(msg->is_state());
        EXPECT_EQ(msg->depth(), 2);
        EXPECT_EQ(msg->origin_server_ts(), 1234);
        ASSERT_EQ(msg->prev_events().size(), 1u) << v.id;
        EXPECT_EQ(msg->prev_events()[0], create->event_id());
        EXPECT_EQ(msg->content()["body"], "hi");
        // The parsed id agrees with the spec's algorithm for the version.
        EXPECT_EQ(*compute_event_id(msg->json(), v), msg->event_id().str()) << v.id;
    }
}

// from_signed hands back the canonical form it measured, which is what the
// store keeps for an event built here; an `unsigned` part is not measured,
// so then there is nothing to hand back.
TEST(Pdu, FromSignedGivesTheCanonicalFormItMeasured) {
    auto create = create_event(RoomVersion::v12);
    auto msg = build_event(RoomVersion::v12,
                           {.type = "m.room.message", .sender = "@alice:a.test",
                            .content = {{"body", "caf\u00e9 \"x\""}, {"n", 3}},
                            .prev_events = {create}, .auth_events = {create}});
    std::string canonical;
    auto parsed = Pdu::from_signed(msg->json(), RoomVersion::v12, msg->event_id(), &canonical);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(canonical, *json::canonical_json(msg->json()));
    EXPECT_EQ(nlohmann::json::parse(canonical), msg->json());

    nlohmann::json with_unsigned = msg->json();
    with_unsigned["unsigned"] = {{"age", 1}};
    std::string none = "untouched";
    ASSERT_TRUE(Pdu::from_signed(with_unsigned, RoomVersion::v12, msg->event_id(), &none));
    EXPECT_EQ(none, "untouched");

    // Too large: refused, nothing handed back.
    nlohmann::json big = msg->json();
    big["content"]["body"] = std::string(70000, 'x');
    std::string refused;
    auto too_large = Pdu::from_signed(big, RoomVersion::v12, msg->event_id(), &refused);
    ASSERT_FALSE(too_large);
    EXPECT_EQ(too_large.error().code, Errc::too_large);
    EXPECT_TRUE(refused.empty());
}

TEST(Pdu, RedactsMovesIntoContentInV11) {
    auto c10 = create_event(RoomVersion::v10);
    auto r10 = build_event(RoomVersion::v10,
                           {.type = "m.room.redaction", .sender = "@alice:a.test",
                            .prev_events = {c10}, .auth_events = {c10},
                            .extra = {{"redacts", std::string(c10->event_id().str())}}});
    ASSERT_TRUE(r10->redacts());
    EXPECT_EQ(*r10->redacts(), c10->event_id());

    auto c11 = create_event(RoomVersion::v11);
    auto r11 = build_event(RoomVersion::v11,
                           {.type = "m.room.redaction", .sender = "@alice:a.test",
                            .content = {{"redacts", std::string(c11->event_id().str())}},
                            .prev_events = {c11}, .auth_events = {c11}});
    ASSERT_TRUE(r11->redacts());
    EXPECT_EQ(*r11->redacts(), c11->event_id());
}

class PduRefusal : public ::testing::Test {
protected:
    void SetUp() override {
        create_ = create_event(RoomVersion::v10);
        good_ = build_event(RoomVersion::v10, {.type = "m.room.message", .sender = "@alice:a.test",
                                               .prev_events = {create_}, .auth_events = {create_}})
                    ->json();
    }
    Errc refusal(const nlohmann::json& event) {
        auto pdu = Pdu::from_json(event, RoomVersion::v10);
        EXPECT_FALSE(pdu) << event.dump();
        return pdu ? Errc::internal : pdu.error().code;
    }
    PduPtr create_;
    nlohmann::json good_;
};

TEST_F(PduRefusal, WrongShapes) {
    EXPECT_TRUE(Pdu::from_json(good_, RoomVersion::v10));
    EXPECT_EQ(refusal(nlohmann::json::array()), Errc::bad_json);
    for (const char* field : {"type", "sender", "room_id", "content", "depth", "origin_server_ts",
                              "prev_events", "auth_events", "hashes", "signatures"}) {
        auto missing = good_;
        missing.erase(field);
        EXPECT_EQ(refusal(missing), Errc::bad_json) << field;
        auto wrong = good_;
        wrong[field] = 1.5;
        EXPECT_NE(refusal(wrong), Errc::internal) << field;
    }
}

TEST_F(PduRefusal, BadValues) {
    auto e = good_;
    e["sender"] = "alice";
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["depth"] = -1;
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["depth"] = 9007199254740992LL;  // past the v6+ limit (and canonical range)
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["type"] = std::string(256, 't');
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["state_key"] = std::string(256, 's');
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["prev_events"] = nlohmann::json::array({"$not-a-hash"});
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["prev_events"] = nlohmann::json::array();
    for (int i = 0; i < 21; ++i) e["prev_events"].push_back(std::string(create_->event_id().str()));
    EXPECT_EQ(refusal(e), Errc::bad_json);
    e = good_;
    e["content"]["body"] = std::string(70000, 'x');
    EXPECT_EQ(refusal(e), Errc::too_large);
}

TEST_F(PduRefusal, EdgeCountsAreNotLimitedForBackfill) {
    auto e = good_;
    e["prev_events"] = nlohmann::json::array();
    for (int i = 0; i < 21; ++i) e["prev_events"].push_back(std::string(create_->event_id().str()));
    EXPECT_TRUE(Pdu::from_json(e, RoomVersion::v10, {.check_edge_counts = false}));
}

}  // namespace
}  // namespace chat
