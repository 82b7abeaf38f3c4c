#include <chat/ingest/event_ingest.hpp>

#include <filesystem>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include <chat/events/event_hashes.hpp>
#include <chat/ingest/pdu_checks.hpp>
#include <chat/rooms/event_builder.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "support/ticking_clock.hpp"

// Two homeservers in one process, each with its own store, RoomService and
// EventIngest, exchanging PDUs by hand as federation would: what one
// persists (and queues in its outbox), the other accepts.
namespace chat::ingest {
namespace {

using nlohmann::json;

UserId user(const char* id) { return UserId::parse(id).value(); }

struct Server {
    Server(const std::filesystem::path& dir, const char* server_name)
        : name(ServerName::parse(server_name).value()), key(crypto::SigningKey::generate("k1")) {
        std::filesystem::create_directories(dir);
        store = store::open_sqlite((dir / "chat.db").string(),
                                   {.synchronous = store::Synchronous::off})
                    .value();
        rooms = std::make_unique<rooms::RoomService>(*store, name, key, notifier, clock);
        ingest = std::make_unique<EventIngest>(*store, name, notifier, clock);
    }

    StateMap current_state(const RoomId& room) {
        return store->read("s", [&](store::ReadTxn& t) { return t.current_state().get(room); })
            .value();
    }
    std::optional<store::StoredEvent> event(const EventId& id) {
        return store->read("e", [&](store::ReadTxn& t) { return t.events().get(id); }).value();
    }
    PduPtr pdu(const EventId& id) { return event(id).value().to_pdu().value(); }
    std::vector<store::OutboxEntry> outbox(const ServerName& to) {
        return store->read("o", [&](store::ReadTxn& t) { return t.outbox().pending(to, 100); })
            .value();
    }
    std::optional<std::string> membership(const RoomId& room, const UserId& u) {
        auto row = store->read("m", [&](store::ReadTxn& t) { return t.members().get(u, room); });
        if (!row || !*row) return std::nullopt;
        return (*row)->membership;
    }
    std::vector<EventId> extremities(const RoomId& room) {
        return store->read("x", [&](store::ReadTxn& t) { return t.extremities().get(room); })
            .value();
    }

    ServerName name;
    crypto::SigningKey key;
    sync::InProcessNotifier notifier;
    test::TickingClock clock;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<rooms::RoomService> rooms;
    std::unique_ptr<EventIngest> ingest;
};

class EventIngestTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("event_ingest_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        a_ = std::make_unique<Server>(dir_ / "a", "a.test");
        b_ = std::make_unique<Server>(dir_ / "b", "b.test");
    }
    void TearDown() override {
        a_.reset();
        b_.reset();
        std::filesystem::remove_all(dir_);
    }

    // A public room on A that bob of B has joined, through the make_join /
    // send_join exchange: A builds the template, B signs it, A accepts the
    // join, and B takes the room's state and auth chain from A.
    RoomId shared_room(const RoomVersion* version = nullptr) {
        auto created = a_->rooms->create_room(
            {.creator = alice_, .preset = rooms::Preset::public_chat, .version = version});
        EXPECT_TRUE(created) << created.error().message;
        const RoomId room = created->room_id;
        join_from_b(room, bob_);
        return room;
    }

    void join_from_b(const RoomId& room, const UserId& who) {
        auto tmpl = a_->store->read("t", [&](store::ReadTxn& t) {
            return rooms::build_template(t,
                                         {.sender = who,
                                          .room_id = room,
                                          .type = "m.room.member",
                                          .state_key = std::string(who.str()),
                                          .content = {{"membership", "join"}}},
                                         a_->name, a_->clock.now_ms());
        });
        ASSERT_TRUE(tmpl) << tmpl.error().message;
        auto join = rooms::sign_template(tmpl->event, *tmpl->version, b_->name, b_->key);
        ASSERT_TRUE(join) << join.error().message;
        // Resident side of send_join: the state before the join, then the join.
        auto accepted = a_->ingest->accept(*join);
        ASSERT_TRUE(accepted) << accepted.error().message;
        ASSERT_EQ(accepted->status, IngestStatus::persisted) << accepted->reason;
        auto [state, chain] = state_and_auth_chain(*a_, (*join)->event_id());
        auto joined = b_->ingest->accept_join(*join, state, chain);
        ASSERT_TRUE(joined) << joined.error().message;
        ASSERT_EQ(joined->status, IngestStatus::persisted);
    }

