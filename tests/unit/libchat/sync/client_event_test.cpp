#include <chat/sync/client_event.hpp>

#include <string>

#include <gtest/gtest.h>

#include "libchat/sync/sync_fixture.hpp"

namespace chat::sync {
namespace {

using test::value;

class ClientEventTest : public test::SyncFixture {
protected:
    store::StoredEvent stored(const EventId& id) {
        auto ev = read([&](store::ReadTxn& t) { return t.events().get(id); });
        if (!ev) throw std::runtime_error("event not stored");
        return *ev;
    }
    nlohmann::json format(const EventId& id, const ClientEventContext& ctx) {
        auto ev = stored(id);
        return read([&](store::ReadTxn& t) { return load_client_event(t, ev, ctx); });
    }
    RoomId room() {
        return value(rooms_->create_room({.creator = alice_, .preset = rooms::Preset::public_chat}))
            .room_id;
    }
};

TEST_F(ClientEventTest, HasTheClientFieldsAndNoFederationFields) {
    const RoomId r = room();
    auto sent = value(
        rooms_->send_message(alice_, r, "m.room.message", {{"msgtype", "m.text"}, {"body", "hi"}}));
    const auto& pdu = *sent.event;
    auto ev = stored(pdu.event_id());
    ClientEventContext ctx{.now_ts = pdu.origin_server_ts() + 1500};
    auto out = client_event(ev, ctx);

    EXPECT_EQ(out["event_id"], pdu.event_id().str());
    EXPECT_EQ(out["type"], "m.room.message");
    EXPECT_EQ(out["sender"], alice_.str());
    EXPECT_EQ(out["room_id"], r.str());
    EXPECT_EQ(out["origin_server_ts"], pdu.origin_server_ts());
    EXPECT_EQ(out["content"]["body"], "hi");
    EXPECT_EQ(out["unsigned"]["age"], 1500);
    EXPECT_FALSE(out.contains("state_key"));
    for (const char* federation_only :
         {"auth_events", "prev_events", "hashes", "signatures", "depth", "origin"})
        EXPECT_FALSE(out.contains(federation_only)) << federation_only;
    EXPECT_FALSE(out["unsigned"].contains("transaction_id"));

    ctx.include_room_id = false;
    EXPECT_FALSE(client_event(ev, ctx).contains("room_id"));
}

TEST_F(ClientEventTest, TransactionIdGoesOnlyToTheSendingDevice) {
    const RoomId r = room();
    value(rooms_->join(bob_, r));
    auto sent = value(rooms_->send_message(alice_, r, "m.room.message", {{"body", "x"}},
                                           rooms::TxnKey{"DEV1", "txn-1"}));
    const EventId id = sent.event->event_id();

    auto record = read([&](store::ReadTxn& t) { return t.txn_ids().for_event(id); });
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->user_id, alice_);
    EXPECT_EQ(record->device_id, "DEV1");
    EXPECT_EQ(record->txn_id, "txn-1");

    auto same_device = format(id, {.now_ts = 0, .viewer = &alice_, .viewer_device = "DEV1"});
    EXPECT_EQ(same_device["unsigned"]["transaction_id"], "txn-1");
    auto other_device = format(id, {.now_ts = 0, .viewer = &alice_, .viewer_device = "DEV2"});
    EXPECT_FALSE(other_device["unsigned"].contains("transaction_id"));
    auto other_user = format(id, {.now_ts = 0, .viewer = &bob_, .viewer_device = "DEV1"});
    EXPECT_FALSE(other_user["unsigned"].contains("transaction_id"));
    auto nobody = format(id, {.now_ts = 0});
    EXPECT_FALSE(nobody["unsigned"].contains("transaction_id"));
}

TEST_F(ClientEventTest, AnEventSentWithoutTxnIdHasNoRecord) {
    const RoomId r = room();
    auto sent = value(rooms_->send_message(alice_, r, "m.room.message", {{"body", "x"}}));
    auto record =
        read([&](store::ReadTxn& t) { return t.txn_ids().for_event(sent.event->event_id()); });
    EXPECT_FALSE(record.has_value());
}

TEST_F(ClientEventTest, StateEventCarriesStateKeyAndPrevContent) {
    const RoomId r = room();
    auto first = value(rooms_->send_state(alice_, r, "m.room.topic", "", {{"topic", "one"}}));
    auto second = value(rooms_->send_state(alice_, r, "m.room.topic", "", {{"topic", "two"}}));

    auto out = format(second.event->event_id(), {.now_ts = 0});
    EXPECT_EQ(out["state_key"], "");
    EXPECT_EQ(out["content"]["topic"], "two");
    EXPECT_EQ(out["unsigned"]["prev_content"]["topic"], "one");
    EXPECT_EQ(out["unsigned"]["replaces_state"], first.event->event_id().str());
    EXPECT_EQ(out["unsigned"]["prev_sender"], alice_.str());

    // The first topic of the room replaced nothing.
    auto original = format(first.event->event_id(), {.now_ts = 0});
    EXPECT_FALSE(original["unsigned"].contains("prev_content"));
    EXPECT_FALSE(original["unsigned"].contains("replaces_state"));
}

TEST_F(ClientEventTest, RedactedEventShowsPrunedContentAndItsRedaction) {
    const RoomId r = room();
    auto msg = value(rooms_->send_message(alice_, r, "m.room.message",
                                          {{"msgtype", "m.text"}, {"body", "secret"}}));
    auto redaction = value(rooms_->redact(alice_, r, msg.event->event_id(), "oops"));

    auto out = format(msg.event->event_id(), {.now_ts = 0, .include_room_id = false});
    EXPECT_FALSE(out["content"].contains("body"));
    const auto& because = out["unsigned"]["redacted_because"];
    ASSERT_TRUE(because.is_object()) << out.dump();
    EXPECT_EQ(because["event_id"], redaction.event->event_id().str());
    EXPECT_EQ(because["type"], "m.room.redaction");
    EXPECT_FALSE(because.contains("room_id"));
    EXPECT_FALSE(because.contains("signatures"));
}

// Room v11 moved `redacts` into content and asks servers to serve it in
// both places; older clients (matrix-nio 0.20) read only the top level.
TEST_F(ClientEventTest, RedactionNamesItsTargetAtTopLevelAndInContentInEveryRoomVersion) {
    for (const RoomVersion* version : {&RoomVersion::v10, &RoomVersion::v11, &RoomVersion::v12}) {
        auto created = value(rooms_->create_room(
            {.creator = alice_, .preset = rooms::Preset::public_chat, .version = version}));
        auto msg = value(rooms_->send_message(alice_, created.room_id, "m.room.message",
                                              {{"msgtype", "m.text"}, {"body", "x"}}));
        const std::string target(msg.event->event_id().str());
        auto redaction =
            value(rooms_->redact(alice_, created.room_id, msg.event->event_id(), "oops"));

        auto out = format(redaction.event->event_id(), {.now_ts = 0});
        EXPECT_EQ(out["redacts"], target) << version->id;
        EXPECT_EQ(out["content"]["redacts"], target) << version->id;
        EXPECT_EQ(out["content"]["reason"], "oops") << version->id;
    }
}

}  // namespace
}  // namespace chat::sync
