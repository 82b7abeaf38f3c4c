#include <chat/rooms/room_service.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "support/ticking_clock.hpp"

namespace chat::rooms {
namespace {

UserId user(const char* id) { return UserId::parse(id).value(); }

class RoomServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("room_service_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        store_ = store::open_sqlite((dir_ / "chat.db").string(),
                                    {.synchronous = store::Synchronous::off})
                     .value();
        rooms_ = std::make_unique<RoomService>(*store_, ServerName::parse("a.test").value(),
                                               crypto::SigningKey::generate("t"), notifier_,
                                               clock_);
    }
    void TearDown() override {
        rooms_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    StateMap current_state(const RoomId& room) {
        return store_->read("state", [&](store::ReadTxn& t) { return t.current_state().get(room); })
            .value();
    }
    std::optional<std::string> membership_of(const RoomId& room, const UserId& u) {
        auto row = store_->read("m", [&](store::ReadTxn& t) { return t.members().get(u, room); });
        if (!row || !*row) return std::nullopt;
        return (*row)->membership;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    sync::InProcessNotifier notifier_;
    test::TickingClock clock_;
    std::unique_ptr<RoomService> rooms_;
    UserId alice_ = user("@alice:a.test");
    UserId bob_ = user("@bob:a.test");
    UserId carol_ = user("@carol:a.test");
};

TEST_F(RoomServiceTest, CreatesARoomInEveryRoomVersion) {
    for (const auto& version : RoomVersion::all()) {
        auto room = rooms_->create_room({.creator = alice_, .version = &version, .name = "n"});
        ASSERT_TRUE(room) << version.id << ": " << room.error().message;
        EXPECT_EQ(room->room_id.is_hash_form(), version.room_id_is_create_event_hash);
        auto state = current_state(room->room_id);
        EXPECT_TRUE(state.contains(StateKey{"m.room.create", ""})) << version.id;
        EXPECT_TRUE(state.contains(StateKey{"m.room.power_levels", ""})) << version.id;
        EXPECT_TRUE(state.contains(StateKey{"m.room.name", ""})) << version.id;
        EXPECT_EQ(membership_of(room->room_id, alice_), "join") << version.id;
        // Positions strictly increase, in creation order.
        for (std::size_t i = 1; i < room->events.size(); ++i)
            EXPECT_GT(room->events[i].stream_position, room->events[i - 1].stream_position);
    }
}

// In v12 the room id is the create event's hash, so two rooms made alike in
// one millisecond would share an id: the second moves its timestamp on.
TEST_F(RoomServiceTest, TwoAlikeRoomsInOneMillisecondGetTwoIds) {
    class FrozenClock final : public Clock {
    public:
        std::int64_t now_ms() const override { return 1'700'000'000'000; }
    } frozen;
    RoomService service(*store_, ServerName::parse("a.test").value(),
                        crypto::SigningKey::generate("t"), notifier_, frozen);
    std::vector<RoomId> ids;
    for (int i = 0; i < 3; ++i) {
        auto room = service.create_room({.creator = alice_, .preset = Preset::public_chat});
        ASSERT_TRUE(room) << i << ": " << room.error().message;
        EXPECT_EQ(room->events.front().event->origin_server_ts(), 1'700'000'000'000 + i);
        ids.push_back(room->room_id);
    }
    EXPECT_EQ(std::set<RoomId>(ids.begin(), ids.end()).size(), 3u);
    for (const auto& id : ids) EXPECT_EQ(membership_of(id, alice_), "join");
}

TEST_F(RoomServiceTest, DefaultVersionIsTwelve) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    EXPECT_EQ(room->events.front().event->version().id, "12");
}

TEST_F(RoomServiceTest, EventsChainOnTheForwardExtremity) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    auto first = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "1"}});
    auto second = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "2"}});
    ASSERT_TRUE(first && second);
    ASSERT_EQ(second->event->prev_events().size(), 1u);
    EXPECT_EQ(second->event->prev_events()[0], first->event->event_id());
    EXPECT_EQ(second->event->depth(), first->event->depth() + 1);
    EXPECT_GT(second->stream_position, first->stream_position);
    auto extremities = store_->read("x", [&](store::ReadTxn& t) {
        return t.extremities().get(room->room_id);
    });
    ASSERT_TRUE(extremities);
    EXPECT_EQ(*extremities, std::vector<EventId>{second->event->event_id()});
    EXPECT_GE(notifier_.positions()[store::Stream::events], second->stream_position);
}

