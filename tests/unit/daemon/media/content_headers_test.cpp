#include "media/content_headers.hpp"

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

TEST(ContentHeaders, OnlyPassiveTypesAreInline) {
    EXPECT_TRUE(is_inline_safe("image/png"));
    EXPECT_TRUE(is_inline_safe("IMAGE/JPEG"));
    EXPECT_TRUE(is_inline_safe("text/plain; charset=utf-8"));
    EXPECT_TRUE(is_inline_safe("audio/flac"));
    EXPECT_TRUE(is_inline_safe("video/mp4"));
    EXPECT_FALSE(is_inline_safe("text/html"));
    EXPECT_FALSE(is_inline_safe("image/svg+xml"));
    EXPECT_FALSE(is_inline_safe("application/pdf"));
    EXPECT_FALSE(is_inline_safe("application/octet-stream"));
    EXPECT_FALSE(is_inline_safe(""));
}

TEST(ContentHeaders, FilenamesAreEncodedSoTheyCannotBreakTheHeader) {
    EXPECT_EQ(content_disposition("image/png", "cat.png"), "inline; filename*=utf-8''cat.png");
    EXPECT_EQ(content_disposition("text/html", ""), "attachment");
    EXPECT_EQ(content_disposition("text/html", "a\"b;\r\nX: y/../z"),
              "attachment; filename*=utf-8''a%22b%3B%0D%0AX%3A%20y%2F..%2Fz");
    EXPECT_EQ(content_disposition("text/plain", "\xc3\xa9t\xc3\xa9.txt"),
              "inline; filename*=utf-8''%C3%A9t%C3%A9.txt");
}

TEST(ContentHeaders, FilenameOfARemoteDisposition) {
    // What we write reads back.
    EXPECT_EQ(disposition_filename(content_disposition("text/plain", "\xc3\xa9t\xc3\xa9 1.txt")),
              "\xc3\xa9t\xc3\xa9 1.txt");
    EXPECT_EQ(disposition_filename("attachment; filename=\"a b.pdf\""), "a b.pdf");
    EXPECT_EQ(disposition_filename("inline;filename=x.png"), "x.png");
    // The extended form wins over the plain one, in any order.
    EXPECT_EQ(disposition_filename("inline; filename*=UTF-8''new.png; filename=old.png"), "new.png");
    EXPECT_EQ(disposition_filename("inline; filename=old.png; filename*=utf-8''new.png"), "new.png");
    EXPECT_EQ(disposition_filename("inline"), std::nullopt);
    EXPECT_EQ(disposition_filename(""), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename*=utf-8''bad%2"), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename*=utf-8''bad%zz"), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename*=utf-8''a%0Db"), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename*=iso-8859-1''x"), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename=\"a\\\"b\""), std::nullopt);
    EXPECT_EQ(disposition_filename("inline; filename=" + std::string(256, 'a')), std::nullopt);
}

}  // namespace
}  // namespace chat::daemon
