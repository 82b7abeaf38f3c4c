#include "http/request.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "services/services.hpp"

namespace chat::daemon {
namespace {

Request make(std::string target, std::string body = {}) {
    static const Services services;
    return Request(Method::get, std::move(target), {}, std::move(body), services);
}

TEST(RequestQuery, DecodesPercentAndPlus) {
    auto request = make("/sync?since=s1_2%5F3&filter=%7B%22a%22%3A1%7D&q=a+b");
    EXPECT_EQ(request.query("since"), "s1_2_3");
    EXPECT_EQ(request.query("filter"), "{\"a\":1}");
    EXPECT_EQ(request.query("q"), "a b");
    EXPECT_EQ(request.query("missing"), std::nullopt);
}

TEST(RequestQuery, KeepsMalformedEscapesAndRepeatedKeys) {
    auto request = make("/x?a=%zz&via=one&via=two&empty=&bare");
    EXPECT_EQ(request.query("a"), "%zz");
    EXPECT_EQ(request.query_all("via"), (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(request.query("empty"), "");
    EXPECT_EQ(request.query("bare"), "");
}

TEST(RequestBody, AcceptsOnlyJsonObjects) {
    EXPECT_TRUE(make("/x", R"({"a": 1})").json_object());
    EXPECT_EQ(make("/x", "[1]").json_object().error().code, Errc::bad_json);
    EXPECT_EQ(make("/x", "{").json_object().error().code, Errc::not_json);
    EXPECT_EQ(make("/x", R"({"a":1,"a":2})").json_object().error().code, Errc::not_json);
    EXPECT_EQ(make("/x", "").json_object().error().code, Errc::not_json);
    auto empty = make("/x", " \n").json_object(/*empty_is_object=*/true);
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, nlohmann::json::object());
}

}  // namespace
}  // namespace chat::daemon
