#include "media/byte_range.hpp"

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

using Kind = ByteRange::Kind;

TEST(ByteRange, ClosedRangeIsServedAndClampedToTheFile) {
    auto r = parse_byte_range("bytes=10-19", 100);
    EXPECT_EQ(r.kind, Kind::partial);
    EXPECT_EQ(r.first, 10u);
    EXPECT_EQ(r.length, 10u);
    auto clamped = parse_byte_range("bytes=90-500", 100);
    EXPECT_EQ(clamped.kind, Kind::partial);
    EXPECT_EQ(clamped.length, 10u);
}

TEST(ByteRange, OpenAndSuffixRanges) {
    auto open = parse_byte_range("bytes=95-", 100);
    EXPECT_EQ(open.kind, Kind::partial);
    EXPECT_EQ(open.first, 95u);
    EXPECT_EQ(open.length, 5u);
    auto suffix = parse_byte_range("bytes=-30", 100);
    EXPECT_EQ(suffix.first, 70u);
    EXPECT_EQ(suffix.length, 30u);
    auto longer = parse_byte_range("bytes=-300", 100);
    EXPECT_EQ(longer.first, 0u);
    EXPECT_EQ(longer.length, 100u);
}

TEST(ByteRange, RangesOutsideTheFileAreUnsatisfiable) {
    EXPECT_EQ(parse_byte_range("bytes=100-", 100).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=-0", 100).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(ByteRange, AnythingElseMeansTheWholeFile) {
    for (auto header : {"", "bytes", "bytes=", "bytes=a-b", "bytes=5-1", "bytes=0-1,5-6",
                        "items=0-1", "bytes=-", "bytes=+1-2", "bytes=99999999999999999999999-",
                        "bytes= 1 - 2 x"})
        EXPECT_EQ(parse_byte_range(header, 100).kind, Kind::whole) << header;
    EXPECT_EQ(parse_byte_range("Bytes=0-0", 100).kind, Kind::partial);
}

}  // namespace
}  // namespace chat::daemon
