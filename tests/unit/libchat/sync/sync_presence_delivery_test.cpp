// Issue 5 in the sync assembler: presence only to users who share a room,
// MSC4089 delivery receipts only to the event's sender, and delivery
// inferred from sync, kept as one position per (room, user).
#include <chat/sync/sync_assembler.hpp>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include <chat/presence/presence.hpp>
#include <chat/receipts/delivery.hpp>

#include "libchat/sync/sync_fixture.hpp"

namespace chat::sync {
namespace {

using nlohmann::json;
using test::value;

class SyncIssue5Test : public test::SyncFixture {
protected:
    SyncResult sync(const UserId& user, const std::optional<SyncToken>& since = {}) {
        SyncRequest req{.user = user,
                        .device_id = "DEV",
                        .since = since,
                        .filter = Filter{},
                        .now_ts = clock_.peek()};
        return value(
            store_->read("sync", [&](store::ReadTxn& t) { return assemble_sync(t, req); }));
    }

    RoomId room(const UserId& creator, rooms::Preset preset = rooms::Preset::private_chat) {
        return value(rooms_->create_room({.creator = creator, .preset = preset})).room_id;
    }

    EventId say(const UserId& who, const RoomId& room, const std::string& body) {
        return value(rooms_->send_message(who, room, "m.room.message",
                                          {{"msgtype", "m.text"}, {"body", body}}))
            .event->event_id();
    }

    void set_presence(const UserId& user, presence::State state) {
        auto status = presence::set_state(presence::Status{}, state, "msg", clock_.peek());
        value(store_->write("presence",
                            [&](store::WriteTxn& t) { return presence::write(t, user, status); }));
    }

    std::optional<store::Position> delivered(const UserId& user, const RoomId& room,
                                             const EventId& event,
                                             receipts::DeliveryPolicy policy = {}) {
        return value(store_->write("delivery", [&](store::WriteTxn& t) {
            return receipts::record_delivery_receipt(t, user, room, event, clock_.peek(), policy);
        }));
    }

    std::optional<store::Position> synced_to(const UserId& user, const SyncToken& token,
                                             receipts::DeliveryPolicy policy = {}) {
        return value(store_->write("infer", [&](store::WriteTxn& t) {
            return receipts::infer_delivery(t, user, token.streams[store::Stream::events],
                                            clock_.peek(), policy);
        }));
    }

    static std::set<std::string> presence_senders(const SyncResult& r) {
        std::set<std::string> out;
        for (const auto& e : r.body["presence"]["events"]) out.insert(e["sender"]);
        return out;
    }

    // The delivery receipts in `room`'s ephemeral section: event -> user -> data.
    static json delivery_in(const SyncResult& r, const RoomId& room) {
        const auto& rooms = r.body["rooms"]["join"];
        auto it = rooms.find(std::string(room.str()));
        if (it == rooms.end()) return json::object();
        json out = json::object();
        for (const auto& e : (*it)["ephemeral"]["events"]) {
            if (e["type"] != "m.receipt") continue;
            for (auto ev = e["content"].begin(); ev != e["content"].end(); ++ev) {
                auto d = ev->find(std::string(receipts::kDeliveryType));
                if (d != ev->end()) out[ev.key()] = *d;
            }
        }
        return out;
    }