    // What send_join answers: the state before `event` and the auth chain.
    std::pair<std::vector<PduPtr>, std::vector<PduPtr>> state_and_auth_chain(Server& s,
                                                                             const EventId& event) {
        std::vector<PduPtr> state, chain;
        auto read = s.store->read("sj",
                   [&](store::ReadTxn& t) -> Result<void> {
                       auto group = t.state().group_before(event).value().value();
                       auto map = t.state().state_at(group).value();
                       std::vector<EventId> ids;
                       for (const auto& [k, id] : map) ids.push_back(id);
                       auto rows = t.events().get_many(ids).value();
                       for (const auto& row : rows) state.push_back(row.to_pdu().value());
                       ids.push_back(event);
                       auto chain_ids = t.events().auth_chain(ids).value();
                       auto chain_rows = t.events().get_many(chain_ids).value();
                       for (const auto& row : chain_rows) chain.push_back(row.to_pdu().value());
                       return ok();
                   });
        EXPECT_TRUE(read);
        return {state, chain};
    }

    // Delivers A's outbox for B (or B's for A) into the other server, in order.
    void deliver(Server& from, Server& to) {
        for (const auto& entry : from.outbox(to.name)) {
            auto result = to.ingest->accept(from.pdu(entry.event_id));
            ASSERT_TRUE(result) << result.error().message;
            EXPECT_TRUE(result->status == IngestStatus::persisted ||
                        result->status == IngestStatus::already_known)
                << static_cast<int>(result->status) << " " << result->reason;
            auto removed = from.store->write("d", [&](store::WriteTxn& t) {
                return t.outbox().remove_through(to.name, entry.id);
            });
            ASSERT_TRUE(removed);
        }
    }

    // An event of `server`'s user built on `server`'s view of the room.
    PduPtr build(Server& server, const UserId& sender, const RoomId& room, std::string type,
                 json content, std::optional<std::string> state_key = std::nullopt) {
        auto tmpl = server.store->read("t", [&](store::ReadTxn& t) {
            return rooms::build_template(t,
                                         {.sender = sender,
                                          .room_id = room,
                                          .type = std::move(type),
                                          .state_key = std::move(state_key),
                                          .content = std::move(content)},
                                         server.name, server.clock.now_ms());
        });
        EXPECT_TRUE(tmpl) << tmpl.error().message;
        return rooms::sign_template(tmpl->event, *tmpl->version, server.name, server.key).value();
    }

    std::filesystem::path dir_;
    std::unique_ptr<Server> a_, b_;
    UserId alice_ = user("@alice:a.test");
    UserId bob_ = user("@bob:b.test");
};

TEST_F(EventIngestTest, RemoteJoinGivesBothServersTheSameState) {
    const RoomId room = shared_room();
    EXPECT_EQ(a_->membership(room, bob_), "join");
    EXPECT_EQ(b_->membership(room, bob_), "join");
    EXPECT_EQ(b_->membership(room, alice_), "join");
    EXPECT_EQ(a_->current_state(room), b_->current_state(room));
    EXPECT_EQ(a_->extremities(room), b_->extremities(room));
}

TEST_F(EventIngestTest, MessagesFlowBothWaysThroughTheOutboxes) {
    const RoomId room = shared_room();
    auto from_alice = a_->rooms->send_message(alice_, room, "m.room.message",
                                              {{"msgtype", "m.text"}, {"body", "hi bob"}});
    ASSERT_TRUE(from_alice);
    ASSERT_EQ(a_->outbox(b_->name).size(), 1u);
    deliver(*a_, *b_);
    EXPECT_TRUE(a_->outbox(b_->name).empty());
    auto on_b = b_->event(from_alice->event->event_id());
    ASSERT_TRUE(on_b);
    EXPECT_FALSE(on_b->outlier);
    EXPECT_EQ(on_b->json["content"]["body"], "hi bob");

    auto from_bob = b_->rooms->send_message(bob_, room, "m.room.message",
                                            {{"msgtype", "m.text"}, {"body", "hi alice"}});
    ASSERT_TRUE(from_bob);
    ASSERT_EQ(b_->outbox(a_->name).size(), 1u);
    deliver(*b_, *a_);
    auto on_a = a_->event(from_bob->event->event_id());
    ASSERT_TRUE(on_a);
    EXPECT_EQ(on_a->json["content"]["body"], "hi alice");
    EXPECT_EQ(a_->extremities(room), std::vector<EventId>{from_bob->event->event_id()});
    // Accepting it again changes nothing.
    auto again = a_->ingest->accept(from_bob->event);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, IngestStatus::already_known);
}

