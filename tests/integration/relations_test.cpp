#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {
namespace {

using nlohmann::json;

// One chatd for the suite: every test makes its own room and users.
class Relations : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        // Each test registers its own users: the default register limit
        // (a burst of 3) would refuse them.
        daemon_ = Daemon::start(dir_->path(),
                                "rate_limits:\n"
                                "  register: {per_second: 0}\n"
                                "  message: {per_second: 0}\n")
                      .release();
    }
    // A clean exit also shows that no sanitizer fired inside chatd.
    static void TearDownTestSuite() {
        EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        delete daemon_;
        delete dir_;
    }

    void SetUp() override {
        const auto suffix = std::to_string(++users_);
        alice_ = std::make_unique<MatrixClient>(MatrixClient::registered(port(), "alice" + suffix));
        bob_ = std::make_unique<MatrixClient>(MatrixClient::registered(port(), "bob" + suffix));
        room_ = alice_->create_room({{"preset", "public_chat"}});
        bob_->join(room_);
    }

    static std::uint16_t port() { return daemon_->port(); }
    std::string log() const { return daemon_->log_tail(); }

    std::string send(const MatrixClient& who, const json& content,
                     const std::string& type = "m.room.message") {
        auto answer = who.put("/_matrix/client/v3/rooms/" + escape(room_) + "/send/" + type +
                                  "/rel" + std::to_string(++txn_),
                              content);
        EXPECT_EQ(answer.status, 200) << answer.text << log();
        return answer.body.value("event_id", "");
    }
    static json relates(const std::string& parent, const std::string& rel_type) {
        return {{"rel_type", rel_type}, {"event_id", parent}};
    }
    std::string edit(const MatrixClient& who, const std::string& original,
                     const std::string& body) {
        return send(who, {{"msgtype", "m.text"},
                          {"body", "* " + body},
                          {"m.new_content", {{"msgtype", "m.text"}, {"body", body}}},
                          {"m.relates_to", relates(original, "m.replace")}});
    }
    std::string thread_reply(const MatrixClient& who, const std::string& root,
                             const std::string& body) {
        return send(who, {{"msgtype", "m.text"},
                          {"body", body},
                          {"m.relates_to", relates(root, "m.thread")}});
    }
    std::string reference(const MatrixClient& who, const std::string& parent) {
        return send(who, {{"body", "ref"}, {"m.relates_to", relates(parent, "m.reference")}});
    }

    std::string room_path() const { return "/_matrix/client/v3/rooms/" + escape(room_); }
    std::string relations_path(const std::string& parent, const std::string& rest = {}) const {
        return "/_matrix/client/v1/rooms/" + escape(room_) + "/relations/" + escape(parent) + rest;
    }
    std::string threads_path(const std::string& query = {}) const {
        return "/_matrix/client/v1/rooms/" + escape(room_) + "/threads" + query;
    }

    static std::vector<std::string> ids(const json& chunk) {
        std::vector<std::string> out;
        for (const auto& ev : chunk) out.push_back(ev.value("event_id", ""));
        return out;
    }

    static TempDir* dir_;
    static Daemon* daemon_;
    static int users_;
    static int txn_;
    std::unique_ptr<MatrixClient> alice_;
    std::unique_ptr<MatrixClient> bob_;
    std::string room_;
};

TempDir* Relations::dir_ = nullptr;
Daemon* Relations::daemon_ = nullptr;
int Relations::users_ = 0;
int Relations::txn_ = 0;

TEST_F(Relations, AnEditIsBundledOnTheOriginalAndItsContentIsKept) {
    auto original = alice_->send_text(room_, "I like cake");
    edit(*alice_, original, "I like chocolate cake");
    auto latest = edit(*alice_, original, "I like chocolate cake a lot");

    auto event = bob_->get(room_path() + "/event/" + escape(original));
    ASSERT_EQ(event.status, 200) << event.text << log();
    EXPECT_EQ(event.body["content"]["body"], "I like cake");
    const auto& replace = event.body["unsigned"]["m.relations"]["m.replace"];
    EXPECT_EQ(replace["event_id"], latest) << event.text;
    EXPECT_EQ(replace["content"]["m.new_content"]["body"], "I like chocolate cake a lot");

    // /messages bundles the same.
    auto messages = bob_->get(room_path() + "/messages?dir=b&limit=10");
    ASSERT_EQ(messages.status, 200) << messages.text;
    bool found = false;
    for (const auto& ev : messages.body["chunk"]) {
        if (ev["event_id"] != original) continue;
        found = true;
        EXPECT_EQ(ev["unsigned"]["m.relations"]["m.replace"]["event_id"], latest);
    }
    EXPECT_TRUE(found) << messages.text;

    // An edit by someone else is not valid and not bundled.
    auto bobs = alice_->send_text(room_, "mine");
    edit(*bob_, bobs, "not yours");
    auto untouched = alice_->get(room_path() + "/event/" + escape(bobs));
    EXPECT_FALSE(untouched.body["unsigned"].contains("m.relations")) << untouched.text;
}

