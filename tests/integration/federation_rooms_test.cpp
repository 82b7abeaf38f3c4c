// Issue 9: rooms shared by two real chatd processes on loopback under
// different server names. A user of A invites a user of B, who joins;
// messages, edits, redactions, receipts and typing flow both ways; B is
// killed and catches up after a restart; forged PDUs are refused; after a
// partition in which both changed state, both converge.

#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/signing_key.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/federation/client/x_matrix.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/two_servers.hpp"

namespace chat::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FederationRooms : public TwoServers {
protected:
    FederationRooms() { federation_yaml_ = "retry_base_ms: 200\nretry_max_ms: 1000"; }

    void kill_b() {
        ::kill(b_->pid(), SIGKILL);
        b_->stop();  // reaps it
        b_.reset();
    }

    // A third server, C (an IP literal, as A is), whose user carol joins
    // `room` through the resident server `via`.
    struct ThirdServer {
        TempDir dir;
        std::string name;
        std::unique_ptr<Daemon> daemon;
        std::optional<MatrixClient> carol;
    };
    std::unique_ptr<ThirdServer> third_server_joining(const std::string& room,
                                                      const std::string& via) {
        auto c = std::make_unique<ThirdServer>();
        const auto port = free_port();
        c->name = "127.0.0.1:" + std::to_string(port);
        c->daemon = Daemon::start_federating(c->dir.path(), c->name, port, {}, federation_yaml_);
        c->carol = MatrixClient::registered(c->daemon->port(), "carol");
        auto joined = c->carol->post(
            "/_matrix/client/v3/join/" + escape(room) + "?server_name=" + escape(via),
            json::object());
        EXPECT_EQ(joined.status, 200) << joined.text << c->daemon->log_tail();
        return c;
    }

    json state_event(const MatrixClient& client, const std::string& room, const std::string& type) {
        auto answer = client.get("/_matrix/client/v3/rooms/" + escape(room) + "/state");
        EXPECT_EQ(answer.status, 200) << answer.text;
        for (const auto& e : answer.body)
            if (e["type"] == type) return e;
        return json();
    }

};