TEST_F(EventIngestTest, MissingPrevEventsAreNamedThenAcceptedInOrder) {
    const RoomId room = shared_room();
    auto m1 = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", "1"}});
    auto m2 = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", "2"}});
    ASSERT_TRUE(m1 && m2);
    auto early = a_->ingest->accept(m2->event);
    ASSERT_TRUE(early);
    ASSERT_EQ(early->status, IngestStatus::missing_events);
    EXPECT_EQ(early->missing, std::vector<EventId>{m1->event->event_id()});
    ASSERT_EQ(a_->ingest->accept(m1->event)->status, IngestStatus::persisted);
    ASSERT_EQ(a_->ingest->accept(m2->event)->status, IngestStatus::persisted);
    EXPECT_EQ(a_->extremities(room), std::vector<EventId>{m2->event->event_id()});
}

TEST_F(EventIngestTest, ABatchCommitsOnceInOrderAndAFailureStaysItsOwn) {
    const RoomId room = shared_room();
    std::vector<PduPtr> sent;
    for (int i = 0; i < 5; ++i) {
        auto m = b_->rooms->send_message(bob_, room, "m.room.message",
                                         {{"body", "m" + std::to_string(i)}});
        ASSERT_TRUE(m);
        sent.push_back(m->event);
    }
    // Out of order at the end: m4 before m3, whose gap only m3 fills. And an
    // event of a room A does not know, which fails alone.
    auto elsewhere = b_->rooms->create_room({.creator = bob_, .preset = rooms::Preset::public_chat});
    ASSERT_TRUE(elsewhere);
    auto stray = b_->rooms->send_message(bob_, elsewhere->room_id, "m.room.message", {{"body", "?"}});
    ASSERT_TRUE(stray);
    const std::vector<PduPtr> batch = {sent[0], sent[1], stray->event, sent[2], sent[4], sent[3]};

    const auto commits_before = a_->store->stats().commits;
    auto results = a_->ingest->accept_many(batch);
    EXPECT_EQ(a_->store->stats().commits, commits_before + 1);
    ASSERT_EQ(results.size(), batch.size());
    for (std::size_t i : {0u, 1u, 3u, 5u}) {
        ASSERT_TRUE(results[i]) << i << ": " << results[i].error().message;
        EXPECT_EQ(results[i]->status, IngestStatus::persisted) << i;
        EXPECT_EQ(results[i]->event_id, std::string(batch[i]->event_id().str()));
    }
    ASSERT_FALSE(results[2]);
    EXPECT_EQ(results[2].error().code, Errc::not_found);
    ASSERT_TRUE(results[4]);
    EXPECT_EQ(results[4]->status, IngestStatus::missing_events);
    EXPECT_EQ(results[4]->missing, std::vector<EventId>{sent[3]->event_id()});
    EXPECT_EQ(a_->extremities(room), std::vector<EventId>{sent[3]->event_id()});
    // What the batch missed goes in afterwards, as the /send handler retries it.
    ASSERT_EQ(a_->ingest->accept(sent[4])->status, IngestStatus::persisted);
    EXPECT_EQ(a_->extremities(room), std::vector<EventId>{sent[4]->event_id()});
    EXPECT_FALSE(a_->event(stray->event->event_id()));
}

