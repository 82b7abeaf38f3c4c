#pragma once

// Shared by the sync tests: a file-backed store in a temp dir with a
// RoomService on it, a clock the tests move, and reads in one snapshot.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include <chat/core/clock.hpp>
#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat::test {

// Time moves only when a test says so, plus 1 ms per reading so that events
// get distinct timestamps.
class ManualClock final : public Clock {
public:
    std::int64_t now_ms() const override { return ++now_; }
    void advance(std::int64_t ms) { now_ += ms; }
    std::int64_t peek() const { return now_; }

private:
    mutable std::int64_t now_ = 1'700'000'000'000;
};

inline UserId user(const char* id) {
    return UserId::parse(id).value();
}

class SyncFixture : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = open_store(dir_.file("chat.db"), {.synchronous = store::Synchronous::off});
        rooms_ = std::make_unique<rooms::RoomService>(*store_, ServerName::parse("a.test").value(),
                                                      crypto::SigningKey::generate("t"), notifier_,
                                                      clock_);
    }

    template <typename F>
    auto read(F&& fn) {
        return value(store_->read("test", std::forward<F>(fn)));
    }

    TempDir dir_;
    std::unique_ptr<store::Store> store_;
    sync::InProcessNotifier notifier_;
    ManualClock clock_;
    std::unique_ptr<rooms::RoomService> rooms_;
    UserId alice_ = user("@alice:a.test");
    UserId bob_ = user("@bob:a.test");
    UserId carol_ = user("@carol:a.test");
};

}  // namespace chat::test