TEST_F(FederationRooms, InviteJoinAndMessagesBothWays) {
    const auto room = shared_room();
    const auto hello = alice_->send_text(room, "hello from A");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "hello from A"); });
    bob_->send_text(room, "hello from B");
    sync_until(*alice_, [&](const json& s) { return timeline_has(s, room, "hello from B"); });

    // Both servers agree on the members and the state.
    for (const auto* client : {&*alice_, &*bob_}) {
        auto members = client->get("/_matrix/client/v3/rooms/" + escape(room) + "/joined_members");
        ASSERT_EQ(members.status, 200) << members.text;
        EXPECT_TRUE(members.body["joined"].contains(alice_->user_id()));
        EXPECT_TRUE(members.body["joined"].contains(bob_->user_id()));
    }
    EXPECT_EQ(state_event(*alice_, room, "m.room.power_levels")["event_id"],
              state_event(*bob_, room, "m.room.power_levels")["event_id"]);

    // An edit and a redaction from B reach A.
    auto said = bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/e1",
                          {{"msgtype", "m.text"}, {"body", "typo"}});
    ASSERT_EQ(said.status, 200) << said.text;
    const std::string typo = said.body["event_id"];
    auto edit = bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/e2",
                          {{"msgtype", "m.text"},
                           {"body", "* fixed"},
                           {"m.new_content", {{"msgtype", "m.text"}, {"body", "fixed"}}},
                           {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", typo}}}});
    ASSERT_EQ(edit.status, 200) << edit.text;
    sync_until(*alice_, [&](const json& s) { return timeline_has(s, room, "* fixed"); });
    auto redacted = bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/redact/" +
                                  escape(typo) + "/r1",
                              json::object());
    ASSERT_EQ(redacted.status, 200) << redacted.text;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    json seen;
    while (std::chrono::steady_clock::now() < deadline) {
        auto event = alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/event/" + escape(typo));
        seen = event.body;
        if (event.status == 200 && !event.body["content"].contains("body")) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_FALSE(seen["content"].contains("body")) << seen.dump();
    EXPECT_EQ(seen["unsigned"]["redacted_because"]["event_id"], redacted.body["event_id"]);

    // Typing from A shows on B; a read receipt from B shows on A.
    auto typing = alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/typing/" +
                                  escape(alice_->user_id()),
                              {{"typing", true}, {"timeout", 20000}});
    ASSERT_EQ(typing.status, 200) << typing.text;
    sync_until(*bob_, [&](const json& s) {
        if (!s.contains("rooms") || !s["rooms"]["join"].contains(room)) return false;
        for (const auto& e : s["rooms"]["join"][room]["ephemeral"]["events"])
            if (e["type"] == "m.typing" &&
                e["content"]["user_ids"].dump().find(alice_->user_id()) != std::string::npos)
                return true;
        return false;
    });
    // Presence set on B reaches A (m.presence EDU).
    auto presence = bob_->put("/_matrix/client/v3/presence/" + escape(bob_->user_id()) + "/status",
                              {{"presence", "online"}, {"status_msg", "across servers"}});
    ASSERT_EQ(presence.status, 200) << presence.text;
    sync_until(*alice_, [&](const json& s) {
        if (!s.contains("presence")) return false;
        for (const auto& e : s["presence"]["events"])
            if (e["sender"] == bob_->user_id() &&
                e["content"].value("status_msg", "") == "across servers")
                return true;
        return false;
    });
    auto receipt = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/m.read/" +
                                  escape(hello),
                              json::object());
    ASSERT_EQ(receipt.status, 200) << receipt.text;
    sync_until(*alice_, [&](const json& s) {
        if (!s.contains("rooms") || !s["rooms"]["join"].contains(room)) return false;
        for (const auto& e : s["rooms"]["join"][room]["ephemeral"]["events"])
            if (e["type"] == "m.receipt" && e["content"].contains(hello) &&
                e["content"][hello]["m.read"].contains(bob_->user_id()))
                return true;
        return false;
    });
}

TEST_F(FederationRooms, JoinsAPublicRoomByItsAliasOnTheOtherServer) {
    auto room = alice_->create_room({{"preset", "public_chat"}, {"room_alias_name", "lobby"}});
    auto joined = bob_->post("/_matrix/client/v3/join/" + escape("#lobby:" + a_name_), json::object());
    ASSERT_EQ(joined.status, 200) << joined.text << b_->log_tail();
    EXPECT_EQ(joined.body["room_id"], room);
    alice_->send_text(room, "welcome");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "welcome"); });
}

TEST_F(FederationRooms, KnocksOnARoomOfTheOtherServerAndIsLetIn) {
    auto room = alice_->create_room(
        {{"preset", "private_chat"},
         {"initial_state",
          json::array({{{"type", "m.room.join_rules"},
                        {"state_key", ""},
                        {"content", {{"join_rule", "knock"}}}}})}});
    auto knocked = bob_->post("/_matrix/client/v3/knock/" + escape(room) + "?via=" + escape(a_name_),
                              {{"reason", "let me in"}});
    ASSERT_EQ(knocked.status, 200) << knocked.text << b_->log_tail();
    sync_until(*bob_, [&](const json& s) {
        return s.contains("rooms") && s["rooms"]["knock"].contains(room);
    });
    // A has the knock in the room's state, with its reason.
    json member;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto answer = alice_->get("/_matrix/client/v3/rooms/" + escape(room) +
                                  "/state/m.room.member/" + escape(bob_->user_id()));
        if (answer.status == 200) {
            member = answer.body;
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(member["membership"], "knock");
    EXPECT_EQ(member["reason"], "let me in");
    // Alice lets bob in: an invite, which bob accepts.
    alice_->invite(room, bob_->user_id());
    sync_until(*bob_, [&](const json& s) {
        return s.contains("rooms") && s["rooms"]["invite"].contains(room);
    });
    bob_->join(room);
    alice_->send_text(room, "come in");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "come in"); });
}