TEST_F(Relations, AReplyRoundTripsAndIsNotARelation) {
    auto parent = alice_->send_text(room_, "question?");
    auto reply = send(*bob_, {{"msgtype", "m.text"},
                              {"body", "> question?\n\nanswer"},
                              {"m.relates_to", {{"m.in_reply_to", {{"event_id", parent}}}}}});

    auto event = alice_->get(room_path() + "/event/" + escape(reply));
    ASSERT_EQ(event.status, 200) << event.text;
    EXPECT_EQ(event.body["content"]["m.relates_to"]["m.in_reply_to"]["event_id"], parent);
    EXPECT_EQ(event.body["sender"], bob_->user_id());

    // The spec: replies have no rel_type, so /relations does not list them.
    auto children = alice_->get(relations_path(parent));
    ASSERT_EQ(children.status, 200) << children.text;
    EXPECT_TRUE(children.body["chunk"].empty()) << children.text;
}

TEST_F(Relations, AThreadIsListedWithCountAndParticipation) {
    auto carol = MatrixClient::registered(port(), "carol" + std::to_string(users_));
    carol.join(room_);
    auto old_root = alice_->send_text(room_, "old thread");
    thread_reply(*alice_, old_root, "only reply");
    auto root = alice_->send_text(room_, "thread root");
    thread_reply(*bob_, root, "first");
    auto latest = thread_reply(*bob_, root, "second");

    auto threads = alice_->get(threads_path());
    ASSERT_EQ(threads.status, 200) << threads.text << log();
    ASSERT_EQ(ids(threads.body["chunk"]), (std::vector<std::string>{root, old_root}))
        << threads.text;
    const auto& summary = threads.body["chunk"][0]["unsigned"]["m.relations"]["m.thread"];
    EXPECT_EQ(summary["count"], 2);
    EXPECT_EQ(summary["latest_event"]["event_id"], latest);
    EXPECT_EQ(summary["current_user_participated"], true);  // Alice sent the root

    auto for_carol = carol.get(threads_path());
    ASSERT_EQ(for_carol.status, 200) << for_carol.text;
    EXPECT_EQ(for_carol.body["chunk"][0]["unsigned"]["m.relations"]["m.thread"]
                            ["current_user_participated"],
              false);
    auto carols = carol.get(threads_path("?include=participated"));
    ASSERT_EQ(carols.status, 200) << carols.text;
    EXPECT_TRUE(carols.body["chunk"].empty()) << carols.text;
    auto bobs = bob_->get(threads_path("?include=participated"));
    EXPECT_EQ(ids(bobs.body["chunk"]), std::vector<std::string>{root}) << bobs.text;

    // Paging: one per page, newest thread first.
    auto first = alice_->get(threads_path("?limit=1"));
    ASSERT_EQ(ids(first.body["chunk"]), std::vector<std::string>{root}) << first.text;
    ASSERT_TRUE(first.body.contains("next_batch")) << first.text;
    auto second = alice_->get(
        threads_path("?limit=1&from=" + escape(first.body["next_batch"].get<std::string>())));
    EXPECT_EQ(ids(second.body["chunk"]), std::vector<std::string>{old_root}) << second.text;

    // The root served by /event carries the same bundle.
    auto event = bob_->get(room_path() + "/event/" + escape(root));
    EXPECT_EQ(event.body["unsigned"]["m.relations"]["m.thread"]["count"], 2) << event.text;
}

