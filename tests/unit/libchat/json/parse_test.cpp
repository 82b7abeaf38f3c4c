#include <chat/json/parse.hpp>

#include <string>

#include <gtest/gtest.h>

namespace chat::json {
namespace {

Errc error_of(std::string_view text, const ParseOptions& options = {}) {
    auto parsed = parse(text, options);
    EXPECT_FALSE(parsed) << text;
    return parsed ? Errc::internal : parsed.error().code;
}

TEST(JsonParse, ReadsOrdinaryDocuments) {
    auto parsed = parse(R"({"a":[1,-2,"x",true,false,null,{"b":{}}]})");
    ASSERT_TRUE(parsed);
    EXPECT_EQ((*parsed)["a"][1], -2);
    EXPECT_TRUE((*parsed)["a"][6]["b"].is_object());
}

TEST(JsonParse, AcceptsScalarsAtTopLevel) {
    EXPECT_TRUE(parse("3"));
    EXPECT_TRUE(parse("\"s\""));
    EXPECT_TRUE(parse(" null "));
}

TEST(JsonParse, RefusesSyntaxErrors) {
    for (const char* text : {"", "{", "{\"a\":}", "[1,]", "{'a':1}", "tru", "01", "1.", "-",
                             "{\"a\":1}x", "[1] [2]", "{\"a\" 1}", "\"\t\"", "NaN", "Infinity"}) {
        EXPECT_EQ(error_of(text), Errc::not_json) << text;
    }
}

TEST(JsonParse, RefusesInvalidUtf8) {
    EXPECT_EQ(error_of("\"\xff\""), Errc::not_json);
    EXPECT_EQ(error_of("\"\xc3\""), Errc::not_json);          // truncated sequence
    EXPECT_EQ(error_of("\"\xc0\xaf\""), Errc::not_json);      // overlong '/'
    EXPECT_EQ(error_of("\"\xed\xa0\x80\""), Errc::not_json);  // encoded surrogate
    EXPECT_EQ(error_of("{\"\xfe\":1}"), Errc::not_json);       // in a key
}

TEST(JsonParse, RefusesLoneSurrogateEscapes) {
    EXPECT_EQ(error_of(R"("\ud83d")"), Errc::not_json);
    EXPECT_EQ(error_of(R"("\ude00")"), Errc::not_json);
    EXPECT_EQ(error_of(R"("\ud83dx")"), Errc::not_json);
    EXPECT_EQ(error_of(R"("\ud83d\u0041")"), Errc::not_json);
    auto pair = parse(R"("\ud83d\ude00")");
    ASSERT_TRUE(pair);
    EXPECT_EQ(pair->get<std::string>(), "\xf0\x9f\x98\x80");
}

TEST(JsonParse, RefusesDuplicateKeys) {
    EXPECT_EQ(error_of(R"({"a":1,"a":2})"), Errc::not_json);
    EXPECT_EQ(error_of(R"({"x":{"a":1,"b":2,"a":1}})"), Errc::not_json);
    // The same key in sibling objects is fine.
    EXPECT_TRUE(parse(R"([{"a":1},{"a":2}])"));
}

TEST(JsonParse, RefusesNestingBeyondTheLimit) {
    const std::string deep_ok = std::string(64, '[') + std::string(64, ']');
    EXPECT_TRUE(parse(deep_ok));
    const std::string too_deep = std::string(65, '[') + std::string(65, ']');
    EXPECT_EQ(error_of(too_deep), Errc::not_json);
    // Far beyond any stack: refused at the limit, not by crashing.
    const std::string hostile(1'000'000, '[');
    EXPECT_EQ(error_of(hostile), Errc::not_json);
    std::string objects;
    for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
    EXPECT_EQ(error_of(objects), Errc::not_json);
    EXPECT_TRUE(parse(std::string(3, '[') + std::string(3, ']'), {.max_depth = 3}));
    EXPECT_FALSE(parse(std::string(4, '[') + std::string(4, ']'), {.max_depth = 3}));
}

TEST(JsonParse, StrictNumbersFollowCanonicalJson) {
    EXPECT_EQ(*parse("9007199254740991"), 9007199254740991LL);
    EXPECT_EQ(*parse("-9007199254740991"), -9007199254740991LL);
    EXPECT_EQ(error_of("9007199254740992"), Errc::bad_json);
    EXPECT_EQ(error_of("-9007199254740992"), Errc::bad_json);
    EXPECT_EQ(error_of("18446744073709551616"), Errc::bad_json);  // past uint64
    EXPECT_EQ(error_of("1e400"), Errc::bad_json);                 // past double
    EXPECT_EQ(error_of("1.5"), Errc::bad_json);
    EXPECT_EQ(error_of("1.0000000000000001"), Errc::bad_json);     // rounds to 1.0, is not 1
    EXPECT_EQ(error_of("1e-5"), Errc::bad_json);
    // Integral values written as floats are the integers they equal.
    EXPECT_EQ(*parse("1e10"), 10000000000LL);
    EXPECT_EQ(*parse("2.000"), 2);
    EXPECT_EQ(*parse("-0"), 0);
    EXPECT_EQ(*parse("-0.0e7"), 0);
    EXPECT_EQ(*parse("12.5e1"), 125);
    EXPECT_EQ(*parse("9.007199254740991e15"), 9007199254740991LL);
    EXPECT_EQ(error_of("9.007199254740992e15"), Errc::bad_json);
    EXPECT_TRUE(parse("0e999999999999999999"));
    EXPECT_EQ(error_of("1e999999999999999999"), Errc::bad_json);
}

TEST(JsonParse, LenientNumbersKeepOldRoomValues) {
    const ParseOptions lenient{.numbers = Numbers::lenient};
    auto big = parse("9007199254740993", lenient);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->get<std::uint64_t>(), 9007199254740993ULL);
    auto fraction = parse("1.5", lenient);
    ASSERT_TRUE(fraction);
    EXPECT_DOUBLE_EQ(fraction->get<double>(), 1.5);
}

TEST(JsonParse, ErrorsCarryClientSafeMessages) {
    auto parsed = parse("{\"a\":");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message, "Content is not valid JSON");
    EXPECT_FALSE(parsed.error().detail.empty());
}

}  // namespace
}  // namespace chat::json
