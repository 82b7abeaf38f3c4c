#include <chat/sync/sync_assembler.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <chat/json/parse.hpp>

#include "libchat/sync/sync_fixture.hpp"

namespace chat::sync {
namespace {

using nlohmann::json;
using test::value;

class SyncAssemblerTest : public test::SyncFixture {
protected:
    SyncResult sync(const UserId& user, const std::optional<SyncToken>& since = {},
                    std::string_view filter = "{}", bool full_state = false,
                    std::string device = "DEV") {
        SyncRequest req{.user = user,
                        .device_id = std::move(device),
                        .since = since,
                        .full_state = full_state,
                        .filter = Filter::from_json(chat::json::parse(filter).value()).value(),
                        .now_ts = clock_.peek(),
                        .typing_position = typing_position_,
                        .typing = typing_};
        return value(
            store_->read("sync", [&](store::ReadTxn& t) { return assemble_sync(t, req); }));
    }

    RoomId public_room(const UserId& creator, std::optional<std::string> name = "Room") {
        return value(rooms_->create_room(
                         {.creator = creator, .preset = rooms::Preset::public_chat, .name = name}))
            .room_id;
    }

    EventId say(const UserId& who, const RoomId& room, const std::string& body) {
        return value(rooms_->send_message(who, room, "m.room.message",
                                          {{"msgtype", "m.text"}, {"body", body}}))
            .event->event_id();
    }

    static const json& room_of(const SyncResult& r, const char* section, const RoomId& room) {
        static const json kNull;
        const auto& rooms = r.body["rooms"][section];
        auto it = rooms.find(std::string(room.str()));
        return it == rooms.end() ? kNull : *it;
    }
    static std::vector<std::string> ids(const json& events) {
        std::vector<std::string> out;
        for (const auto& e : events) out.push_back(e.value("event_id", ""));
        return out;
    }
    static std::vector<std::string> bodies(const json& events) {
        std::vector<std::string> out;
        for (const auto& e : events)
            if (e["type"] == "m.room.message") out.push_back(e["content"].value("body", ""));
        return out;
    }
    static std::set<std::pair<std::string, std::string>> keys(const json& events) {
        std::set<std::pair<std::string, std::string>> out;
        for (const auto& e : events)
            if (e.contains("state_key")) out.emplace(e["type"], e["state_key"]);
        return out;
    }
    static const json* find_state(const json& events, std::string_view type, std::string_view key) {
        for (const auto& e : events)
            if (e["type"] == type && e.value("state_key", "\x01") == key) return &e;
        return nullptr;
    }