TEST_F(Relations, RelationsPageInBothDirections) {
    auto parent = alice_->send_text(room_, "poll");
    std::vector<std::string> refs;
    for (int i = 0; i < 5; ++i) refs.push_back(reference(i % 2 ? *bob_ : *alice_, parent));

    // Backwards (the default): newest first, two per page.
    std::vector<std::string> seen;
    std::string from;
    for (int page = 0; page < 5; ++page) {
        auto answer = alice_->get(relations_path(parent, "?limit=2" +
                                                             (from.empty() ? "" : "&from=" + escape(from))));
        ASSERT_EQ(answer.status, 200) << answer.text << log();
        for (const auto& id : ids(answer.body["chunk"])) seen.push_back(id);
        EXPECT_EQ(answer.body.contains("prev_batch"), !from.empty()) << answer.text;
        EXPECT_FALSE(answer.body.contains("recursion_depth"));
        if (!answer.body.contains("next_batch")) break;
        from = answer.body["next_batch"];
    }
    EXPECT_EQ(seen, (std::vector<std::string>(refs.rbegin(), refs.rend())));

    // Forwards: oldest first.
    seen.clear();
    from.clear();
    for (int page = 0; page < 5; ++page) {
        auto answer = alice_->get(relations_path(
            parent, "?dir=f&limit=2" + (from.empty() ? "" : "&from=" + escape(from))));
        ASSERT_EQ(answer.status, 200) << answer.text;
        for (const auto& id : ids(answer.body["chunk"])) seen.push_back(id);
        if (!answer.body.contains("next_batch")) break;
        from = answer.body["next_batch"];
    }
    EXPECT_EQ(seen, refs);

    // `to` stops a page: from the newest back to (not including) the third.
    auto first = alice_->get(relations_path(parent, "?limit=2"));
    auto to = first.body["next_batch"].get<std::string>();  // just below refs[3]
    auto bounded = alice_->get(relations_path(parent, "?to=" + escape(to)));
    EXPECT_EQ(ids(bounded.body["chunk"]), (std::vector<std::string>{refs[4], refs[3]}))
        << bounded.text;

    // The parent bundles its references.
    auto event = alice_->get(room_path() + "/event/" + escape(parent));
    EXPECT_EQ(event.body["unsigned"]["m.relations"]["m.reference"]["chunk"].size(), 5u)
        << event.text;
}

TEST_F(Relations, RelTypeAndEventTypeFilterTheChildren) {
    auto parent = alice_->send_text(room_, "react to me");
    auto reaction = send(*bob_,
                         {{"m.relates_to", {{"rel_type", "m.annotation"},
                                            {"event_id", parent},
                                            {"key", "👍"}}}},
                         "m.reaction");
    auto ref = reference(*alice_, parent);
    auto reply = thread_reply(*bob_, parent, "in thread");

    auto all = alice_->get(relations_path(parent));
    EXPECT_EQ(ids(all.body["chunk"]), (std::vector<std::string>{reply, ref, reaction}))
        << all.text;
    auto annotations = alice_->get(relations_path(parent, "/m.annotation"));
    EXPECT_EQ(ids(annotations.body["chunk"]), std::vector<std::string>{reaction})
        << annotations.text;
    auto reactions = alice_->get(relations_path(parent, "/m.annotation/m.reaction"));
    EXPECT_EQ(ids(reactions.body["chunk"]), std::vector<std::string>{reaction});
    auto none = alice_->get(relations_path(parent, "/m.annotation/m.room.message"));
    ASSERT_EQ(none.status, 200) << none.text;
    EXPECT_TRUE(none.body["chunk"].empty());
    auto thread = alice_->get(relations_path(parent, "/m.thread"));
    EXPECT_EQ(ids(thread.body["chunk"]), std::vector<std::string>{reply});
}

TEST_F(Relations, RecurseFollowsRelationsOfChildren) {
    auto root = alice_->send_text(room_, "root");
    auto reply = thread_reply(*bob_, root, "reply");
    auto reply_edit = edit(*bob_, reply, "reply, edited");

    auto direct = alice_->get(relations_path(root, "?recurse=false"));
    ASSERT_EQ(direct.status, 200) << direct.text;
    EXPECT_EQ(ids(direct.body["chunk"]), std::vector<std::string>{reply});
    EXPECT_EQ(direct.body["recursion_depth"], 1);

    auto deep = alice_->get(relations_path(root, "?recurse=true"));
    ASSERT_EQ(deep.status, 200) << deep.text;
    EXPECT_EQ(ids(deep.body["chunk"]), (std::vector<std::string>{reply_edit, reply}));
    EXPECT_EQ(deep.body["recursion_depth"], 3);
    auto edits = alice_->get(relations_path(root, "/m.replace?recurse=true"));
    EXPECT_EQ(ids(edits.body["chunk"]), std::vector<std::string>{reply_edit}) << edits.text;
}