// Three servers: carol of C joins through B (not the room's creator A); B
// relays her join to A, and everyone's messages reach everyone.
TEST_F(FederationRooms, ThreeServersShareARoomJoinedThroughAnotherResident) {
    const auto room = shared_room({{"preset", "public_chat"}});
    auto third = third_server_joining(room, b_name_);
    ASSERT_FALSE(HasFailure());
    auto& c = third->daemon;
    auto& carol = *third->carol;
    // A learns of carol's join from B.
    const auto members = "/_matrix/client/v3/rooms/" + escape(room) + "/joined_members";
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
        auto answer = alice_->get(members);
        seen = answer.status == 200 && answer.body["joined"].contains(carol.user_id());
        if (!seen) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(seen) << a_->log_tail();
    carol.send_text(room, "hello from C");
    sync_until(*alice_, [&](const json& s) { return timeline_has(s, room, "hello from C"); });
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "hello from C"); });
    alice_->send_text(room, "hello C, from A");
    sync_until(carol, [&](const json& s) { return timeline_has(s, room, "hello C, from A"); });
    EXPECT_EQ(c->stop(), 0) << c->log_tail();
}

TEST_F(FederationRooms, AServerKilledMidConversationCatchesUpAfterARestart) {
    const auto room = shared_room();
    alice_->send_text(room, "before");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "before"); });
    kill_b();
    for (int i = 0; i < 3; ++i) alice_->send_text(room, "while down " + std::to_string(i));
    std::this_thread::sleep_for(500ms);  // A fails at least once, then backs off
    start_b();
    // Every message, in order, and none lost.
    std::vector<std::string> bodies;
    sync_until(*bob_, [&](const json& s) {
        if (!s.contains("rooms") || !s["rooms"]["join"].contains(room)) return false;
        for (const auto& e : s["rooms"]["join"][room]["timeline"]["events"])
            if (e.contains("content") && e["content"].value("body", "").starts_with("while down"))
                bodies.push_back(e["content"]["body"]);
        return bodies.size() >= 3;
    });
    EXPECT_EQ(bodies, (std::vector<std::string>{"while down 0", "while down 1", "while down 2"}));
}

TEST_F(FederationRooms, BothSidesConvergeAfterAPartition) {
    // B retries slowly here, so A can change state before B's change arrives.
    federation_yaml_ = "retry_base_ms: 4000\nretry_max_ms: 4000";
    b_->stop();
    start_b();
    const auto room = shared_room();
    // bob may set the topic.
    auto levels = state_event(*alice_, room, "m.room.power_levels")["content"];
    levels["users"][bob_->user_id()] = 50;
    auto set = alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.power_levels/",
                           levels);
    ASSERT_EQ(set.status, 200) << set.text;
    const std::string pl_id = set.body["event_id"];
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline &&
           state_event(*bob_, room, "m.room.power_levels")["event_id"] != pl_id)
        std::this_thread::sleep_for(100ms);

    // The partition: A is down while bob changes the topic on B.
    a_->stop();
    a_.reset();
    auto bob_topic = bob_->put("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.topic/",
                               {{"topic", "from B"}});
    ASSERT_EQ(bob_topic.status, 200) << bob_topic.text;
    start_a();
    // A, back before B retries, changes the name without having seen bob's topic.
    auto name = alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.name/",
                            {{"name", "from A"}});
    ASSERT_EQ(name.status, 200) << name.text;

    // Both end with both changes, and the same state.
    const auto until = std::chrono::steady_clock::now() + 30s;
    json a_topic, b_name;
    while (std::chrono::steady_clock::now() < until) {
        a_topic = state_event(*alice_, room, "m.room.topic");
        b_name = state_event(*bob_, room, "m.room.name");
        if (!a_topic.is_null() && !b_name.is_null()) break;
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_EQ(a_topic["content"]["topic"], "from B");
    EXPECT_EQ(b_name["content"]["name"], "from A");
    auto a_state = alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state");
    auto b_state = bob_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state");
    ASSERT_EQ(a_state.status, 200);
    ASSERT_EQ(b_state.status, 200);
    std::set<std::string> a_ids, b_ids;
    for (const auto& e : a_state.body) a_ids.insert(e["event_id"].get<std::string>());
    for (const auto& e : b_state.body) b_ids.insert(e["event_id"].get<std::string>());
    EXPECT_EQ(a_ids, b_ids);
}

