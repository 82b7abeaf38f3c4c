#pragma once

// Shared by the store tests: a fresh temp directory per test, a store opened
// in it, a builder for signed events of one room, and the write a room
// service does to persist a new timeline event.

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/store/sqlite.hpp>
#include <chat/store/store.hpp>

#include "support/event_builder.hpp"

namespace chat::test {

// The value of a Result that must hold one; otherwise the test fails with
// the error (thrown, so that gtest reports it where it happened).
template <typename T>
T value(Result<T> r) {
    if (!r) throw std::runtime_error("unexpected error: " + r.error().message + " / " +
                                     r.error().detail);
    return std::move(*r);
}

inline void value(Result<void> r) {
    if (!r) throw std::runtime_error("unexpected error: " + r.error().message + " / " +
                                     r.error().detail);
}

// A directory under the system temp dir, removed with its contents.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "chat-store-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline std::unique_ptr<store::Store> open_store(const std::string& path,
                                                const store::SqliteOptions& options = {}) {
    return value(store::open_sqlite(path, options));
}

// A test with a fresh file-backed store (synchronous=FULL, the default).
class StoreTest : public ::testing::Test {
protected:
    void SetUp() override { store_ = open_store(db_path(), options()); }
    virtual store::SqliteOptions options() const { return {}; }
    std::string db_path() const { return dir_.file("chat.db"); }

    template <typename F>
    auto write(F&& fn) {
        return value(store_->write("test", std::forward<F>(fn)));
    }
    template <typename F>
    auto read(F&& fn) {
        return value(store_->read("test", std::forward<F>(fn)));
    }

    TempDir dir_;
    std::unique_ptr<store::Store> store_;
};

// Signed events of one room, each citing the previous one.
class TestRoom {
public:
    explicit TestRoom(const RoomVersion& version = RoomVersion::v10,
                      std::string room_id = "!room:a.test",
                      std::string creator = "@alice:a.test")
        : version_(version), creator_(std::move(creator)) {
        nlohmann::json content = {{"room_version", std::string(version.id)}};
        if (version.creator_in_create) content["creator"] = creator_;
        EventSpec spec{.type = "m.room.create", .sender = creator_, .state_key = "",
                       .content = content, .origin_server_ts = ++ts_};
        if (!version.room_id_is_create_event_hash) spec.room_id = room_id;
        create_ = build_event(version, spec);
        last_ = create_;
    }

    const RoomVersion& version() const { return version_; }
    const RoomId& room_id() const { return create_->room_id(); }
    const PduPtr& create() const { return create_; }
    const PduPtr& last() const { return last_; }

    // An event citing `prev` (default: the last one built) and the create event.
    PduPtr event(const std::string& type, std::optional<std::string> state_key,
                 nlohmann::json content, const std::string& sender = {},
                 std::vector<PduPtr> prev = {}) {
        if (prev.empty()) prev.push_back(last_);
        std::vector<PduPtr> auth;
        if (!version_.room_id_is_create_event_hash) auth.push_back(create_);
        EventSpec spec{.type = type,
                       .sender = sender.empty() ? creator_ : sender,
                       .state_key = std::move(state_key),
                       .content = std::move(content),
                       .prev_events = std::move(prev),
                       .auth_events = std::move(auth),
                       .room_id = std::string(room_id().str()),
                       .origin_server_ts = ++ts_};
        last_ = build_event(version_, spec);
        return last_;
    }
    PduPtr message(const std::string& body, const std::string& sender = {},
                   std::vector<PduPtr> prev = {}) {
        return event("m.room.message", std::nullopt, {{"msgtype", "m.text"}, {"body", body}},
                     sender, std::move(prev));
    }
    PduPtr member(const std::string& user, const std::string& membership,
                  std::vector<PduPtr> prev = {}) {
        return event("m.room.member", user, {{"membership", membership}}, user, std::move(prev));
    }
    PduPtr state(const std::string& type, const std::string& state_key, nlohmann::json content) {
        return event(type, state_key, std::move(content));
    }

private:
    const RoomVersion& version_;
    std::string creator_;
    PduPtr create_;
    PduPtr last_;
    std::int64_t ts_ = 1000;
};

inline EventId eid(const PduPtr& pdu) { return pdu->event_id(); }
inline UserId uid(std::string_view text) { return UserId::parse(text).value(); }
inline RoomId rid(std::string_view text) { return RoomId::parse(text).value(); }

// What a room service does, in one write, for a new timeline event whose
// state before is `before`: a state group for the state after it (a delta of
// one entry for a state event, the same group otherwise), the event with its
// edges, groups and stream ordering, the forward extremities, and the
// current state (with memberships) at the event's position. Returns the
// group after the event and its ordering.
struct Persisted {
    store::StateGroupId group_after;
    store::Position ordering;
};

inline Result<Persisted> persist_timeline_event(store::WriteTxn& txn, const PduPtr& pdu,
                                                std::optional<store::StateGroupId> before) {
    std::optional<store::StateGroupId> after = before;
    std::vector<store::StateDeltaEntry> delta;
    if (pdu->is_state()) {
        delta.push_back({StateKey{pdu->type(), *pdu->state_key()}, pdu->event_id()});
        auto group = txn.state().create_group(pdu->room_id(), before, delta, pdu->event_id());
        if (!group) return group.error();
        after = *group;
    }
    auto persisted = txn.events().persist({.pdu = pdu,
                                           .received_ts = pdu->origin_server_ts(),
                                           .state_group_before = before,
                                           .state_group_after = after});
    if (!persisted) return persisted.error();
    auto ext = txn.extremities().add_event(pdu->room_id(), pdu->event_id(), pdu->prev_events());
    if (!ext) return ext.error();
    if (!delta.empty()) {
        auto applied =
            txn.current_state().apply_delta(pdu->room_id(), delta, persisted->stream_ordering);
        if (!applied) return applied.error();
    }
    return Persisted{after.value_or(0), persisted->stream_ordering};
}

// Creates each of `users` with one device, `device_id` (the e2ee fixtures).
inline Result<void> create_users_with_device(store::WriteTxn& t, std::span<const UserId> users,
                                             const std::string& device_id,
                                             std::optional<std::string> display_name = {}) {
    for (const auto& user : users) {
        auto u = t.users().create(store::UserRow{.user_id = user, .created_ts = 1});
        if (!u) return u.error();
        auto d = t.devices().create(store::DeviceRow{.user_id = user,
                                                     .device_id = device_id,
                                                     .display_name = display_name,
                                                     .created_ts = 2});
        if (!d) return d.error();
    }
    return ok();
}

}  // namespace chat::test
