#include <chat/sync/aggregations.hpp>

#include <string>

#include <gtest/gtest.h>

#include <chat/sync/client_event.hpp>

#include "libchat/sync/sync_fixture.hpp"

namespace chat::sync {
namespace {

using nlohmann::json;
using test::value;

class Aggregations : public test::SyncFixture {
protected:
    void SetUp() override {
        SyncFixture::SetUp();
        room_ = value(rooms_->create_room({.creator = alice_, .preset = rooms::Preset::public_chat}))
                    .room_id;
        value(rooms_->join(bob_, room_));
        value(rooms_->join(carol_, room_));
    }

    EventId send(const UserId& sender, json content, std::string type = "m.room.message") {
        return value(rooms_->send_message(sender, room_, std::move(type), std::move(content)))
            .event->event_id();
    }
    EventId text(const UserId& sender, const std::string& body) {
        return send(sender, {{"msgtype", "m.text"}, {"body", body}});
    }
    static json relates(const EventId& parent, const std::string& rel_type) {
        return {{"rel_type", rel_type}, {"event_id", parent.str()}};
    }
    EventId edit(const UserId& sender, const EventId& original, const std::string& body) {
        return send(sender, {{"msgtype", "m.text"},
                             {"body", "* " + body},
                             {"m.new_content", {{"msgtype", "m.text"}, {"body", body}}},
                             {"m.relates_to", relates(original, "m.replace")}});
    }
    EventId reply_in_thread(const UserId& sender, const EventId& root, const std::string& body) {
        return send(sender, {{"msgtype", "m.text"},
                             {"body", body},
                             {"m.relates_to", relates(root, "m.thread")}});
    }

    // The event as /event would serve it to `viewer`.
    json served(const EventId& id, const UserId& viewer, ClientEventContext ctx = {}) {
        ctx.viewer = &viewer;
        return read([&](store::ReadTxn& t) -> Result<json> {
            auto ev = t.events().get(id);
            if (!ev) return ev.error();
            if (!*ev) return make_error(Errc::not_found, "no such event");
            return load_client_event(t, **ev, ctx);
        });
    }
    // unsigned["m.relations"], or null when absent.
    static json relations(const json& event) {
        const auto& unsigned_ = event.at("unsigned");
        const auto it = unsigned_.find("m.relations");
        return it == unsigned_.end() ? json() : *it;
    }