TEST_F(RoomServiceTest, AnotherWriterMovesTheForwardExtremity) {
    // Two services on one store (as two workers sharing a database): each
    // must build on the other's events, not on what it sent last.
    RoomService other(*store_, ServerName::parse("a.test").value(),
                      crypto::SigningKey::generate("u"), notifier_, clock_);
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    auto first = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "1"}});
    auto second = other.send_message(bob_, room->room_id, "m.room.message", {{"body", "2"}});
    auto third = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "3"}});
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ(second->event->prev_events(), std::vector<EventId>{first->event->event_id()});
    EXPECT_EQ(third->event->prev_events(), std::vector<EventId>{second->event->event_id()});
    EXPECT_EQ(third->event->depth(), second->event->depth() + 1);
    // State changed by the other service applies to this one's next event.
    ASSERT_TRUE(other.leave(bob_, room->room_id));
    auto left = rooms_->send_message(bob_, room->room_id, "m.room.message", {{"body", "4"}});
    ASSERT_FALSE(left);
    EXPECT_EQ(left.error().code, Errc::forbidden);
}

TEST_F(RoomServiceTest, PowerLevelsChangeGatesTheNextMessage) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    ASSERT_TRUE(rooms_->send_message(bob_, room->room_id, "m.room.message", {{"body", "1"}}));
    auto levels = current_state(room->room_id).at(StateKey{"m.room.power_levels", ""});
    auto pl = store_->read("pl", [&](store::ReadTxn& t) { return t.events().get(levels); });
    ASSERT_TRUE(pl && *pl);
    auto content = (*pl)->json["content"];
    content["events_default"] = 100;
    ASSERT_TRUE(rooms_->send_state(alice_, room->room_id, "m.room.power_levels", "", content));
    auto refused = rooms_->send_message(bob_, room->room_id, "m.room.message", {{"body", "2"}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::forbidden);
}

TEST_F(RoomServiceTest, RedactedPowerLevelsApplyToTheNextEvent) {
    // Room version 10 prunes `invite` from a redacted power levels event
    // (11 keeps it): the invite level falls back to 0.
    auto room = rooms_->create_room({.creator = alice_,
                                     .preset = Preset::public_chat,
                                     .version = &RoomVersion::v10,
                                     .power_level_content_override = {{"invite", 100}}});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    auto refused = rooms_->invite(bob_, room->room_id, carol_);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::forbidden);

    const EventId levels = current_state(room->room_id).at(StateKey{"m.room.power_levels", ""});
    ASSERT_TRUE(rooms_->redact(alice_, room->room_id, levels));
    auto invited = rooms_->invite(bob_, room->room_id, carol_);
    EXPECT_TRUE(invited) << invited.error().message;
}

TEST_F(RoomServiceTest, PrivateRoomNeedsAnInvite) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::private_chat});
    ASSERT_TRUE(room);
    auto uninvited = rooms_->join(bob_, room->room_id);
    ASSERT_FALSE(uninvited);
    EXPECT_EQ(uninvited.error().code, Errc::forbidden);

    ASSERT_TRUE(rooms_->invite(alice_, room->room_id, bob_));
    EXPECT_EQ(membership_of(room->room_id, bob_), "invite");
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    EXPECT_EQ(membership_of(room->room_id, bob_), "join");
    EXPECT_TRUE(rooms_->send_message(bob_, room->room_id, "m.room.message", {{"body", "hi"}}));
}