// PDUs sent to B as A (the test signs with A's own key file): a good one is
// accepted; a bad signature, an unauthorised sender, a sender of another
// server and an altered content are each handled as the spec says.
TEST_F(FederationRooms, ForgedPdusAreRefused) {
    const auto room = shared_room();
    alice_->send_text(room, "latest");
    auto latest = sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "latest"); });
    std::string prev;
    for (const auto& e : latest.body["rooms"]["join"][room]["timeline"]["events"]) prev = e["event_id"];
    auto a_key = crypto::SigningKey::load(a_->data_dir() / "signing.key");
    ASSERT_TRUE(a_key);
    const RoomVersion& version = RoomVersion::default_version();
    const std::string pl = state_event(*bob_, room, "m.room.power_levels")["event_id"];
    const std::string alice_member = [&] {
        auto answer = bob_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.member/" +
                                escape(alice_->user_id()));
        (void)answer;
        auto state = bob_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state");
        for (const auto& e : state.body)
            if (e["type"] == "m.room.member" && e["state_key"] == alice_->user_id())
                return e["event_id"].get<std::string>();
        return std::string();
    }();

    auto make = [&](const std::string& sender, const std::string& body,
                    const crypto::SigningKey& key, const std::string& signer) {
        json ev = {{"room_id", room},
                   {"sender", sender},
                   {"type", "m.room.message"},
                   {"content", {{"msgtype", "m.text"}, {"body", body}}},
                   // Now: keys are checked for validity at this time (v5+).
                   {"origin_server_ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()},
                   {"depth", 1000},
                   {"prev_events", json::array({prev})},
                   {"auth_events", json::array({pl, alice_member})},
                   {"hashes", json::object()},
                   {"signatures", json::object()}};
        EXPECT_TRUE(sign_event(ev, signer, key, version));
        return ev;
    };
    auto send = [&](const json& pdu, const std::string& txn) {
        const std::string path = "/_matrix/federation/v1/send/" + txn;
        json body = {{"origin", a_name_}, {"origin_server_ts", 1}, {"pdus", json::array({pdu})}};
        auto header = federation::x_matrix_authorization(*ServerName::parse(a_name_),
                                                         *ServerName::parse(b_name_), *a_key,
                                                         "PUT", path, &body);
        httplib::Client client("127.0.0.1", b_port_);
        client.set_read_timeout(20, 0);
        auto res = client.Put(path, {{"Authorization", *header}}, body.dump(), "application/json");
        if (!res) {
            ADD_FAILURE() << "no answer from B: " << httplib::to_string(res.error()) << "\n"
                          << b_->log_tail(150);
            return json::object();
        }
        EXPECT_EQ(res->status, 200) << res->body;
        auto answer = json::parse(res->body);
        EXPECT_EQ(answer["pdus"].size(), 1u) << answer.dump();
        if (answer["pdus"].empty()) return json::object();
        return answer["pdus"].begin().value();
    };

    // Sanity: a well-formed event from alice is accepted.
    auto genuine = send(make(alice_->user_id(), "genuine", *a_key, a_name_), "t1");
    EXPECT_FALSE(genuine.contains("error")) << genuine.dump() << b_->log_tail();
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "genuine"); });

    // Signed with another key: refused.
    auto other = crypto::SigningKey::generate(a_key->version());
    EXPECT_TRUE(send(make(alice_->user_id(), "bad signature", other, a_name_), "t2").contains("error"));
    // A user of A who is not in the room: rejected by the auth rules.
    EXPECT_TRUE(send(make("@mallory:" + a_name_, "not a member", *a_key, a_name_), "t3").contains("error"));
    // A sender of another server, signed only by A: the sender's server never signed it.
    EXPECT_TRUE(send(make("@eve:127.0.0.1:1", "wrong origin", *a_key, a_name_), "t4").contains("error"));
    // Content altered after signing: kept, but only in redacted form.
    json altered = make(alice_->user_id(), "original", *a_key, a_name_);
    altered["content"]["body"] = "altered";
    EXPECT_FALSE(send(altered, "t5").contains("error"));
    bob_->send_text(room, "marker");
    auto after = sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "marker"); });
    auto all = bob_->get("/_matrix/client/v3/rooms/" + escape(room) + "/messages?dir=b&limit=50");
    ASSERT_EQ(all.status, 200);
    for (const auto& e : all.body["chunk"]) {
        const std::string body = e["content"].value("body", "");
        EXPECT_NE(body, "bad signature");
        EXPECT_NE(body, "not a member");
        EXPECT_NE(body, "wrong origin");
        EXPECT_NE(body, "altered");
    }
}