    UserId dave_ = test::user("@dave:a.test");
};

TEST_F(SyncIssue5Test, PresenceGoesOnlyToUsersWhoShareARoom) {
    const RoomId shared = room(alice_, rooms::Preset::public_chat);
    value(rooms_->join(bob_, shared));
    auto alice_first = sync(alice_);
    auto carol_first = sync(carol_);
    set_presence(bob_, presence::State::online);

    auto alice_next = sync(alice_, alice_first.next_batch);
    EXPECT_TRUE(alice_next.has_updates);
    EXPECT_EQ(presence_senders(alice_next), std::set<std::string>{"@bob:a.test"});
    const auto& event = alice_next.body["presence"]["events"][0];
    EXPECT_EQ(event["type"], "m.presence");
    EXPECT_EQ(event["content"]["presence"], "online");
    EXPECT_EQ(event["content"]["status_msg"], "msg");
    EXPECT_TRUE(event["content"].contains("last_active_ago"));

    // Carol shares no room with Bob: nothing, and her sync is not woken.
    auto carol_next = sync(carol_, carol_first.next_batch);
    EXPECT_TRUE(presence_senders(carol_next).empty());
    EXPECT_FALSE(carol_next.has_updates);
    // An initial sync has the current presence of room mates too.
    EXPECT_EQ(presence_senders(sync(alice_)), std::set<std::string>{"@bob:a.test"});
    EXPECT_TRUE(presence_senders(sync(carol_)).empty());
}

TEST_F(SyncIssue5Test, PresenceCanBeTurnedOff) {
    const RoomId shared = room(alice_);
    value(rooms_->invite(alice_, shared, bob_));
    value(rooms_->join(bob_, shared));
    set_presence(bob_, presence::State::online);
    SyncRequest req{.user = alice_, .device_id = "DEV", .now_ts = clock_.peek(), .presence = false};
    auto r = value(store_->read("sync", [&](store::ReadTxn& t) { return assemble_sync(t, req); }));
    EXPECT_TRUE(r.body["presence"]["events"].empty());
}

TEST_F(SyncIssue5Test, ExplicitDeliveryReceiptReachesOnlyTheSender) {
    const RoomId r = room(alice_);
    for (const auto& u : {bob_, carol_}) {
        value(rooms_->invite(alice_, r, u));
        value(rooms_->join(u, r));
    }
    const EventId msg = say(alice_, r, "hello");
    auto alice_first = sync(alice_);
    auto carol_first = sync(carol_);
    ASSERT_TRUE(delivered(bob_, r, msg));
    // A duplicate is accepted, routes nothing more and leaves the stream
    // where it was.
    auto position = [&] {
        return read([&](store::ReadTxn& t) { return t.current_position(store::Stream::receipts); });
    };
    const auto before = position();
    EXPECT_FALSE(delivered(bob_, r, msg));
    EXPECT_EQ(position(), before);

    auto alice_next = sync(alice_, alice_first.next_batch);
    EXPECT_TRUE(alice_next.has_updates);
    json seen = delivery_in(alice_next, r);
    ASSERT_TRUE(seen.contains(std::string(msg.str()))) << alice_next.body.dump();
    EXPECT_TRUE(seen[std::string(msg.str())]["@bob:a.test"].contains("ts"));
    EXPECT_FALSE(seen[std::string(msg.str())]["@bob:a.test"].contains("inferred"));

    auto carol_next = sync(carol_, carol_first.next_batch);
    EXPECT_TRUE(delivery_in(carol_next, r).empty()) << carol_next.body.dump();
    EXPECT_FALSE(carol_next.has_updates);
}

TEST_F(SyncIssue5Test, DeliveryReceiptRules) {
    const RoomId r = room(alice_);
    value(rooms_->invite(alice_, r, bob_));
    value(rooms_->join(bob_, r));
    const EventId mine = say(bob_, r, "bob's own");
    EXPECT_FALSE(delivered(bob_, r, mine));  // own event: nothing to route
    const EventId msg = say(alice_, r, "x");
    auto off = receipts::DeliveryPolicy{.explicit_receipts = false};
    EXPECT_FALSE(delivered(bob_, r, msg, off));
    // Not joined: refused.
    auto refused = store_->write("delivery", [&](store::WriteTxn& t) {
        return receipts::record_delivery_receipt(t, carol_, r, msg, 1, {});
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::forbidden);
    // Unknown event: not found.
    auto unknown = store_->write("delivery", [&](store::WriteTxn& t) {
        return receipts::record_delivery_receipt(t, bob_, r, EventId::parse("$nope:a.test").value(), 1,
                                                 {});
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(SyncIssue5Test, PublicRoomsAreLeftOutUnlessTheOperatorAllowsThem) {
    const RoomId r = room(alice_, rooms::Preset::public_chat);
    value(rooms_->join(bob_, r));
    const EventId msg = say(alice_, r, "public");
    EXPECT_FALSE(delivered(bob_, r, msg));
    EXPECT_TRUE(delivered(bob_, r, msg, {.public_rooms = true}));
}

TEST_F(SyncIssue5Test, SyncPastAnEventInfersDeliveryForItsSenders) {
    const RoomId r = room(alice_);
    for (const auto& u : {bob_, carol_, dave_}) {
        value(rooms_->invite(alice_, r, u));
        value(rooms_->join(u, r));
    }
    auto bob_first = sync(bob_);
    synced_to(bob_, bob_first.next_batch);  // acknowledges the history up to now
    const EventId a1 = say(alice_, r, "a1");
    const EventId a2 = say(alice_, r, "a2");
    const EventId c1 = say(carol_, r, "c1");
    const EventId own = say(bob_, r, "bob");
    auto alice_first = sync(alice_);
    auto carol_first = sync(carol_);
    auto dave_first = sync(dave_);

    // Bob's device receives the events; nothing is inferred until its next
    // sync shows that it got them.
    auto bob_second = sync(bob_, bob_first.next_batch);
    EXPECT_TRUE(delivery_in(sync(alice_, alice_first.next_batch), r).empty());
    ASSERT_TRUE(synced_to(bob_, bob_second.next_batch));

    auto alice_view = delivery_in(sync(alice_, alice_first.next_batch), r);
    // Keyed by Alice's newest event covered, marked inferred, up to the
    // newest event from someone else.
    ASSERT_TRUE(alice_view.contains(std::string(a2.str()))) << alice_view.dump();
    EXPECT_FALSE(alice_view.contains(std::string(a1.str())));
    const auto& note = alice_view[std::string(a2.str())]["@bob:a.test"];
    EXPECT_EQ(note["inferred"], true);
    EXPECT_EQ(note["up_to"], std::string(c1.str()));
    auto carol_view = delivery_in(sync(carol_, carol_first.next_batch), r);
    EXPECT_TRUE(carol_view.contains(std::string(c1.str()))) << carol_view.dump();
    // Dave sent nothing: he is not told.
    EXPECT_TRUE(delivery_in(sync(dave_, dave_first.next_batch), r).empty());
    (void)own;

    // One row per (room, user): a second move replaces it.
    const EventId a3 = say(alice_, r, "a3");
    auto bob_third = sync(bob_, bob_second.next_batch);
    ASSERT_TRUE(synced_to(bob_, bob_third.next_batch));
    auto row = read([&](store::ReadTxn& t) { return t.delivery().inferred(r, bob_); });
    ASSERT_TRUE(row);
    EXPECT_EQ(row->event_id, a3);
    // Syncing again from the same token moves nothing.
    EXPECT_FALSE(synced_to(bob_, bob_third.next_batch));
}

TEST_F(SyncIssue5Test, InferenceCanBeTurnedOff) {
    const RoomId r = room(alice_);
    value(rooms_->invite(alice_, r, bob_));
    value(rooms_->join(bob_, r));
    auto bob_first = sync(bob_);
    synced_to(bob_, bob_first.next_batch);
    say(alice_, r, "x");
    auto bob_second = sync(bob_, bob_first.next_batch);
    EXPECT_FALSE(synced_to(bob_, bob_second.next_batch, {.inferred = false}));
    auto row = read([&](store::ReadTxn& t) { return t.delivery().inferred(r, bob_); });
    EXPECT_FALSE(row);
}

}  // namespace
}  // namespace chat::sync
