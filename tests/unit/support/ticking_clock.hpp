#pragma once

#include <cstdint>

#include <chat/core/clock.hpp>

namespace chat::test {

// A clock that moves 1 ms forward on every read, from a fixed start, so
// that timestamps in a test are distinct, ordered and reproducible.
class TickingClock final : public Clock {
public:
    std::int64_t now_ms() const override { return ++now_; }

private:
    mutable std::int64_t now_ = 1'700'000'000'000;
};

}  // namespace chat::test