TEST_F(RoomServiceTest, KickBanUnbanAndLeave) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    ASSERT_TRUE(rooms_->kick(alice_, room->room_id, bob_, "bye"));
    EXPECT_EQ(membership_of(room->room_id, bob_), "leave");
    ASSERT_TRUE(rooms_->ban(alice_, room->room_id, bob_));
    EXPECT_EQ(membership_of(room->room_id, bob_), "ban");
    EXPECT_FALSE(rooms_->join(bob_, room->room_id));
    ASSERT_TRUE(rooms_->unban(alice_, room->room_id, bob_));
    EXPECT_EQ(membership_of(room->room_id, bob_), "leave");
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    ASSERT_TRUE(rooms_->leave(bob_, room->room_id));
    EXPECT_EQ(membership_of(room->room_id, bob_), "leave");
    // A member without power cannot kick the creator.
    ASSERT_TRUE(rooms_->join(carol_, room->room_id));
    EXPECT_FALSE(rooms_->kick(carol_, room->room_id, alice_));
}

TEST_F(RoomServiceTest, KnockOnlyWhereTheJoinRuleAllows) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    EXPECT_FALSE(rooms_->knock(bob_, room->room_id));  // join rule: invite
    ASSERT_TRUE(rooms_->send_state(alice_, room->room_id, "m.room.join_rules", "",
                                   {{"join_rule", "knock"}}));
    ASSERT_TRUE(rooms_->knock(bob_, room->room_id, "let me in"));
    EXPECT_EQ(membership_of(room->room_id, bob_), "knock");
}

TEST_F(RoomServiceTest, PowerLevelsGateStateEvents) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    auto topic = rooms_->send_state(bob_, room->room_id, "m.room.topic", "", {{"topic", "x"}});
    ASSERT_FALSE(topic);
    EXPECT_EQ(topic.error().code, Errc::forbidden);
    EXPECT_TRUE(rooms_->send_state(alice_, room->room_id, "m.room.topic", "", {{"topic", "x"}}));
}

TEST_F(RoomServiceTest, TransactionIdMakesSendsIdempotent) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    TxnKey key{.device_id = "DEV", .txn_id = "t1"};
    auto a = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "x"}}, key);
    auto b = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "x"}}, key);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->event->event_id(), b->event->event_id());
    auto other = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "x"}},
                                      TxnKey{.device_id = "DEV2", .txn_id = "t1"});
    ASSERT_TRUE(other);
    EXPECT_NE(other->event->event_id(), a->event->event_id());
}

// send_message_async: a burst queued with `later` and run by its last send
// shares one commit; each completion gets its own event, chained on the one
// before in its room, and the notifier has moved past it.
TEST_F(RoomServiceTest, AsyncSendsOfABurstShareACommitAndChain) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    const auto commits_before = store_->stats().commits;
    std::vector<Result<SentEvent>> sent;
    constexpr int kBurst = 5;
    for (int i = 0; i < kBurst; ++i)
        rooms_->send_message_async(
            alice_, room->room_id, "m.room.message", {{"body", std::to_string(i)}}, std::nullopt,
            [&](Result<SentEvent> r) { sent.push_back(std::move(r)); },
            i + 1 < kBurst ? store::AsyncLead::later : store::AsyncLead::now);
    // The last call ran the batch before returning.
    ASSERT_EQ(sent.size(), static_cast<std::size_t>(kBurst));
    EXPECT_EQ(store_->stats().commits, commits_before + 1);
    for (int i = 0; i < kBurst; ++i) {
        ASSERT_TRUE(sent[static_cast<std::size_t>(i)]) << i;
        const auto& event = *sent[static_cast<std::size_t>(i)]->event;
        EXPECT_EQ(event.content()["body"], std::to_string(i));
        if (i > 0) {
            const auto& before = *sent[static_cast<std::size_t>(i) - 1];
            EXPECT_EQ(event.prev_events(), std::vector<EventId>{before.event->event_id()});
            EXPECT_GT(sent[static_cast<std::size_t>(i)]->stream_position, before.stream_position);
        }
    }
    EXPECT_GE(notifier_.positions()[store::Stream::events], sent.back()->stream_position);
    auto latest = store_->read("x", [&](store::ReadTxn& t) { return t.extremities().get(room->room_id); });
    ASSERT_TRUE(latest);
    EXPECT_EQ(*latest, std::vector<EventId>{sent.back()->event->event_id()});
}