// Receipts of `user` of `type` on `event` in the ephemeral events of `room`.
bool has_receipt(const json& sync, const std::string& room, const std::string& event,
                 const std::string& type, const std::string& user) {
    if (!sync.contains("rooms") || !sync["rooms"]["join"].contains(room)) return false;
    for (const auto& e : sync["rooms"]["join"][room]["ephemeral"]["events"])
        if (e["type"] == "m.receipt" && e["content"].contains(event) &&
            e["content"][event].contains(type) && e["content"][event][type].contains(user))
            return true;
    return false;
}

constexpr const char* kDelivery = "org.matrix.msc4089.delivery";

// Issue 9: bob's explicit MSC4089 delivery receipt on B reaches alice (the
// sender) on A; his m.read.private never leaves B. B infers nothing here,
// so only the explicit receipt can show.
TEST_F(FederationRooms, DeliveryReceiptsCrossServersButPrivateReadsDoNot) {
    b_extra_yaml_ = "receipts:\n  delivery:\n    inferred: false";
    b_->stop();
    start_b();
    const auto room = shared_room();
    const auto first = alice_->send_text(room, "first");
    const auto second = alice_->send_text(room, "second");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "second"); });
    auto base = alice_->sync(std::nullopt, 0);
    ASSERT_EQ(base.status, 200) << base.text;
    const std::string since = base.body["next_batch"];

    auto receipt = [&](const std::string& type, const std::string& event) {
        auto answer = bob_->post("/_matrix/client/v3/rooms/" + escape(room) + "/receipt/" + type +
                                     "/" + escape(event),
                                 json::object());
        ASSERT_EQ(answer.status, 200) << answer.text;
    };
    receipt(kDelivery, first);
    receipt("m.read.private", first);
    receipt("m.read", second);
    // Alice sees the delivery receipt and the public read receipt; the
    // private one would show as bob's read of `first`, were it sent.
    bool delivered = false, read = false, private_leaked = false;
    sync_until(
        *alice_,
        [&](const json& s) {
            delivered |= has_receipt(s, room, first, kDelivery, bob_->user_id());
            read |= has_receipt(s, room, second, "m.read", bob_->user_id());
            private_leaked |= has_receipt(s, room, first, "m.read", bob_->user_id()) ||
                              has_receipt(s, room, first, "m.read.private", bob_->user_id());
            return delivered && read;
        },
        since);
    EXPECT_TRUE(delivered);
    EXPECT_FALSE(private_leaked);
}

