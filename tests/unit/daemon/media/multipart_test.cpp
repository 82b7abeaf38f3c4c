#include "media/multipart.hpp"

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

std::string framed(std::string_view bytes, MultipartFrame& frame) {
    frame = media_multipart_frame("image/png", "inline; filename=a.png");
    return frame.head + std::string(bytes) + frame.tail;
}

TEST(MediaMultipartTest, WriterOutputParsesBack) {
    MultipartFrame frame;
    const std::string bytes("\x89PNG\r\n\x1a\n\0--\r\n--x", 16);
    auto body = framed(bytes, frame);
    auto parsed = parse_media_multipart(frame.content_type, body);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(parsed->metadata, "{}");
    EXPECT_EQ(parsed->content, bytes);
    EXPECT_EQ(parsed->content_type, "image/png");
    EXPECT_EQ(parsed->content_disposition, "inline; filename=a.png");
    EXPECT_FALSE(parsed->location);
}

TEST(MediaMultipartTest, FramesUseFreshBoundaries) {
    EXPECT_NE(media_multipart_frame("a/b", "").content_type,
              media_multipart_frame("a/b", "").content_type);
    EXPECT_EQ(media_multipart_frame("a/b", "").head.find("Content-Disposition"),
              std::string::npos);
}

TEST(MediaMultipartTest, AcceptsQuotedBoundaryPreambleAndLocation) {
    const std::string body =
        "preamble\r\n--b 1\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}\r\n"
        "--b 1  \r\nLocation: https://cdn.example/x\r\n\r\n\r\n--b 1--\r\nepilogue";
    auto parsed = parse_media_multipart("Multipart/Mixed; boundary=\"b 1\"", body);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(parsed->location, "https://cdn.example/x");
    EXPECT_EQ(parsed->content, "");
    EXPECT_FALSE(parsed->content_type);
}

TEST(MediaMultipartTest, RefusesMalformedBodies) {
    const std::string ct = "multipart/mixed; boundary=B";
    const std::string json_part = "--B\r\nContent-Type: application/json\r\n\r\n{}\r\n";
    const std::string file_part = "--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"application/json", json_part + file_part + "--B--\r\n"},
        {"multipart/mixed", json_part + file_part + "--B--\r\n"},
        {"multipart/mixed; boundary=", json_part + file_part + "--B--\r\n"},
        {"multipart/mixed; boundary=" + std::string(71, 'a'), ""},
        {"multipart/mixed; boundary=B; boundary=C", json_part + file_part + "--B--\r\n"},
        {ct, json_part + "--B--\r\n"},                                  // one part
        {ct, json_part + file_part + file_part + "--B--\r\n"},          // three parts
        {ct, json_part + file_part},                                    // no close
        {ct, file_part + json_part + "--B--\r\n"},                      // JSON second
        {ct, json_part + "--B\r\nContent-Type: a\r\nContent-Type: b\r\n\r\nx\r\n--B--"},
        {ct, json_part + "--B\r\nBad Header: x\r\n\r\nx\r\n--B--"},
        {ct, json_part + "--B\r\nno colon\r\n\r\nx\r\n--B--"},
        {ct, json_part + "--B\r\nContent-Type: a\rb\r\n\r\nx\r\n--B--"},
        {ct, json_part + "--B\nContent-Type: a\n\nx\r\n--B--"},         // bare LF
        {ct, std::string(2000, 'p') + "\r\n" + json_part + file_part + "--B--"},
        {ct, json_part + "--B\r\n" + std::string(9000, 'X') + "\r\n\r\nx\r\n--B--"},
        {ct, ""},
    };
    for (const auto& [type, body] : bad) {
        auto parsed = parse_media_multipart(type, body);
        ASSERT_FALSE(parsed) << type << " | " << body.substr(0, 120);
        EXPECT_EQ(parsed.error().code, Errc::remote_unavailable);
    }
    // And the same pieces, well put together, do parse.
    const std::string good_body = json_part + file_part + "--B--\r\n";  // outlives the view
    auto good = parse_media_multipart(ct, good_body);
    ASSERT_TRUE(good) << good.error().detail;
    EXPECT_EQ(good->content, "hi");
}

TEST(MediaMultipartTest, BoundsHeaderCount) {
    std::string headers;
    for (int i = 0; i < 17; ++i) headers += "X-" + std::to_string(i) + ": v\r\n";
    const std::string body = "--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B\r\n" +
                             headers + "\r\nx\r\n--B--";
    EXPECT_FALSE(parse_media_multipart("multipart/mixed; boundary=B", body));
}

}  // namespace
}  // namespace chat::daemon
