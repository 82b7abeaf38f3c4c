#include <chat/core/result.hpp>

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace chat {
namespace {

Result<int> parse_positive(int x) {
    if (x <= 0) return make_error(Errc::invalid_param, "not positive");
    return x;
}

TEST(Result, HoldsValueOrError) {
    auto good = parse_positive(3);
    ASSERT_TRUE(good);
    EXPECT_EQ(*good, 3);

    auto bad = parse_positive(-1);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::invalid_param);
    EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, MovesOnlyTypes) {
    Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    ASSERT_TRUE(r);
    auto p = std::move(r).value();
    EXPECT_EQ(*p, 5);
}

TEST(Result, VoidSuccessAndFailure) {
    Result<void> fine = ok();
    EXPECT_TRUE(fine);
    Result<void> failed = make_error(Errc::forbidden, "no");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "no");
}

TEST(Errc, MapsClientCodesToMatrixErrcodes) {
    EXPECT_EQ(matrix_errcode(Errc::bad_json), "M_BAD_JSON");
    EXPECT_EQ(matrix_errcode(Errc::unrecognized), "M_UNRECOGNIZED");
    EXPECT_EQ(matrix_errcode(Errc::storage), "M_UNKNOWN");
}

}  // namespace
}  // namespace chat