TEST_F(Relations, ReportingAnEvent) {
    auto bad = bob_->send_text(room_, "spam spam spam");
    auto report = room_path() + "/report/" + escape(bad);

    auto ok = alice_->post(report, {{"reason", "spam"}, {"score", -100}});
    EXPECT_EQ(ok.status, 200) << ok.text << log();
    EXPECT_EQ(ok.body, json::object());
    EXPECT_EQ(alice_->post(report, json::object()).status, 200);

    auto unknown = alice_->post(room_path() + "/report/" + escape("$unknown:localhost"),
                                {{"reason", "x"}});
    EXPECT_EQ(unknown.status, 404) << unknown.text;
    EXPECT_EQ(unknown.errcode(), "M_NOT_FOUND");

    auto score = alice_->post(report, {{"reason", "x"}, {"score", 5}});
    EXPECT_EQ(score.status, 400) << score.text;
    EXPECT_EQ(score.errcode(), "M_BAD_JSON");
    auto score_type = alice_->post(report, {{"score", "high"}});
    EXPECT_EQ(score_type.status, 400) << score_type.text;
    auto reason_type = alice_->post(report, {{"reason", 7}});
    EXPECT_EQ(reason_type.status, 400);
    EXPECT_EQ(reason_type.errcode(), "M_BAD_JSON");

    // Only members may report (spec v1.8).
    auto outsider = MatrixClient::registered(port(), "outsider" + std::to_string(users_));
    auto not_joined = outsider.post(report, {{"reason", "x"}});
    EXPECT_EQ(not_joined.status, 404) << not_joined.text;
    EXPECT_EQ(not_joined.errcode(), "M_NOT_FOUND");

    // Rooms and users (v1.13, v1.14).
    auto room_report = outsider.post(room_path() + "/report", {{"reason", "bad room"}});
    EXPECT_EQ(room_report.status, 200) << room_report.text;
    auto no_reason = outsider.post(room_path() + "/report", json::object());
    EXPECT_EQ(no_reason.status, 400);
    EXPECT_EQ(no_reason.errcode(), "M_MISSING_PARAM");
    auto no_room = outsider.post("/_matrix/client/v3/rooms/" + escape("!nowhere:localhost") +
                                     "/report",
                                 {{"reason", "x"}});
    EXPECT_EQ(no_room.status, 404) << no_room.text;
    auto user_report = outsider.post("/_matrix/client/v3/users/" + escape(bob_->user_id()) +
                                         "/report",
                                     {{"reason", "rude"}});
    EXPECT_EQ(user_report.status, 200) << user_report.text;
}

TEST_F(Relations, BadInputGetsTheRightErrors) {
    auto parent = alice_->send_text(room_, "parent");
    auto expect = [&](const Answer& a, int status, const char* errcode) {
        EXPECT_EQ(a.status, status) << a.text;
        EXPECT_EQ(a.errcode(), errcode) << a.text;
    };

    expect(alice_->get("/_matrix/client/v1/rooms/" + escape(room_) + "/relations/not-an-event"),
           400, "M_INVALID_PARAM");
    expect(alice_->get("/_matrix/client/v1/rooms/not-a-room/relations/" + escape(parent)), 400,
           "M_INVALID_PARAM");
    expect(alice_->get(relations_path("$unknown:localhost")), 404, "M_NOT_FOUND");
    expect(alice_->get(relations_path(parent, "?dir=x")), 400, "M_INVALID_PARAM");
    expect(alice_->get(relations_path(parent, "?from=garbage")), 400, "M_INVALID_PARAM");
    expect(alice_->get(relations_path(parent, "?limit=many")), 400, "M_INVALID_PARAM");
    expect(alice_->get(relations_path(parent, "?recurse=yes")), 400, "M_INVALID_PARAM");
    expect(alice_->get(threads_path("?include=mine")), 400, "M_INVALID_PARAM");
    expect(alice_->get(threads_path("?from=garbage")), 400, "M_INVALID_PARAM");

    // An unknown room: the parent is not found; its threads are not viewable.
    const auto nowhere = "/_matrix/client/v1/rooms/" + escape("!nowhere:localhost");
    expect(alice_->get(nowhere + "/relations/" + escape(parent)), 404, "M_NOT_FOUND");
    expect(alice_->get(nowhere + "/threads"), 403, "M_FORBIDDEN");

    // No permission: a private room the outsider never joined.
    auto secret_room = alice_->create_room({{"preset", "private_chat"}});
    auto secret = alice_->send_text(secret_room, "secret");
    auto outsider = MatrixClient::registered(port(), "snoop" + std::to_string(users_));
    const auto secret_base = "/_matrix/client/v1/rooms/" + escape(secret_room);
    expect(outsider.get(secret_base + "/relations/" + escape(secret)), 404, "M_NOT_FOUND");
    expect(outsider.get(secret_base + "/threads"), 403, "M_FORBIDDEN");

    MatrixClient anonymous(port());
    expect(anonymous.get(relations_path(parent)), 401, "M_MISSING_TOKEN");
    expect(anonymous.get(threads_path()), 401, "M_MISSING_TOKEN");
    // /relations exists only under /v1.
    expect(alice_->get("/_matrix/client/v3/rooms/" + escape(room_) + "/relations/" +
                       escape(parent)),
           404, "M_UNRECOGNIZED");
}

}  // namespace
}  // namespace chat::test