TEST_F(EventIngestTest, AnUnauthorisedSenderIsRejectedAndKeptOutOfTheTimeline) {
    const RoomId room = shared_room();
    // carol of B never joined; B's server forges a message from her on the
    // room's current extremities, with the auth events a member would cite.
    auto event = build(*a_, alice_, room, "m.room.message", {{"body", "x"}});
    json forged = event->json();
    forged["sender"] = "@carol:b.test";
    forged.erase("signatures");
    forged.erase("hashes");
    forged.erase("event_id");
    auto pdu = rooms::sign_template(forged, event->version(), b_->name, b_->key).value();
    auto result = a_->ingest->accept(pdu);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, IngestStatus::rejected);
    auto stored = a_->event(pdu->event_id());
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->rejected_reason.has_value());
    EXPECT_NE(a_->extremities(room), std::vector<EventId>{pdu->event_id()});
}

TEST_F(EventIngestTest, AnEventTheCurrentStateForbidsIsSoftFailed) {
    const RoomId room = shared_room();
    // bob speaks on B while alice, concurrently, bans him on A.
    auto spoken = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", "late"}});
    ASSERT_TRUE(spoken);
    auto ban = a_->rooms->ban(alice_, room, bob_);
    ASSERT_TRUE(ban) << ban.error().message;
    auto result = a_->ingest->accept(spoken->event);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, IngestStatus::soft_failed) << result->reason;
    auto stored = a_->event(spoken->event->event_id());
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->soft_failed);
    EXPECT_EQ(a_->extremities(room), std::vector<EventId>{ban->event->event_id()});
}

TEST_F(EventIngestTest, ConcurrentStateChangesConvergeOnBothServers) {
    const RoomId room = shared_room();
    // bob may change the topic: power level 50 from alice.
    auto levels = a_->current_state(room).at(StateKey{"m.room.power_levels", ""});
    json pl = a_->event(levels)->json["content"];
    pl["users"][std::string(bob_.str())] = 50;
    ASSERT_TRUE(a_->rooms->send_state(alice_, room, "m.room.power_levels", "", pl));
    deliver(*a_, *b_);
    ASSERT_EQ(a_->current_state(room), b_->current_state(room));

    // A partition: each side changes the topic without seeing the other.
    auto t_a = a_->rooms->send_state(alice_, room, "m.room.topic", "", {{"topic", "from A"}});
    auto t_b = b_->rooms->send_state(bob_, room, "m.room.topic", "", {{"topic", "from B"}});
    ASSERT_TRUE(t_a && t_b);
    deliver(*a_, *b_);
    deliver(*b_, *a_);
    EXPECT_EQ(a_->extremities(room).size(), 2u);
    EXPECT_EQ(a_->current_state(room), b_->current_state(room));
    // The next event on either side merges the branches.
    auto merge = a_->rooms->send_message(alice_, room, "m.room.message", {{"body", "merged"}});
    ASSERT_TRUE(merge);
    EXPECT_EQ(merge->event->prev_events().size(), 2u);
    deliver(*a_, *b_);
    EXPECT_EQ(a_->current_state(room), b_->current_state(room));
    EXPECT_EQ(b_->extremities(room), std::vector<EventId>{merge->event->event_id()});
}

TEST_F(EventIngestTest, AReceivedRedactionRedactsItsTarget) {
    const RoomId room = shared_room();
    auto said = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", "oops"}});
    ASSERT_TRUE(said);
    auto redaction = b_->rooms->redact(bob_, room, said->event->event_id());
    ASSERT_TRUE(redaction);
    deliver(*b_, *a_);
    auto target = a_->event(said->event->event_id());
    ASSERT_TRUE(target);
    EXPECT_EQ(target->redacted_by, redaction->event->event_id());
    EXPECT_FALSE(target->json["content"].contains("body"));
}