// Delivery B infers from bob's syncs reaches alice on A, marked by nothing
// bob's client did.
TEST_F(FederationRooms, InferredDeliveryCrossesServers) {
    const auto room = shared_room();
    auto base = alice_->sync(std::nullopt, 0);
    ASSERT_EQ(base.status, 200) << base.text;
    const std::string since = base.body["next_batch"];
    const auto hello = alice_->send_text(room, "are you there?");
    // bob's incremental syncs pass the message: B infers its delivery.
    auto bob_seen = sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "are you there?"); });
    (void)bob_->sync(bob_seen.body.value("next_batch", ""), 0);
    sync_until(
        *alice_, [&](const json& s) { return has_receipt(s, room, hello, kDelivery, bob_->user_id()); },
        since);
}

// A federation request signed as `origin` with its daemon's key file;
// status 0 when no answer came.
Answer federation_request(const Daemon& origin_daemon, const std::string& origin,
                          const std::string& destination, std::uint16_t port,
                          const std::string& method, const std::string& uri,
                          const json* body = nullptr) {
    auto key = crypto::SigningKey::load(origin_daemon.data_dir() / "signing.key");
    EXPECT_TRUE(key);
    if (!key) return {};
    auto header = federation::x_matrix_authorization(*ServerName::parse(origin),
                                                     *ServerName::parse(destination), *key,
                                                     method, uri, body);
    EXPECT_TRUE(header);
    if (!header) return {};
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(20, 0);
    httplib::Headers headers{{"Authorization", *header}};
    httplib::Result res = method == "GET" ? client.Get(uri, headers)
                                          : client.Put(uri, headers, body ? body->dump() : "{}",
                                                       "application/json");
    if (!res) return {};
    Answer out;
    out.status = res->status;
    out.text = res->body;
    out.body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    return out;
}