    RoomId room_ = RoomId::parse("!placeholder:a.test").value();
};

TEST_F(Aggregations, AnEventWithoutChildrenHasNoRelations) {
    auto id = text(alice_, "plain");
    EXPECT_FALSE(served(id, alice_)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, TheLatestEditIsBundledAndTheOriginalContentKept) {
    auto original = text(alice_, "I like cake");
    edit(alice_, original, "I like chocolate cake");
    auto latest = edit(alice_, original, "I like chocolate cake a lot");

    auto out = served(original, bob_);
    EXPECT_EQ(out["content"]["body"], "I like cake");
    const json replace = relations(out)["m.replace"];
    EXPECT_EQ(replace["event_id"], latest.str());
    EXPECT_EQ(replace["sender"], alice_.str());
    EXPECT_EQ(replace["type"], "m.room.message");
    EXPECT_EQ(replace["content"]["m.new_content"]["body"], "I like chocolate cake a lot");
    EXPECT_EQ(replace["room_id"], room_.str());
}

TEST_F(Aggregations, EditsByOthersOrWithoutNewContentAreNotValid) {
    auto original = text(alice_, "hello");
    auto valid = edit(alice_, original, "hello there");
    edit(bob_, original, "hijacked");
    send(alice_, {{"body", "* no new content"}, {"m.relates_to", relates(original, "m.replace")}});

    EXPECT_EQ(relations(served(original, alice_))["m.replace"]["event_id"], valid.str());

    auto only_bob = text(alice_, "mine");
    edit(bob_, only_bob, "not yours");
    EXPECT_FALSE(served(only_bob, alice_)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, RedactingTheOriginalDropsTheEditAndRedactingAnEditRevertsIt) {
    auto original = text(alice_, "v1");
    auto first = edit(alice_, original, "v2");
    auto second = edit(alice_, original, "v3");
    value(rooms_->redact(alice_, room_, second));
    EXPECT_EQ(relations(served(original, alice_))["m.replace"]["event_id"], first.str());

    value(rooms_->redact(alice_, room_, original));
    EXPECT_FALSE(served(original, alice_)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, AnEditIsNotItselfEditable) {
    auto original = text(alice_, "v1");
    auto first = edit(alice_, original, "v2");
    edit(alice_, first, "edit of an edit");
    EXPECT_FALSE(served(first, alice_)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, AThreadRootCarriesCountLatestReplyAndParticipation) {
    auto root = text(alice_, "root");
    reply_in_thread(bob_, root, "one");
    auto latest = reply_in_thread(bob_, root, "two");
    auto latest_edit = edit(bob_, latest, "two, edited");

    auto for_alice = served(root, alice_);
    const json thread = relations(for_alice)["m.thread"];
    EXPECT_EQ(thread["count"], 2);
    EXPECT_EQ(thread["latest_event"]["event_id"], latest.str());
    EXPECT_EQ(thread["latest_event"]["content"]["body"], "two");
    // The latest reply carries its own bundle: its edit.
    EXPECT_EQ(thread["latest_event"]["unsigned"]["m.relations"]["m.replace"]["event_id"],
              latest_edit.str());
    EXPECT_TRUE(thread["current_user_participated"]);  // Alice sent the root

    EXPECT_TRUE(relations(served(root, bob_))["m.thread"]["current_user_participated"]);
    EXPECT_FALSE(relations(served(root, carol_))["m.thread"]["current_user_participated"]);
}

TEST_F(Aggregations, RepliesFromIgnoredUsersAreNotAggregated) {
    auto root = text(alice_, "root");
    auto from_carol = reply_in_thread(carol_, root, "carol");
    reply_in_thread(bob_, root, "bob");

    ClientEventContext ctx;
    ctx.ignored_senders = {std::string(bob_.str())};
    const json thread = relations(served(root, alice_, ctx))["m.thread"];
    EXPECT_EQ(thread["count"], 1);
    EXPECT_EQ(thread["latest_event"]["event_id"], from_carol.str());

    auto only_bob = text(alice_, "other root");
    reply_in_thread(bob_, only_bob, "bob");
    EXPECT_FALSE(served(only_bob, alice_, ctx)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, ReferencesAreListedByEventIdAndAnnotationsAreNot) {
    auto parent = text(alice_, "poll");
    auto a = send(bob_, {{"body", "a"}, {"m.relates_to", relates(parent, "m.reference")}});
    auto b = send(carol_, {{"body", "b"}, {"m.relates_to", relates(parent, "m.reference")}});
    send(bob_, {{"m.relates_to", {{"rel_type", "m.annotation"},
                                  {"event_id", parent.str()},
                                  {"key", "👍"}}}},
         "m.reaction");

    auto out = served(parent, alice_);
    EXPECT_EQ(relations(out)["m.reference"],
              (json{{"chunk", json::array({{{"event_id", a.str()}}, {{"event_id", b.str()}}})}}));
    EXPECT_FALSE(relations(out).contains("m.annotation"));
}

TEST_F(Aggregations, NoBundleWhenTheContextTurnsItOff) {
    auto root = text(alice_, "root");
    reply_in_thread(bob_, root, "one");
    ClientEventContext ctx;
    ctx.bundle_aggregations = false;
    EXPECT_FALSE(served(root, alice_, ctx)["unsigned"].contains("m.relations"));
}

TEST_F(Aggregations, StateEventsGetNoBundle) {
    auto topic = value(rooms_->send_state(alice_, room_, "m.room.topic", "", {{"topic", "t"}}))
                     .event->event_id();
    send(bob_, {{"body", "ref"}, {"m.relates_to", relates(topic, "m.reference")}});
    auto ev = read([&](store::ReadTxn& t) { return t.events().get(topic); });
    ASSERT_TRUE(ev);
    auto bundle = read([&](store::ReadTxn& t) { return bundled_aggregations(t, *ev, {}); });
    EXPECT_FALSE(bundle);
}

}  // namespace
}  // namespace chat::sync