// A completion may send again (on the thread running the batches), and the
// call that led returns only once that chain is done; a refused send gets its
// error without costing the others theirs; a transaction id still returns the
// first event.
TEST_F(RoomServiceTest, AsyncCompletionsSendAgainAndErrorsStayTheirOwn) {
    auto room = rooms_->create_room({.creator = alice_});
    ASSERT_TRUE(room);
    std::vector<std::string> bodies;
    std::function<void(int)> send = [&](int i) {
        rooms_->send_message_async(alice_, room->room_id, "m.room.message",
                                   {{"body", std::to_string(i)}}, std::nullopt,
                                   [&, i](Result<SentEvent> r) {
                                       ASSERT_TRUE(r);
                                       bodies.push_back(r->event->content()["body"]);
                                       if (i < 9) send(i + 1);
                                   });
    };
    send(0);
    EXPECT_EQ(bodies.size(), 10u);

    std::optional<Result<SentEvent>> refused, allowed, first, again;
    // Bob is not in the room: refused, in the same batch as Alice's.
    rooms_->send_message_async(bob_, room->room_id, "m.room.message", {{"body", "no"}},
                               std::nullopt, [&](Result<SentEvent> r) { refused = std::move(r); },
                               store::AsyncLead::later);
    rooms_->send_message_async(alice_, room->room_id, "m.room.message", {{"body", "yes"}},
                               std::nullopt, [&](Result<SentEvent> r) { allowed = std::move(r); });
    ASSERT_TRUE(refused && allowed);
    ASSERT_FALSE(*refused);
    EXPECT_EQ(refused->error().code, Errc::forbidden);
    EXPECT_TRUE(*allowed);

    const TxnKey key{.device_id = "DEV", .txn_id = "t1"};
    rooms_->send_message_async(alice_, room->room_id, "m.room.message", {{"body", "x"}}, key,
                               [&](Result<SentEvent> r) { first = std::move(r); });
    rooms_->send_message_async(alice_, room->room_id, "m.room.message", {{"body", "x"}}, key,
                               [&](Result<SentEvent> r) { again = std::move(r); });
    ASSERT_TRUE(first && again && *first && *again);
    EXPECT_EQ((*first)->event->event_id(), (*again)->event->event_id());

    std::optional<Result<SentEvent>> not_object;
    rooms_->send_message_async(alice_, room->room_id, "m.room.message", nlohmann::json::array(),
                               std::nullopt, [&](Result<SentEvent> r) { not_object = std::move(r); });
    ASSERT_TRUE(not_object && !*not_object);
    EXPECT_EQ(not_object->error().code, Errc::bad_json);
}

TEST_F(RoomServiceTest, RedactionPrunesTheTarget) {
    for (const auto* version : {&RoomVersion::v10, &RoomVersion::v12}) {
        auto room = rooms_->create_room({.creator = alice_, .version = version});
        ASSERT_TRUE(room);
        auto msg = rooms_->send_message(alice_, room->room_id, "m.room.message",
                                        {{"body", "secret"}, {"msgtype", "m.text"}});
        ASSERT_TRUE(msg);
        auto redaction = rooms_->redact(alice_, room->room_id, msg->event->event_id(), "oops");
        ASSERT_TRUE(redaction) << redaction.error().message;
        ASSERT_TRUE(redaction->event->redacts());
        EXPECT_EQ(*redaction->event->redacts(), msg->event->event_id());
        auto stored = store_->read("e", [&](store::ReadTxn& t) {
            return t.events().get(msg->event->event_id());
        });
        ASSERT_TRUE(stored && *stored);
        EXPECT_EQ((*stored)->json["content"], nlohmann::json::object()) << version->id;
        EXPECT_EQ((*stored)->redacted_by, redaction->event->event_id());
    }
}