// Issue 9: a room of A with members on B and C; an m.room.server_acl then
// denies B (served as "localhost"; A and C are IP literals, which ACL
// patterns match without their ports, so B is the one that can be told
// apart). Afterwards A takes nothing from B: its PDUs, its reads of the
// room, its joins; C keeps working.
TEST_F(FederationRooms, ServerAclShutsOutADeniedServerButNotTheOthers) {
    const auto room = shared_room({{"preset", "public_chat"}});
    auto third = third_server_joining(room, a_name_);
    ASSERT_FALSE(HasFailure());
    auto& c = third->daemon;
    auto& carol = *third->carol;
    const std::string& c_name = third->name;
    alice_->send_text(room, "before the acl");
    sync_until(*bob_, [&](const json& s) { return timeline_has(s, room, "before the acl"); });
    sync_until(carol, [&](const json& s) { return timeline_has(s, room, "before the acl"); });

    auto acl = alice_->put("/_matrix/client/v3/rooms/" + escape(room) + "/state/m.room.server_acl/",
                           {{"allow", json::array({"*"})},
                            {"deny", json::array({"localhost"})},
                            {"allow_ip_literals", true}});
    ASSERT_EQ(acl.status, 200) << acl.text;
    const std::string acl_id = acl.body["event_id"];
    {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline &&
               state_event(carol, room, "m.room.server_acl")["event_id"] != acl_id)
            std::this_thread::sleep_for(100ms);
    }

    // bob's message (B accepts its own user's event) reaches neither A nor C;
    // carol's, sent after it, reaches alice.
    bob_->send_text(room, "from the denied server");
    carol.send_text(room, "from C after the acl");
    sync_until(*alice_, [&](const json& s) { return timeline_has(s, room, "from C after the acl"); });
    alice_->send_text(room, "from A after the acl");
    sync_until(carol, [&](const json& s) { return timeline_has(s, room, "from A after the acl"); });
    auto history = alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/messages?dir=b&limit=50");
    ASSERT_EQ(history.status, 200) << history.text;
    for (const auto& e : history.body["chunk"])
        EXPECT_NE(e["content"].value("body", ""), "from the denied server");

    // A PDU of bob's, sent to A by B itself: refused per PDU.
    std::string prev, create, power_levels, bob_member;
    for (const auto& e : history.body["chunk"])
        if (prev.empty()) prev = e["event_id"];
    for (const auto& e : alice_->get("/_matrix/client/v3/rooms/" + escape(room) + "/state").body) {
        if (e["type"] == "m.room.create") create = e["event_id"];
        if (e["type"] == "m.room.power_levels") power_levels = e["event_id"];
        if (e["type"] == "m.room.member" && e["state_key"] == bob_->user_id()) bob_member = e["event_id"];
    }
    auto b_key = crypto::SigningKey::load(b_->data_dir() / "signing.key");
    ASSERT_TRUE(b_key);
    json pdu = {{"room_id", room},
                {"sender", bob_->user_id()},
                {"type", "m.room.message"},
                {"content", {{"msgtype", "m.text"}, {"body", "raw from B"}}},
                {"origin_server_ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()},
                {"depth", 1000},
                {"prev_events", json::array({prev})},
                {"auth_events", json::array({create, power_levels, bob_member})},
                {"hashes", json::object()},
                {"signatures", json::object()}};
    ASSERT_TRUE(sign_event(pdu, b_name_, *b_key, RoomVersion::default_version()));
    json txn = {{"origin", b_name_}, {"origin_server_ts", 1}, {"pdus", json::array({pdu})}};
    auto sent = federation_request(*b_, b_name_, a_name_, a_port_, "PUT",
                                   "/_matrix/federation/v1/send/acl1", &txn);
    ASSERT_EQ(sent.status, 200) << sent.text;
    ASSERT_EQ(sent.body["pdus"].size(), 1u) << sent.text;
    // Refused for the ACL, not for some flaw of the test's PDU.
    EXPECT_NE(sent.body["pdus"].begin().value().value("error", "").find("ACL"), std::string::npos)
        << sent.text;

    // B's reads of the room and its joins: 403 M_FORBIDDEN; the same reads
    // from C: answered.
    const std::string event = "?event_id=" + escape(acl_id);
    const std::string newbie = "@newbie:" + b_name_;
    const std::string version(RoomVersion::default_version().id);
    const json empty = json::object();
    for (const auto& [method, uri] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/_matrix/federation/v1/state/" + escape(room) + event},
             {"GET", "/_matrix/federation/v1/state_ids/" + escape(room) + event},
             {"GET", "/_matrix/federation/v1/event/" + escape(acl_id)},
             {"GET", "/_matrix/federation/v1/event_auth/" + escape(room) + "/" + escape(acl_id)},
             {"GET", "/_matrix/federation/v1/backfill/" + escape(room) + "?v=" + escape(acl_id) +
                         "&limit=5"},
             {"GET", "/_matrix/federation/v1/make_join/" + escape(room) + "/" + escape(newbie) +
                         "?ver=" + version},
             {"GET", "/_matrix/federation/v1/make_leave/" + escape(room) + "/" +
                         escape(bob_->user_id())},
             {"PUT", "/_matrix/federation/v2/send_join/" + escape(room) + "/" + escape("$nope")},
             {"PUT", "/_matrix/federation/v2/send_leave/" + escape(room) + "/" + escape("$nope")},
             {"PUT", "/_matrix/federation/v1/send_knock/" + escape(room) + "/" + escape("$nope")},
             {"PUT", "/_matrix/federation/v2/invite/" + escape(room) + "/" + escape("$nope")}}) {
        auto answer = federation_request(*b_, b_name_, a_name_, a_port_, method, uri,
                                         method == "PUT" ? &empty : nullptr);
        EXPECT_EQ(answer.status, 403) << method << " " << uri << ": " << answer.text;
        EXPECT_EQ(answer.errcode(), "M_FORBIDDEN") << method << " " << uri;
    }
    auto from_c = federation_request(*c, c_name, a_name_, a_port_, "GET",
                                     "/_matrix/federation/v1/state_ids/" + escape(room) + event);
    EXPECT_EQ(from_c.status, 200) << from_c.text;
    EXPECT_EQ(c->stop(), 0) << c->log_tail();
}

