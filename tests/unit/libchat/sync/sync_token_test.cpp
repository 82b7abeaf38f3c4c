#include <chat/sync/sync_token.hpp>

#include <string>

#include <gtest/gtest.h>

namespace chat::sync {
namespace {

SyncToken sample() {
    SyncToken t;
    for (std::size_t i = 0; i < store::kStreamCount; ++i)
        t.streams.at[i] = static_cast<store::Position>(10 * i + 3);
    t.typing = 42;
    return t;
}

TEST(SyncToken, RoundTripsThroughText) {
    const SyncToken t = sample();
    EXPECT_EQ(t.str(), "s3_13_23_33_43_53_63_42");
    auto back = SyncToken::parse(t.str());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, t);
}

TEST(SyncToken, ZeroTokenRoundTrips) {
    auto back = SyncToken::parse(SyncToken{}.str());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, SyncToken{});
    EXPECT_EQ(SyncToken{}.str(), "s0_0_0_0_0_0_0_0");
}

TEST(SyncToken, LargestPositionsRoundTrip) {
    SyncToken t;
    t.streams[store::Stream::events] = store::kMaxPosition;
    t.typing = store::kMaxPosition;
    auto back = SyncToken::parse(t.str());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, t);
}

TEST(SyncToken, RefusesMalformedText) {
    for (const char* bad : {
             "",
             "s",
             "x3_13_23_33_43_53_63_42",
             "3_13_23_33_43_53_63_42",
             "s3_13_23_33_43_53_63",                       // a field short
             "s3_13_23_33_43_53_63_42_1",                  // a field too many
             "s3_13_23_33_43_53_63_42_",                   // trailing separator
             "s3__23_33_43_53_63_42",                      // empty field
             "s-3_13_23_33_43_53_63_42",                   // negative
             "s+3_13_23_33_43_53_63_42",                   // sign
             "s 3_13_23_33_43_53_63_42",                   // space
             "s3_13_23_33_43_53_63_42 ",                   // trailing space
             "s3_13_23_33_43_53_63_4x",                    // not a digit
             "s3_13_23_33_43_53_63_99999999999999999999",  // beyond int64
             "t12",
             "{\"a\":1}",
         }) {
        auto parsed = SyncToken::parse(bad);
        ASSERT_FALSE(parsed) << "accepted: '" << bad << "'";
        EXPECT_EQ(parsed.error().code, Errc::invalid_param) << bad;
    }
    EXPECT_FALSE(SyncToken::parse("s" + std::string(300, '1')));
}

TEST(PaginationToken, RoundTripsIncludingBackfilledPositions) {
    for (store::Position p : {store::Position{0}, store::Position{17}, store::Position{-42}}) {
        PaginationToken t{p};
        auto back = PaginationToken::parse(t.str());
        ASSERT_TRUE(back) << t.str();
        EXPECT_EQ(back->position, p);
    }
    EXPECT_EQ(PaginationToken{-5}.str(), "t-5");
}

TEST(PaginationToken, AcceptsASyncTokenAsItsEventsPosition) {
    auto from_sync = PaginationToken::parse(sample().str());
    ASSERT_TRUE(from_sync);
    EXPECT_EQ(from_sync->position, 3);
}

TEST(PaginationToken, RefusesMalformedText) {
    for (const char* bad :
         {"", "t", "t-", "t--1", "t+1", "t1x", "x1", "1", "t 1", "s1_2", "t99999999999999999999"}) {
        auto parsed = PaginationToken::parse(bad);
        ASSERT_FALSE(parsed) << "accepted: '" << bad << "'";
        EXPECT_EQ(parsed.error().code, Errc::invalid_param) << bad;
    }
}

}  // namespace
}  // namespace chat::sync
