// The workers' bus messages (daemon/bus/bus_message.hpp).
#include <gtest/gtest.h>

#include "bus/bus_message.hpp"

namespace chat::daemon::bus {
namespace {

BusMessage round_trip(const BusMessage& message) {
    auto decoded = decode(encode(message));
    EXPECT_TRUE(decoded) << encode(message);
    return decoded ? *decoded : BusMessage{};
}

TEST(BusMessage, EveryKindSurvivesARoundTrip) {
    const std::vector<BusMessage> messages = {
        {"w1", StreamAdvanced{.stream = store::Stream::receipts, .position = 42}},
        {"worker-2", Poke{}},
        {"w1", TypingChanged{.room_id = RoomId::parse("!r:a.test").value(),
                             .user_id = UserId::parse("@alice:a.test").value(),
                             .typing = true,
                             .expires_ms = 1'700'000'030'000,
                             .stamp = 1'700'000'000'000}},
        {"w3", PresenceSeen{.users = {UserId::parse("@a:x").value(),
                                      UserId::parse("@b:y").value()},
                            .active = {UserId::parse("@b:y").value()}}},
        {"w3", PresenceSeen{}},
    };
    for (const auto& message : messages) EXPECT_EQ(round_trip(message), message);
}

TEST(BusMessage, EveryStreamNameIsUnderstood) {
    for (store::Stream stream : store::kAllStreams) {
        BusMessage message{"w", StreamAdvanced{.stream = stream, .position = 7}};
        EXPECT_EQ(round_trip(message), message);
    }
}

TEST(BusMessage, TheWireFormIsCompactJson) {
    EXPECT_EQ(encode({"a", StreamAdvanced{.stream = store::Stream::events, .position = 5}}),
              R"({"k":"stream","p":5,"s":"events","w":"a"})");
}

TEST(BusMessage, RefusesWhatAnotherWorkerCouldNotHaveSent) {
    const std::vector<std::string> bad = {
        "",
        "not json",
        "[]",
        R"({"k":"poke"})",                                    // no worker
        R"({"w":"","k":"poke"})",                             // empty worker
        R"({"w":"a"})",                                       // no kind
        R"({"w":"a","k":"reboot"})",                          // unknown kind
        R"({"w":"a","k":"stream","s":"nope","p":1})",         // unknown stream
        R"({"w":"a","k":"stream","s":"events","p":-1})",      // negative position
        R"({"w":"a","k":"stream","s":"events","p":"1"})",     // position as text
        R"({"w":"a","k":"stream","s":"events"})",             // no position
        R"({"w":"a","k":"stream","s":"events","p":1.5})",     // not an integer
        R"({"w":"a","k":"typing","r":"room","u":"@u:x","on":true,"exp":1,"at":1})",
        R"({"w":"a","k":"typing","r":"!r:x","u":"user","on":true,"exp":1,"at":1})",
        R"({"w":"a","k":"typing","r":"!r:x","u":"@u:x","on":1,"exp":1,"at":1})",
        R"({"w":"a","k":"typing","r":"!r:x","u":"@u:x","on":true,"at":1})",
        R"({"w":"a","k":"seen","users":"@u:x"})",
        R"({"w":"a","k":"seen","users":[1]})",
        R"({"w":"a","k":"seen","users":["nobody"]})",
        R"({"w":"a","w":"b","k":"poke"})",                    // duplicate key
    };
    for (const auto& text : bad) EXPECT_FALSE(decode(text)) << text;
    EXPECT_FALSE(decode(R"({"w":")" + std::string(kMaxWorkerNameBytes + 1, 'x') +
                        R"(","k":"poke"})"));
    std::string many = R"({"w":"a","k":"seen","users":[)";
    for (std::size_t i = 0; i <= kMaxSeenUsers; ++i) many += (i ? "," : "") + std::string(R"("@u:x")");
    EXPECT_FALSE(decode(many + R"(],"active":[]})"));
    EXPECT_TRUE(decode(R"({"w":"a","k":"seen","users":["@u:x"],"active":[]})"));
    EXPECT_FALSE(decode(std::string(kMaxBusMessageBytes + 1, ' ')));
}

}  // namespace
}  // namespace chat::daemon::bus