// Issue 9: send_join v2 with omit_members=true, as a joining server of B
// asks it of A (the test plays B with B's key): a named room's state comes
// without member events, the auth chain without what the state holds, and
// servers_in_room names both servers. Without the flag: the full state.
TEST_F(FederationRooms, SendJoinOmitsMembersWhenAsked) {
    const auto room = shared_room({{"preset", "public_chat"}, {"name", "Named"}});
    auto b_key = crypto::SigningKey::load(b_->data_dir() / "signing.key");
    ASSERT_TRUE(b_key);
    auto join_as = [&](const std::string& localpart, bool omit) {
        const std::string user = "@" + localpart + ":" + b_name_;
        auto made = federation_request(*b_, b_name_, a_name_, a_port_, "GET",
                                       "/_matrix/federation/v1/make_join/" + escape(room) + "/" +
                                           escape(user) + "?ver=" +
                                           std::string(RoomVersion::default_version().id));
        EXPECT_EQ(made.status, 200) << made.text;
        const RoomVersion* version = RoomVersion::find(made.body.value("room_version", ""));
        EXPECT_TRUE(version);
        if (!version) return Answer{};
        json event = made.body["event"];
        EXPECT_TRUE(sign_event(event, b_name_, *b_key, *version));
        auto event_id = compute_event_id(event, *version);
        EXPECT_TRUE(event_id);
        if (!event_id) return Answer{};
        return federation_request(*b_, b_name_, a_name_, a_port_, "PUT",
                                  "/_matrix/federation/v2/send_join/" + escape(room) + "/" +
                                      escape(*event_id) + (omit ? "?omit_members=true" : ""),
                                  &event);
    };
    auto types_of = [](const json& events) {
        std::multiset<std::string> out;
        for (const auto& e : events) out.insert(e.value("type", ""));
        return out;
    };

    auto full = join_as("full", false);
    ASSERT_EQ(full.status, 200) << full.text << a_->log_tail();
    EXPECT_EQ(full.body["members_omitted"], false);
    EXPECT_EQ(types_of(full.body["state"]).count("m.room.member"), 2u) << full.text;

    auto partial = join_as("partial", true);
    ASSERT_EQ(partial.status, 200) << partial.text << a_->log_tail();
    EXPECT_EQ(partial.body["members_omitted"], true);
    const auto state_types = types_of(partial.body["state"]);
    EXPECT_EQ(state_types.count("m.room.member"), 0u) << partial.text;
    EXPECT_EQ(state_types.count("m.room.create"), 1u);
    EXPECT_EQ(state_types.count("m.room.name"), 1u);
    // The chain holds what authorises the join and the state (alice's join,
    // which authorised the power levels), but nothing the state holds.
    const auto chain_types = types_of(partial.body["auth_chain"]);
    EXPECT_EQ(chain_types.count("m.room.create"), 0u) << partial.text;
    EXPECT_EQ(chain_types.count("m.room.power_levels"), 0u) << partial.text;
    EXPECT_GE(chain_types.count("m.room.member"), 1u) << partial.text;
    std::set<std::string> servers;
    for (const auto& s : partial.body["servers_in_room"]) servers.insert(s.get<std::string>());
    // "full" of B joined before: B was in the room already.
    EXPECT_EQ(servers, (std::set<std::string>{a_name_, b_name_}));
}

}  // namespace
}  // namespace chat::test