TEST_F(EventIngestTest, JoinsWorkInOlderRoomVersions) {
    for (const char* id : {"1", "3", "6", "10", "11"}) {
        const RoomId room = shared_room(RoomVersion::find(id));
        EXPECT_EQ(a_->current_state(room), b_->current_state(room)) << id;
        auto said = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", id}});
        ASSERT_TRUE(said) << id;
        deliver(*b_, *a_);
        EXPECT_TRUE(a_->event(said->event->event_id())) << id;
    }
}

TEST_F(EventIngestTest, AJoinTheStateForbidsIsRefused) {
    auto created = a_->rooms->create_room({.creator = alice_, .preset = rooms::Preset::private_chat});
    ASSERT_TRUE(created);
    auto tmpl = a_->store->read("t", [&](store::ReadTxn& t) {
        return rooms::build_template(t,
                                     {.sender = bob_,
                                      .room_id = created->room_id,
                                      .type = "m.room.member",
                                      .state_key = std::string(bob_.str()),
                                      .content = {{"membership", "join"}}},
                                     a_->name, 1);
    });
    ASSERT_FALSE(tmpl);  // invite-only room, no invite
    EXPECT_EQ(tmpl.error().code, Errc::forbidden);
}

TEST_F(EventIngestTest, ARemoteInviteBecomesTheInviteesMembership) {
    auto created = a_->rooms->create_room({.creator = alice_, .preset = rooms::Preset::private_chat});
    ASSERT_TRUE(created);
    auto invite = build(*a_, alice_, created->room_id, "m.room.member",
                        {{"membership", "invite"}}, std::string(bob_.str()));
    ASSERT_TRUE(invite);
    auto position = b_->ingest->store_remote_invite(invite);
    ASSERT_TRUE(position) << position.error().message;
    EXPECT_EQ(b_->membership(created->room_id, bob_), "invite");
    // A persists its invite as it would after B countersigned it.
    auto accepted = a_->ingest->accept(invite);
    ASSERT_TRUE(accepted);
    EXPECT_EQ(accepted->status, IngestStatus::persisted) << accepted->reason;
    EXPECT_EQ(a_->membership(created->room_id, bob_), "invite");
    // Our own event goes to the room's servers and the invitee's (which
    // then has it twice: from the invite endpoint and from /send).
    EXPECT_EQ(a_->outbox(b_->name).size(), 1u);
}

TEST_F(EventIngestTest, SignaturesAndHashesAreChecked) {
    const RoomId room = shared_room();
    auto said = b_->rooms->send_message(bob_, room, "m.room.message", {{"body", "signed"}});
    ASSERT_TRUE(said);
    std::map<std::string, crypto::VerifyKey> keys = {{"b.test", b_->key.verify_key()}};
    KeyLookup lookup = [&](const ServerName& s, std::string_view id) -> std::optional<crypto::VerifyKey> {
        auto it = keys.find(std::string(s.str()));
        if (it == keys.end() || it->second.key_id() != id) return std::nullopt;
        return it->second;
    };
    EXPECT_TRUE(check_signatures(*said->event, lookup));
    EXPECT_EQ(required_signers(*said->event), std::vector<ServerName>{b_->name});
    // Signed by A's key instead: refused.
    keys.insert_or_assign("b.test", a_->key.verify_key());
    auto bad = check_signatures(*said->event, lookup);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::forbidden);

    // Altered content: kept only redacted.
    json altered = said->event->json();
    altered["content"]["body"] = "changed";
    auto pdu = std::make_shared<const Pdu>(Pdu::from_json(altered, said->event->version()).value());
    auto kept = with_checked_hash(pdu).value();
    EXPECT_FALSE(kept->content().contains("body"));
    EXPECT_EQ(with_checked_hash(said->event).value(), said->event);
}

}  // namespace
}  // namespace chat::ingest
