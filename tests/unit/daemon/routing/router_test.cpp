#include "routing/router.hpp"

#include <gtest/gtest.h>

namespace chat::daemon {
namespace {

// Distinct handlers, so that a test can tell which route matched.
Task<Result<Reply>> first(Request&) { co_return Reply::empty(200); }
Task<Result<Reply>> second(Request&) { co_return Reply::empty(201); }
Task<Result<Reply>> third(Request&) { co_return Reply::empty(202); }

using Kind = RouteMatch::Kind;

TEST(Router, MatchesALiteralPath) {
    Router router;
    router.add(Method::get, "/_matrix/client/versions", first);
    auto match = router.match(Method::get, "/_matrix/client/versions");
    EXPECT_EQ(match.kind, Kind::found);
    EXPECT_EQ(match.handler, &first);
    EXPECT_TRUE(match.params.empty());
}

TEST(Router, CapturesAndPercentDecodesParameters) {
    Router router;
    router.add(Method::put, "/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}", first);
    auto match = router.match(
        Method::put, "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/t%2F1+2");
    ASSERT_EQ(match.kind, Kind::found);
    ASSERT_EQ(match.params.size(), 3u);
    EXPECT_EQ(match.params[0],
              std::make_pair(std::string("roomId"), std::string("!abc:example.org")));
    EXPECT_EQ(match.params[1].second, "m.room.message");
    // An encoded '/' stays inside its segment; '+' is not a space in a path.
    EXPECT_EQ(match.params[2].second, "t/1+2");
}

TEST(Router, LiteralsCompareAfterDecoding) {
    Router router;
    router.add(Method::get, "/_matrix/client/versions", first);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/%76ersions").kind, Kind::found);
}

TEST(Router, UnknownPathIsNotFound) {
    Router router;
    router.add(Method::get, "/_matrix/client/versions", first);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/v3/sync").kind, Kind::not_found);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client").kind, Kind::not_found);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/versions/extra").kind, Kind::not_found);
    EXPECT_EQ(router.match(Method::get, "/").kind, Kind::not_found);
    EXPECT_EQ(router.match(Method::get, "").kind, Kind::not_found);
}

TEST(Router, KnownPathWithAnotherMethodListsTheAllowedOnes) {
    Router router;
    router.add(Method::get, "/_matrix/client/v3/profile/{userId}/displayname", first);
    router.add(Method::put, "/_matrix/client/v3/profile/{userId}/displayname", second);
    auto match = router.match(Method::post, "/_matrix/client/v3/profile/%40a%3Ab/displayname");
    EXPECT_EQ(match.kind, Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "GET, HEAD, PUT, OPTIONS");

    Router post_only;
    post_only.add(Method::post, "/_matrix/client/v3/login", first);
    EXPECT_EQ(post_only.match(Method::delete_, "/_matrix/client/v3/login").allow, "POST, OPTIONS");
}

TEST(Router, HeadIsServedByTheGetRoute) {
    Router router;
    router.add(Method::get, "/a/{x}", first);
    auto match = router.match(Method::head, "/a/b");
    ASSERT_EQ(match.kind, Kind::found);
    EXPECT_EQ(match.handler, &first);
    EXPECT_EQ(match.params[0].second, "b");
}

TEST(Router, AcceptsATrailingSlash) {
    Router router;
    router.add(Method::get, "/_matrix/client/versions", first);
    EXPECT_EQ(router.match(Method::get, "/_matrix/client/versions/").kind, Kind::found);
}

TEST(Router, ATrailingSlashCanBeAnEmptyParameter) {
    Router router;
    router.add(Method::get, "/rooms/{roomId}/state/{eventType}/{stateKey}", first);
    auto match = router.match(Method::get, "/rooms/!r/state/m.room.name/");
    ASSERT_EQ(match.kind, Kind::found);
    EXPECT_EQ(match.params[2].second, "");
}

TEST(Router, ALiteralBeatsAParameter) {
    Router router;
    router.add(Method::get, "/keys/{what}", first);
    router.add(Method::get, "/keys/query", second);
    router.add(Method::get, "/{a}/changes", third);
    EXPECT_EQ(router.match(Method::get, "/keys/query").handler, &second);
    EXPECT_EQ(router.match(Method::get, "/keys/other").handler, &first);
    // Both "/keys/{what}" and "/{a}/changes" match; the first segment decides.
    EXPECT_EQ(router.match(Method::get, "/keys/changes").handler, &first);
}

TEST(Router, MalformedPercentEncodingIsABadPath) {
    Router router;
    router.add(Method::get, "/rooms/{roomId}", first);
    EXPECT_EQ(router.match(Method::get, "/rooms/%zz").kind, Kind::bad_path);
    EXPECT_EQ(router.match(Method::get, "/rooms/abc%4").kind, Kind::bad_path);
    EXPECT_EQ(router.match(Method::get, "/rooms/abc%").kind, Kind::bad_path);
}

TEST(PercentDecode, DecodesEscapesOfEitherCase) {
    EXPECT_EQ(percent_decode("%21a%3ab%3A"), "!a:b:");
    EXPECT_EQ(percent_decode("plain"), "plain");
    EXPECT_EQ(percent_decode(""), "");
    EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("%"), std::nullopt);
    EXPECT_EQ(percent_decode("%g0"), std::nullopt);
}

TEST(Router, ReportsHowARouteTakesItsBody) {
    Router router;
    router.add(Method::post, "/_matrix/media/v3/upload", first, BodyKind::to_file);
    router.add(Method::post, "/_matrix/client/v3/login", second);
    EXPECT_EQ(router.match(Method::post, "/_matrix/media/v3/upload").body, BodyKind::to_file);
    EXPECT_EQ(router.match(Method::post, "/_matrix/client/v3/login").body, BodyKind::in_memory);
    EXPECT_EQ(router.match(Method::get, "/_matrix/media/v3/upload").body, BodyKind::in_memory);
}

}  // namespace
}  // namespace chat::daemon
