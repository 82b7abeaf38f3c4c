#pragma once

// Two chatd servers federating on loopback, for the federation suites: A is
// named by its IP literal and B by "localhost" (server ACL patterns ignore
// ports, so a test can deny B alone), alice is registered on A and bob on B.
// A suite sets the YAML members in its constructor; SetUp starts both.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"

namespace chat::test {

class TwoServers : public ::testing::Test {
protected:
    void SetUp() override {
        a_port_ = free_port();
        b_port_ = free_port();
        a_name_ = "127.0.0.1:" + std::to_string(a_port_);
        b_name_ = b_host_ + ":" + std::to_string(b_port_);
        start_a();
        start_b();
        alice_.emplace(MatrixClient::registered(a_->port(), "alice"));
        bob_.emplace(MatrixClient::registered(b_->port(), "bob"));
    }
    void TearDown() override {
        if (a_) {
            EXPECT_EQ(a_->stop(), 0) << a_->log_tail();
        }
        if (b_) {
            EXPECT_EQ(b_->stop(), 0) << b_->log_tail();
        }
    }

    void start_a() {
        a_ = Daemon::start_federating(a_dir_.path(), a_name_, a_port_, a_extra_yaml_,
                                      federation_yaml_);
    }
    void start_b() {
        b_ = Daemon::start_federating(b_dir_.path(), b_name_, b_port_, b_extra_yaml_,
                                      federation_yaml_);
    }

    // Syncs until `found` is true of an answer (or 30 s pass); returns it.
    Answer sync_until(const MatrixClient& client,
                      const std::function<bool(const nlohmann::json&)>& found,
                      std::optional<std::string> since = std::nullopt) {
        using namespace std::chrono_literals;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        Answer last;
        while (std::chrono::steady_clock::now() < deadline) {
            last = client.sync(since, 1000);
            if (last.status != 200) {
                std::this_thread::sleep_for(200ms);
                continue;
            }
            if (found(last.body)) return last;
            since = last.body.value("next_batch", "");
        }
        ADD_FAILURE() << "not found in sync within 30 s; last answer: " << last.text
                      << "\nA: " << (a_ ? a_->log_tail() : "")
                      << "\nB: " << (b_ ? b_->log_tail() : "");
        return last;
    }

    // Whether a sync answer's timeline of `room` holds a message `body`.
    static bool timeline_has(const nlohmann::json& sync, const std::string& room,
                             const std::string& body) {
        auto rooms = sync.find("rooms");
        if (rooms == sync.end() || !(*rooms)["join"].contains(room)) return false;
        for (const auto& e : (*rooms)["join"][room]["timeline"]["events"])
            if (e.contains("content") && e["content"].value("body", "") == body) return true;
        return false;
    }

    // A room of alice's on A that bob of B has joined; waits until A has
    // bob's join, so that A sends the room's events to B.
    std::string shared_room(nlohmann::json create = nlohmann::json::object()) {
        using namespace std::chrono_literals;
        auto room = alice_->create_room(create);
        alice_->invite(room, bob_->user_id());
        sync_until(*bob_, [&](const nlohmann::json& s) {
            return s.contains("rooms") && s["rooms"]["invite"].contains(room);
        });
        bob_->join(room);
        const auto members = "/_matrix/client/v3/rooms/" + escape(room) + "/joined_members";
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto answer = alice_->get(members);
            if (answer.status == 200 && answer.body["joined"].contains(bob_->user_id())) break;
            std::this_thread::sleep_for(100ms);
        }
        return room;
    }

    // Media, for the suites that move files between the servers.
    static httplib::Headers bearer(const MatrixClient& who) {
        return {{"Authorization", "Bearer " + who.token()}};
    }
    // Uploads to the server on `port` as `who`; returns the media id.
    static std::string upload_media(std::uint16_t port, const MatrixClient& who,
                                    const std::string& bytes, const std::string& type,
                                    const std::string& filename) {
        httplib::Client client("127.0.0.1", port);
        auto r = client.Post("/_matrix/media/v3/upload?filename=" + filename, bearer(who), bytes,
                             type);
        if (!r || r->status != 200) {
            ADD_FAILURE() << "upload failed: " << (r ? r->body : "no answer");
            return {};
        }
        auto uri = nlohmann::json::parse(r->body).value("content_uri", "");
        return uri.substr(uri.rfind('/') + 1);
    }
    // GET of `kind` (download, thumbnail) on B's client API as bob, for media of `server`.
    httplib::Result bob_get(const std::string& kind, const std::string& server,
                            const std::string& media_id, const std::string& query = "") {
        httplib::Client client("127.0.0.1", b_port_);
        client.set_read_timeout(40, 0);
        return client.Get("/_matrix/client/v1/media/" + kind + "/" + escape(server) + "/" +
                              media_id + query,
                          bearer(*bob_));
    }

    // Set by a suite before SetUp (its constructor), or before a restart.
    std::string b_host_ = "localhost";
    std::string a_extra_yaml_, b_extra_yaml_;
    std::string federation_yaml_;  // the `federation:` section's extra keys, both servers

    TempDir a_dir_, b_dir_;
    std::uint16_t a_port_ = 0, b_port_ = 0;
    std::string a_name_, b_name_;
    std::unique_ptr<Daemon> a_, b_;
    std::optional<MatrixClient> alice_, bob_;
};

}  // namespace chat::test
