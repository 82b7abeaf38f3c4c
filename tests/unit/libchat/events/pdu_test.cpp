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

// The parts of an event as the event says them.
Pdu::Parts parts_of(const Pdu& event) {
    return {.room_id = event.room_id(),
            .sender = event.sender(),
            .type = event.type(),
            .state_key = event.state_key(),
            .depth = event.depth(),
            .origin_server_ts = event.origin_server_ts(),
            .prev_events = event.prev_events(),
            .auth_events = event.auth_events()};
}

// from_built takes the fields from the parts, checks from_json's limits on
// them, and hands back the canonical form as from_signed does.
TEST(Pdu, FromBuiltTakesItsFieldsFromThePartsInEveryVersion) {
    for (const auto& v : RoomVersion::all()) {
        SCOPED_TRACE(std::string(v.id));
        auto create = create_event(v);
        auto msg = build_event(v, {.type = "m.room.member", .sender = "@alice:a.test",
                                   .state_key = "@alice:a.test",
                                   .content = {{"membership", "join"}},
                                   .prev_events = {create}, .auth_events = {create},
                                   .origin_server_ts = 99});
        std::string canonical;
        auto built = Pdu::from_built(msg->json(), v, msg->event_id(), parts_of(*msg), &canonical);
        ASSERT_TRUE(built) << built.error().detail;
        EXPECT_EQ(built->event_id(), msg->event_id());
        EXPECT_EQ(built->room_id(), msg->room_id());
        EXPECT_EQ(built->sender(), msg->sender());
        EXPECT_EQ(built->type(), "m.room.member");
        EXPECT_EQ(built->state_key(), std::optional<std::string>("@alice:a.test"));
        EXPECT_EQ(built->depth(), msg->depth());
        EXPECT_EQ(built->origin_server_ts(), 99);
        EXPECT_EQ(built->prev_events(), std::vector<EventId>{create->event_id()});
        EXPECT_EQ(built->auth_events(), std::vector<EventId>{create->event_id()});
        EXPECT_EQ(built->json(), msg->json());
        EXPECT_EQ(canonical, v.strict_canonical_json ? *json::canonical_json(msg->json())
                                                     : json::canonical_json_lenient(msg->json()));
    }
}

TEST(Pdu, FromBuiltChecksTheLimitsOfFromJson) {
    auto create = create_event(RoomVersion::v12);
    auto msg = build_event(RoomVersion::v12, {.type = "m.room.message", .sender = "@alice:a.test",
                                              .content = {{"body", "hi"}},
                                              .prev_events = {create}, .auth_events = {create}});
    auto refused = [&](Pdu::Parts parts, nlohmann::json event) {
        auto r = Pdu::from_built(std::move(event), RoomVersion::v12, msg->event_id(),
                                 std::move(parts));
        return r ? std::optional<Errc>() : std::optional<Errc>(r.error().code);
    };
    auto long_type = parts_of(*msg);
    long_type.type = std::string(kMaxEventTypeBytes + 1, 't');
    EXPECT_EQ(refused(long_type, msg->json()), Errc::bad_json);
    auto many_prev = parts_of(*msg);
    many_prev.prev_events.assign(kMaxPrevEvents + 1, create->event_id());
    EXPECT_EQ(refused(many_prev, msg->json()), Errc::bad_json);
    auto deep = parts_of(*msg);
    deep.depth = -1;
    EXPECT_EQ(refused(deep, msg->json()), Errc::bad_json);
    nlohmann::json not_object = msg->json();
    not_object["content"] = "text";
    EXPECT_EQ(refused(parts_of(*msg), not_object), Errc::bad_json);
    nlohmann::json big = msg->json();
    big["content"]["body"] = std::string(70000, 'x');
    EXPECT_EQ(refused(parts_of(*msg), big), Errc::too_large);
}

#ifndef NDEBUG
// Where the JSON says something else than the parts, a build with
// assertions refuses the event: the mistake is the caller's.
TEST(Pdu, FromBuiltRefusesPartsTheJsonDoesNotSay) {
    auto create = create_event(RoomVersion::v12);
    auto msg = build_event(RoomVersion::v12, {.type = "m.room.message", .sender = "@alice:a.test",
                                              .content = {{"body", "hi"}},
                                              .prev_events = {create}, .auth_events = {create}});
    auto other_depth = parts_of(*msg);
    other_depth.depth += 1;
    auto r = Pdu::from_built(msg->json(), RoomVersion::v12, msg->event_id(), other_depth);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::internal);
    auto other_sender = parts_of(*msg);
    other_sender.sender = UserId::parse("@bob:a.test").value();
    EXPECT_FALSE(Pdu::from_built(msg->json(), RoomVersion::v12, msg->event_id(), other_sender));
}
#endif

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