    std::int64_t typing_position_ = 0;
    const TypingSource* typing_ = nullptr;
};

TEST_F(SyncAssemblerTest, InitialSyncSplitsStateAndTimelineAtTheTimelineStart) {
    const RoomId room = public_room(alice_);
    value(rooms_->send_state(alice_, room, "m.room.topic", "", {{"topic", "old"}}));
    for (int i = 0; i < 6; ++i) say(alice_, room, "m" + std::to_string(i));
    value(rooms_->send_state(alice_, room, "m.room.topic", "", {{"topic", "new"}}));
    say(alice_, room, "last");

    auto r = sync(alice_, {}, R"({"room":{"timeline":{"limit":5}}})");
    EXPECT_TRUE(r.has_updates);
    EXPECT_EQ(r.body["next_batch"], r.next_batch.str());
    const json& joined = room_of(r, "join", room);
    ASSERT_TRUE(joined.is_object()) << r.body.dump(1);
    const json& timeline = joined["timeline"]["events"];
    ASSERT_EQ(timeline.size(), 5u);
    EXPECT_TRUE(joined["timeline"]["limited"]);
    EXPECT_EQ(bodies(timeline), (std::vector<std::string>{"m3", "m4", "m5", "last"}));
    EXPECT_EQ(timeline[3]["type"], "m.room.topic");
    for (const auto& e : timeline) EXPECT_FALSE(e.contains("room_id"));

    // `state` is the state just before the first timeline event: the old
    // topic there, the new one in the timeline, and no event in both.
    const json& state = joined["state"]["events"];
    const json* topic = find_state(state, "m.room.topic", "");
    ASSERT_NE(topic, nullptr);
    EXPECT_EQ((*topic)["content"]["topic"], "old");
    std::set<std::string> state_ids;
    for (const auto& id : ids(state)) state_ids.insert(id);
    for (const auto& id : ids(timeline)) EXPECT_FALSE(state_ids.contains(id)) << id;
    for (const char* type : {"m.room.create", "m.room.power_levels", "m.room.join_rules",
                             "m.room.name", "m.room.member"})
        EXPECT_TRUE(keys(state).contains({type, type == std::string("m.room.member")
                                                    ? std::string(alice_.str())
                                                    : std::string()}))
            << type;

    // prev_batch is just before the first timeline event.
    auto prev = PaginationToken::parse(joined["timeline"]["prev_batch"].get<std::string>());
    ASSERT_TRUE(prev);
    auto first = read([&](store::ReadTxn& t) {
        return t.events().ordering_of(
            EventId::parse(timeline[0]["event_id"].get<std::string>()).value());
    });
    EXPECT_EQ(prev->position, first - 1);
    EXPECT_EQ(joined["unread_notifications"]["notification_count"], 0);
}

TEST_F(SyncAssemblerTest, SmallNewRoomHasItsWholeHistoryInTheTimelineAndEmptyState) {
    const RoomId room = public_room(alice_);
    auto r = sync(alice_, {}, R"({"room":{"timeline":{"limit":50}}})");
    const json& joined = room_of(r, "join", room);
    EXPECT_FALSE(joined["timeline"]["limited"]);
    EXPECT_TRUE(joined["state"]["events"].empty());
    EXPECT_EQ(joined["timeline"]["events"][0]["type"], "m.room.create");
}

TEST_F(SyncAssemblerTest, IncrementalSyncHasOnlyNewEventsOfChangedRooms) {
    const RoomId busy = public_room(alice_);
    const RoomId quiet = public_room(alice_, "Quiet");
    auto first = sync(alice_);
    EXPECT_TRUE(room_of(first, "join", quiet).is_object());

    const EventId a = say(alice_, busy, "a");
    const EventId b = say(alice_, busy, "b");
    auto next = sync(alice_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    EXPECT_TRUE(room_of(next, "join", quiet).is_null());
    const json& joined = room_of(next, "join", busy);
    EXPECT_EQ(ids(joined["timeline"]["events"]),
              (std::vector<std::string>{std::string(a.str()), std::string(b.str())}));
    EXPECT_FALSE(joined["timeline"]["limited"]);
    EXPECT_TRUE(joined["state"]["events"].empty());
    EXPECT_TRUE(joined["timeline"]["prev_batch"].is_string());

    // Nothing new: no rooms, and the daemon keeps waiting.
    auto idle = sync(alice_, next.next_batch);
    EXPECT_FALSE(idle.has_updates);
    EXPECT_TRUE(idle.body["rooms"]["join"].empty());
    EXPECT_EQ(idle.next_batch, next.next_batch);
}

TEST_F(SyncAssemblerTest, ActivityInOtherUsersRoomsIsNoUpdate) {
    const RoomId mine = public_room(alice_);
    const RoomId theirs = public_room(bob_);
    auto first = sync(alice_);
    say(bob_, theirs, "not for alice");
    auto next = sync(alice_, first.next_batch);
    EXPECT_FALSE(next.has_updates);
    EXPECT_TRUE(next.body["rooms"]["join"].empty());
    EXPECT_NE(next.next_batch, first.next_batch);  // the token still moves on
    (void)mine;
}

TEST_F(SyncAssemblerTest, LimitedIncrementalSyncSendsTheGapStateAndAPrevBatchThatReachesIt) {
    const RoomId room = public_room(alice_);
    auto first = sync(alice_);
    std::vector<std::string> sent;
    sent.push_back(
        std::string(value(rooms_->send_state(alice_, room, "m.room.topic", "", {{"topic", "gap"}}))
                        .event->event_id()
                        .str()));
    for (int i = 0; i < 12; ++i)
        sent.push_back(std::string(say(alice_, room, std::to_string(i)).str()));

    auto next = sync(alice_, first.next_batch);
    const json& joined = room_of(next, "join", room);
    const json& timeline = joined["timeline"]["events"];
    ASSERT_EQ(timeline.size(), kDefaultTimelineLimit);
    EXPECT_TRUE(joined["timeline"]["limited"]);
    const json* topic = find_state(joined["state"]["events"], "m.room.topic", "");
    ASSERT_NE(topic, nullptr) << joined.dump(1);
    EXPECT_EQ((*topic)["content"]["topic"], "gap");

    // Paginating back from prev_batch to `since` gives exactly the events
    // the timeline skipped.
    auto prev = PaginationToken::parse(joined["timeline"]["prev_batch"].get<std::string>()).value();
    auto gap = read([&](store::ReadTxn& t) {
        return t.events().room_events({.room_id = room,
                                       .from = first.next_batch.streams[store::Stream::events],
                                       .to = prev.position,
                                       .direction = store::Direction::forward});
    });
    std::vector<std::string> seen;
    for (const auto& e : gap) seen.emplace_back(e.event_id.str());
    for (const auto& id : ids(timeline)) seen.push_back(id);
    EXPECT_EQ(seen, sent);
}

TEST_F(SyncAssemblerTest, RoomJoinedSinceTheLastSyncComesWithItsFullState) {
    const RoomId room = public_room(alice_);
    say(alice_, room, "before bob");
    auto first = sync(bob_);
    EXPECT_TRUE(first.body["rooms"]["join"].empty());

    value(rooms_->join(bob_, room));
    auto next = sync(bob_, first.next_batch, R"({"room":{"timeline":{"limit":2}}})");
    const json& joined = room_of(next, "join", room);
    ASSERT_TRUE(joined.is_object()) << next.body.dump(1);
    const json& state = joined["state"]["events"];
    EXPECT_NE(find_state(state, "m.room.create", ""), nullptr);
    EXPECT_NE(find_state(state, "m.room.member", alice_.str()), nullptr);
    EXPECT_EQ(joined["timeline"]["events"].back()["state_key"], bob_.str());
    EXPECT_EQ(joined["summary"]["m.joined_member_count"], 2);
}

TEST_F(SyncAssemblerTest, InviteAppearsWithStrippedStateAndTheInviteEvent) {
    const RoomId room =
        value(rooms_->create_room(
                  {.creator = alice_, .name = "Secret", .invite = {}, .is_direct = false}))
            .room_id;
    say(alice_, room, "private history");
    auto first = sync(bob_);
    value(rooms_->invite(alice_, room, bob_));

    for (const auto& r : {sync(bob_, first.next_batch), sync(bob_)}) {
        EXPECT_TRUE(r.has_updates);
        EXPECT_TRUE(room_of(r, "join", room).is_null());
        const json& invited = room_of(r, "invite", room);
        ASSERT_TRUE(invited.is_object()) << r.body.dump(1);
        const json& events = invited["invite_state"]["events"];
        EXPECT_NE(find_state(events, "m.room.create", ""), nullptr);
        const json* name = find_state(events, "m.room.name", "");
        ASSERT_NE(name, nullptr);
        EXPECT_EQ((*name)["content"]["name"], "Secret");
        EXPECT_FALSE(name->contains("event_id"));  // stripped
        const json* invite = find_state(events, "m.room.member", bob_.str());
        ASSERT_NE(invite, nullptr);
        EXPECT_EQ((*invite)["sender"], alice_.str());
        EXPECT_EQ((*invite)["content"]["membership"], "invite");
        EXPECT_EQ(r.body.dump().find("private history"), std::string::npos);
    }
}

TEST_F(SyncAssemblerTest, DirectInviteCarriesIsDirect) {
    const RoomId room =
        value(rooms_->create_room({.creator = alice_, .invite = {bob_}, .is_direct = true}))
            .room_id;
    auto r = sync(bob_);
    const json* invite = find_state(room_of(r, "invite", room)["invite_state"]["events"],
                                    "m.room.member", bob_.str());
    ASSERT_NE(invite, nullptr);
    EXPECT_EQ((*invite)["content"]["is_direct"], true);
}

TEST_F(SyncAssemblerTest, LeavingMovesTheRoomToLeaveWithTheTimelineUpToTheLeave) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    auto first = sync(bob_);
    const EventId before = say(alice_, room, "seen by bob");
    const EventId leave = value(rooms_->leave(bob_, room)).event->event_id();
    say(alice_, room, "after bob left");

    auto next = sync(bob_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    EXPECT_TRUE(room_of(next, "join", room).is_null());
    const json& left = room_of(next, "leave", room);
    ASSERT_TRUE(left.is_object()) << next.body.dump(1);
    EXPECT_EQ(ids(left["timeline"]["events"]),
              (std::vector<std::string>{std::string(before.str()), std::string(leave.str())}));
    EXPECT_EQ(next.body.dump().find("after bob left"), std::string::npos);

    // Once reported, the room is gone; an initial sync shows it only with include_leave.
    auto later = sync(bob_, next.next_batch);
    EXPECT_TRUE(room_of(later, "leave", room).is_null());
    EXPECT_TRUE(room_of(sync(bob_), "leave", room).is_null());
    auto initial_with_leave = sync(bob_, {}, R"({"room":{"include_leave":true}})");
    const json& with_leave = room_of(initial_with_leave, "leave", room);
    ASSERT_TRUE(with_leave.is_object());
    EXPECT_EQ(ids(with_leave["timeline"]["events"]).back(), leave.str());
    EXPECT_EQ(with_leave.dump().find("after bob left"), std::string::npos);
}

TEST_F(SyncAssemblerTest, KickAndRejectedInviteAppearInLeave) {
    const RoomId kicked_from = public_room(alice_);
    value(rooms_->join(bob_, kicked_from));
    const RoomId rejected = public_room(alice_, "Invite");
    auto first = sync(bob_);
    value(rooms_->invite(alice_, rejected, bob_));
    say(alice_, rejected, "bob never joined");
    const EventId reject = value(rooms_->leave(bob_, rejected)).event->event_id();
    value(rooms_->kick(alice_, kicked_from, bob_, "bye"));

    auto next = sync(bob_, first.next_batch);
    const json& kicked = room_of(next, "leave", kicked_from);
    ASSERT_TRUE(kicked.is_object());
    const json& kick = kicked["timeline"]["events"].back();
    EXPECT_EQ(kick["sender"], alice_.str());
    EXPECT_EQ(kick["content"]["reason"], "bye");
    // A rejected invite shows only the rejection: bob never saw the room.
    const json& left = room_of(next, "leave", rejected);
    ASSERT_TRUE(left.is_object());
    EXPECT_EQ(ids(left["timeline"]["events"]), std::vector<std::string>{std::string(reject.str())});
    EXPECT_TRUE(room_of(next, "invite", rejected).is_null());
}

TEST_F(SyncAssemblerTest, PrivateReceiptsReachOnlyTheirOwner) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    const EventId msg = say(alice_, room, "read me");
    auto alice_first = sync(alice_);
    auto bob_first = sync(bob_);
    value(rooms_->set_receipt(bob_, room, "m.read.private", msg));
    value(rooms_->set_receipt(alice_, room, "m.read", msg));

    auto receipts_of = [&](const SyncResult& r) {
        for (const auto& e : room_of(r, "join", room)["ephemeral"]["events"])
            if (e["type"] == "m.receipt") return e["content"][std::string(msg.str())];
        return json();
    };
    for (const auto& alice_view : {sync(alice_, alice_first.next_batch), sync(alice_)}) {
        json seen = receipts_of(alice_view);
        EXPECT_TRUE(seen["m.read"].contains(std::string(alice_.str()))) << seen.dump();
        EXPECT_FALSE(seen.contains("m.read.private")) << seen.dump();
    }
    for (const auto& bob_view : {sync(bob_, bob_first.next_batch), sync(bob_)}) {
        json seen = receipts_of(bob_view);
        EXPECT_TRUE(seen["m.read.private"].contains(std::string(bob_.str()))) << seen.dump();
        EXPECT_TRUE(seen["m.read"].contains(std::string(alice_.str())));
    }
}

TEST_F(SyncAssemblerTest, AnotherUsersPrivateReceiptIsNoUpdate) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    const EventId msg = say(alice_, room, "x");
    auto first = sync(alice_);
    value(rooms_->set_receipt(bob_, room, "m.read.private", msg));
    auto next = sync(alice_, first.next_batch);
    EXPECT_FALSE(next.has_updates);
    EXPECT_TRUE(next.body["rooms"]["join"].empty());
}

TEST_F(SyncAssemblerTest, KnockAppearsWithKnockState) {
    const RoomId room = value(rooms_->create_room(
                                  {.creator = alice_,
                                   .name = "Knock here",
                                   .initial_state = {{{"type", "m.room.join_rules"},
                                                      {"content", {{"join_rule", "knock"}}}}}}))
                            .room_id;
    auto first = sync(bob_);
    value(rooms_->knock(bob_, room, "let me in"));
    auto next = sync(bob_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    const json& knocked = room_of(next, "knock", room);
    ASSERT_TRUE(knocked.is_object()) << next.body.dump(1);
    const json& events = knocked["knock_state"]["events"];
    const json* rules = find_state(events, "m.room.join_rules", "");
    ASSERT_NE(rules, nullptr);
    EXPECT_EQ((*rules)["content"]["join_rule"], "knock");
    const json* own = find_state(events, "m.room.member", bob_.str());
    ASSERT_NE(own, nullptr);
    EXPECT_EQ((*own)["content"]["membership"], "knock");
    EXPECT_TRUE(room_of(next, "join", room).is_null());
    EXPECT_TRUE(room_of(sync(bob_), "knock", room).is_object());
}

TEST_F(SyncAssemblerTest, ReceiptAloneWakesTheSyncOfAnotherMember) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    const EventId msg = say(alice_, room, "x");
    auto first = sync(alice_);
    value(rooms_->set_receipt(bob_, room, "m.read", msg));
    auto next = sync(alice_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    const json& joined = room_of(next, "join", room);
    EXPECT_TRUE(joined["timeline"]["events"].empty());
    ASSERT_EQ(joined["ephemeral"]["events"].size(), 1u);
    const json& receipt = joined["ephemeral"]["events"][0];
    EXPECT_EQ(receipt["type"], "m.receipt");
    EXPECT_TRUE(
        receipt["content"][std::string(msg.str())]["m.read"][std::string(bob_.str())].contains(
            "ts"));
}

TEST_F(SyncAssemblerTest, AccountDataGlobalAndPerRoomThenOnlyChanges) {
    const RoomId room = public_room(alice_);
    value(rooms_->set_account_data(alice_, std::nullopt, "m.direct",
                                   {{"@bob:a.test", json::array({room.str()})}}));
    value(
        rooms_->set_account_data(alice_, room, "m.tag", {{"tags", {{"u.work", json::object()}}}}));
    value(rooms_->set_account_data(bob_, std::nullopt, "m.direct", {{"secret", 1}}));

    auto first = sync(alice_);
    // An initial sync also carries the push rules (m.push_rules).
    json global = json::array();
    for (const auto& event : first.body["account_data"]["events"])
        if (event["type"] != "m.push_rules") global.push_back(event);
    ASSERT_EQ(global.size(), 1u);
    EXPECT_EQ(global[0]["type"], "m.direct");
    EXPECT_TRUE(global[0]["content"].contains("@bob:a.test"));
    const json& room_ad = room_of(first, "join", room)["account_data"]["events"];
    ASSERT_EQ(room_ad.size(), 1u);
    EXPECT_EQ(room_ad[0]["type"], "m.tag");

    value(rooms_->set_account_data(alice_, std::nullopt, "im.example.x", {{"v", 2}}));
    auto next = sync(alice_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    ASSERT_EQ(next.body["account_data"]["events"].size(), 1u);
    EXPECT_EQ(next.body["account_data"]["events"][0]["type"], "im.example.x");
    EXPECT_TRUE(next.body["rooms"]["join"].empty());

    value(rooms_->set_account_data(alice_, room, "m.tag", {{"tags", json::object()}}));
    auto tagged = sync(alice_, next.next_batch);
    EXPECT_TRUE(tagged.body["account_data"]["events"].empty());
    EXPECT_EQ(room_of(tagged, "join", room)["account_data"]["events"][0]["content"]["tags"],
              json::object());

    auto filtered = sync(alice_, {}, R"({"account_data":{"not_types":["m.direct"]}})");
    for (const auto& e : filtered.body["account_data"]["events"]) EXPECT_NE(e["type"], "m.direct");
}

TEST_F(SyncAssemblerTest, LazyLoadingSendsOnlyTheMembersOfTimelineSendersAndTheUser) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    value(rooms_->join(carol_, room));
    say(bob_, room, "one");
    say(bob_, room, "two");

    auto lazy =
        sync(alice_, {}, R"({"room":{"timeline":{"limit":2},"state":{"lazy_load_members":true}}})");
    const json& state = room_of(lazy, "join", room)["state"]["events"];
    EXPECT_NE(find_state(state, "m.room.member", bob_.str()), nullptr);
    EXPECT_NE(find_state(state, "m.room.member", alice_.str()), nullptr);
    EXPECT_EQ(find_state(state, "m.room.member", carol_.str()), nullptr) << state.dump(1);
    EXPECT_NE(find_state(state, "m.room.power_levels", ""), nullptr);

    auto eager = sync(alice_, {}, R"({"room":{"timeline":{"limit":2}}})");
    EXPECT_NE(
        find_state(room_of(eager, "join", room)["state"]["events"], "m.room.member", carol_.str()),
        nullptr);

    // Incremental: the new sender's member event comes with its message.
    auto next_from = lazy.next_batch;
    say(carol_, room, "three");
    auto next = sync(alice_, next_from, R"({"room":{"state":{"lazy_load_members":true}}})");
    const json& next_state = room_of(next, "join", room)["state"]["events"];
    EXPECT_NE(find_state(next_state, "m.room.member", carol_.str()), nullptr);
    EXPECT_EQ(find_state(next_state, "m.room.member", bob_.str()), nullptr);
}

TEST_F(SyncAssemblerTest, SummaryHasCountsAndHeroesForUnnamedRooms) {
    const RoomId unnamed =
        value(rooms_->create_room({.creator = alice_, .preset = rooms::Preset::public_chat}))
            .room_id;
    value(rooms_->join(bob_, unnamed));
    value(rooms_->invite(alice_, unnamed, carol_));
    const RoomId named = public_room(alice_, "Named");

    auto r = sync(alice_);
    const json& summary = room_of(r, "join", unnamed)["summary"];
    EXPECT_EQ(summary["m.joined_member_count"], 2);
    EXPECT_EQ(summary["m.invited_member_count"], 1);
    EXPECT_EQ(summary["m.heroes"], json::array({bob_.str(), carol_.str()}));
    const json& named_summary = room_of(r, "join", named)["summary"];
    EXPECT_EQ(named_summary["m.joined_member_count"], 1);
    EXPECT_FALSE(named_summary.contains("m.heroes"));

    // A message changes no summary; a join does.
    say(alice_, unnamed, "hi");
    auto quiet = sync(alice_, r.next_batch);
    EXPECT_FALSE(room_of(quiet, "join", unnamed).contains("summary"));
    value(rooms_->join(carol_, unnamed));
    auto joined = sync(alice_, quiet.next_batch);
    EXPECT_EQ(room_of(joined, "join", unnamed)["summary"]["m.joined_member_count"], 3);
}

TEST_F(SyncAssemblerTest, FilterNotTypesDropsEventsFromTheTimeline) {
    const RoomId room = public_room(alice_);
    auto first = sync(alice_);
    say(alice_, room, "hidden");
    value(rooms_->send_state(alice_, room, "m.room.topic", "", {{"topic", "shown"}}));
    auto next =
        sync(alice_, first.next_batch, R"({"room":{"timeline":{"not_types":["m.room.mess*"]}}})");
    const json& timeline = room_of(next, "join", room)["timeline"]["events"];
    ASSERT_EQ(timeline.size(), 1u);
    EXPECT_EQ(timeline[0]["type"], "m.room.topic");

    auto excluded = sync(alice_, first.next_batch,
                         R"({"room":{"not_rooms":[")" + std::string(room.str()) + R"("]}})");
    EXPECT_TRUE(room_of(excluded, "join", room).is_null());
}

TEST_F(SyncAssemblerTest, EventFieldsAndFederationFormat) {
    const RoomId room = public_room(alice_);
    auto first = sync(alice_);
    say(alice_, room, "x");
    auto fields = sync(alice_, first.next_batch, R"({"event_fields":["type","content.body"]})");
    EXPECT_EQ(room_of(fields, "join", room)["timeline"]["events"][0],
              json({{"type", "m.room.message"}, {"content", {{"body", "x"}}}}));
    auto federation = sync(alice_, first.next_batch, R"({"event_format":"federation"})");
    const json& pdu = room_of(federation, "join", room)["timeline"]["events"][0];
    EXPECT_TRUE(pdu.contains("signatures"));
    EXPECT_TRUE(pdu.contains("depth"));
    EXPECT_TRUE(pdu["unsigned"].contains("age"));
}

TEST_F(SyncAssemblerTest, TransactionIdOnlyForTheSendingDevice) {
    const RoomId room = public_room(alice_);
    auto first = sync(alice_);
    value(rooms_->send_message(alice_, room, "m.room.message", {{"body", "x"}},
                               rooms::TxnKey{"PHONE", "t1"}));
    auto phone = sync(alice_, first.next_batch, "{}", false, "PHONE");
    auto laptop = sync(alice_, first.next_batch, "{}", false, "LAPTOP");
    EXPECT_EQ(room_of(phone, "join", room)["timeline"]["events"][0]["unsigned"]["transaction_id"],
              "t1");
    EXPECT_FALSE(room_of(laptop, "join", room)["timeline"]["events"][0]["unsigned"].contains(
        "transaction_id"));
}

TEST_F(SyncAssemblerTest, JoinedHistoryVisibilityHidesEventsBeforeTheJoin) {
    const RoomId room = public_room(alice_);
    value(rooms_->send_state(alice_, room, "m.room.history_visibility", "",
                             {{"history_visibility", "joined"}}));
    say(alice_, room, "before carol");
    value(rooms_->join(carol_, room));
    say(alice_, room, "after carol");

    auto r = sync(carol_, {}, R"({"room":{"timeline":{"limit":20}}})");
    const json& joined = room_of(r, "join", room);
    EXPECT_EQ(bodies(joined["timeline"]["events"]), std::vector<std::string>{"after carol"});
    EXPECT_EQ(r.body.dump().find("before carol"), std::string::npos);
    // The room's state is still complete.
    EXPECT_NE(find_state(joined["state"]["events"], "m.room.create", ""), nullptr)
        << joined.dump(1);

    // Under the default (shared) everything is visible once joined.
    const RoomId shared = public_room(alice_, "Shared");
    say(alice_, shared, "old news");
    value(rooms_->join(carol_, shared));
    auto s = sync(carol_, {}, R"({"room":{"timeline":{"limit":20}}})");
    EXPECT_EQ(bodies(room_of(s, "join", shared)["timeline"]["events"]),
              std::vector<std::string>{"old news"});
}

TEST_F(SyncAssemblerTest, IgnoredUsersMessagesAreDropped) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    value(
        rooms_->set_account_data(alice_, std::nullopt, "m.ignored_user_list",
                                 {{"ignored_users", {{std::string(bob_.str()), json::object()}}}}));
    auto first = sync(alice_);
    say(bob_, room, "spam");
    say(alice_, room, "mine");
    auto next = sync(alice_, first.next_batch);
    EXPECT_EQ(bodies(room_of(next, "join", room)["timeline"]["events"]),
              std::vector<std::string>{"mine"});
}

class FakeTyping final : public TypingSource {
public:
    std::optional<std::vector<UserId>> typing_in(const RoomId& room,
                                                 std::optional<std::int64_t> since) const override {
        auto it = rooms.find(room);
        if (it == rooms.end()) return std::nullopt;
        if (since && *since >= it->second.first) return std::nullopt;
        return it->second.second;
    }
    std::map<RoomId, std::pair<std::int64_t, std::vector<UserId>>> rooms;
};

TEST_F(SyncAssemblerTest, TypingFromTheDaemonWakesAndShowsInEphemeral) {
    const RoomId room = public_room(alice_);
    FakeTyping typing;
    typing_ = &typing;
    auto first = sync(alice_);
    EXPECT_EQ(first.next_batch.typing, 0);

    typing.rooms[room] = {1, {bob_}};
    typing_position_ = 1;
    auto next = sync(alice_, first.next_batch);
    EXPECT_TRUE(next.has_updates);
    EXPECT_EQ(next.next_batch.typing, 1);
    const json& ephemeral = room_of(next, "join", room)["ephemeral"]["events"];
    ASSERT_EQ(ephemeral.size(), 1u);
    EXPECT_EQ(ephemeral[0],
              json({{"type", "m.typing"}, {"content", {{"user_ids", json::array({bob_.str()})}}}}));
    EXPECT_FALSE(sync(alice_, next.next_batch).has_updates);
}

TEST_F(SyncAssemblerTest, FullStateSendsEveryRoomWithItsState) {
    const RoomId room = public_room(alice_);
    auto first = sync(alice_);
    auto again = sync(alice_, first.next_batch, "{}", /*full_state=*/true);
    EXPECT_TRUE(again.has_updates);
    const json& joined = room_of(again, "join", room);
    ASSERT_TRUE(joined.is_object());
    EXPECT_TRUE(joined["timeline"]["events"].empty());
    EXPECT_NE(find_state(joined["state"]["events"], "m.room.create", ""), nullptr);
}

TEST_F(SyncAssemblerTest, AFutureTokenReadsAsNow) {
    public_room(alice_);
    auto now = sync(alice_);
    SyncToken future = now.next_batch;
    future.streams[store::Stream::events] += 1000;
    auto r = sync(alice_, future);
    EXPECT_FALSE(r.has_updates);
    EXPECT_EQ(r.next_batch, now.next_batch);
}

// Concurrent sends while a client syncs in a loop: every event arrives
// exactly once, through the timeline or, when it is limited, by paginating
// back from prev_batch to the previous token, as clients do.
TEST_F(SyncAssemblerTest, NoEventIsMissedOrRepeatedAcrossSyncsWithConcurrentSends) {
    const RoomId room = public_room(alice_);
    value(rooms_->join(bob_, room));
    auto last = sync(alice_);
    constexpr int kMessages = 120;
    std::atomic<bool> failed{false};
    std::atomic<bool> sent_all{false};
    std::thread sender([&] {
        for (int i = 0; i < kMessages; ++i)
            if (!rooms_->send_message(bob_, room, "m.room.message", {{"body", std::to_string(i)}}))
                failed = true;
        sent_all = true;
    });
    // Every other round lets a few events pile up first (more than the
    // limit), so that both paths run: complete and limited timelines.
    auto let_events_pile_up = [&](store::Position after) {
        while (!sent_all && notifier_.positions()[store::Stream::events] < after + 5)
            notifier_.wait_past(notifier_.positions(), std::chrono::milliseconds(20));
    };
    std::vector<std::string> seen;
    const std::string filter = R"({"room":{"timeline":{"limit":3}}})";
    int limited_syncs = 0;
    for (int round = 0; round < 100000 && seen.size() < static_cast<std::size_t>(kMessages);
         ++round) {
        if (round % 2 == 1) let_events_pile_up(last.next_batch.streams[store::Stream::events]);
        auto r = sync(alice_, last.next_batch, filter);
        const json& joined = room_of(r, "join", room);
        if (joined.is_object()) {
            if (joined["timeline"]["limited"]) {
                ++limited_syncs;
                auto prev =
                    PaginationToken::parse(joined["timeline"]["prev_batch"].get<std::string>())
                        .value();
                auto gap = read([&](store::ReadTxn& t) {
                    return t.events().room_events(
                        {.room_id = room,
                         .from = last.next_batch.streams[store::Stream::events],
                         .to = prev.position,
                         .limit = 1000});
                });
                for (const auto& e : gap)
                    if (e.type == "m.room.message")
                        seen.push_back(e.json["content"]["body"].get<std::string>());
            }
            for (const auto& body : bodies(joined["timeline"]["events"])) seen.push_back(body);
        }
        last = std::move(r);
    }
    sender.join();
    ASSERT_FALSE(failed);
    std::vector<std::string> expected;
    for (int i = 0; i < kMessages; ++i) expected.push_back(std::to_string(i));
    EXPECT_EQ(seen, expected);
    EXPECT_GT(limited_syncs, 0);
}

}  // namespace
}  // namespace chat::sync