TEST_F(RoomServiceTest, UnknownRoomIsNotFound) {
    auto sent = rooms_->send_message(alice_, RoomId::parse("!nope:a.test").value(),
                                     "m.room.message", {{"body", "x"}});
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().code, Errc::not_found);
}

TEST_F(RoomServiceTest, DirectRoomInvitesCarryIsDirect) {
    auto room = rooms_->create_room(
        {.creator = alice_, .preset = Preset::trusted_private_chat, .invite = {bob_},
         .is_direct = true});
    ASSERT_TRUE(room);
    const auto& invite = room->events.back().event;
    EXPECT_EQ(invite->membership(), "invite");
    EXPECT_EQ(invite->content()["is_direct"], true);
    // v12: trusted invitees become additional creators.
    EXPECT_EQ(room->events.front().event->content()["additional_creators"][0], "@bob:a.test");
}

}  // namespace
}  // namespace chat::rooms

namespace chat::rooms {
namespace {

TEST_F(RoomServiceTest, ReadReceiptsOnlyMoveForward) {
    auto room = rooms_->create_room({.creator = alice_, .preset = Preset::public_chat});
    ASSERT_TRUE(room);
    ASSERT_TRUE(rooms_->join(bob_, room->room_id));
    auto m1 = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "1"}});
    auto m2 = rooms_->send_message(alice_, room->room_id, "m.room.message", {{"body", "2"}});
    ASSERT_TRUE(m1 && m2);
    auto first = rooms_->set_receipt(bob_, room->room_id, "m.read", m2->event->event_id());
    ASSERT_TRUE(first && *first);
    auto older = rooms_->set_receipt(bob_, room->room_id, "m.read", m1->event->event_id());
    ASSERT_TRUE(older);
    EXPECT_FALSE(*older);  // not an error, not a change
    EXPECT_TRUE(rooms_->set_receipt(bob_, room->room_id, "m.read.private", m1->event->event_id()));
    EXPECT_EQ(notifier_.positions()[store::Stream::receipts], **first + 1);

    EXPECT_EQ(rooms_->set_receipt(carol_, room->room_id, "m.read", m1->event->event_id())
                  .error().code, Errc::forbidden);
    EXPECT_EQ(rooms_->set_receipt(bob_, room->room_id, "m.nope", m1->event->event_id())
                  .error().code, Errc::invalid_param);
    EXPECT_EQ(rooms_->set_receipt(bob_, room->room_id, "m.read",
                                  EventId::parse("$unknown:a.test").value()).error().code,
              Errc::not_found);
}

TEST_F(RoomServiceTest, AccountDataAdvancesItsStream) {
    auto a = rooms_->set_account_data(alice_, std::nullopt, "m.direct",
                                      {{"@bob:a.test", nlohmann::json::array({"!r:a"})}});
    auto b = rooms_->set_account_data(alice_, std::nullopt, "m.direct",
                                      {{"@bob:a.test", nlohmann::json::array()}});
    ASSERT_TRUE(a && b);
    EXPECT_GT(*b, *a);
    auto row = store_->read("ad", [&](store::ReadTxn& t) {
        return t.account_data().get(alice_, std::nullopt, "m.direct");
    });
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->content["@bob:a.test"], nlohmann::json::array());
    EXPECT_FALSE(rooms_->set_account_data(alice_, std::nullopt, "x", nlohmann::json::array()));
}

}  // namespace
}  // namespace chat::rooms
