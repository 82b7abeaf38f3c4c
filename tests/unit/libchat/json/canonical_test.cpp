#include <chat/json/canonical.hpp>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/json/parse.hpp>

#include "support/spec_vectors.hpp"

namespace chat::json {
namespace {

std::string to_hex(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

// Parses the vector's input text with our parser and encodes it canonically;
// compares byte for byte (the hex form catches any stray encoding).
void expect_vectors_pass(const nlohmann::json& vectors) {
    ASSERT_FALSE(vectors.empty());
    for (const auto& v : vectors) {
        const auto input = v["input_text"].get<std::string>();
        auto parsed = parse(input);
        ASSERT_TRUE(parsed) << input << ": " << parsed.error().message;
        auto encoded = canonical_json(*parsed);
        ASSERT_TRUE(encoded) << input;
        EXPECT_EQ(*encoded, v["expected"].get<std::string>()) << input;
        EXPECT_EQ(to_hex(*encoded), v["expected_utf8_hex"].get<std::string>()) << input;
    }
}

TEST(CanonicalJson, PublishedSpecVectorsAreByteExact) {
    expect_vectors_pass(test::spec_vectors()["canonical_json"]["vectors"]);
}

TEST(CanonicalJson, DerivedGrammarVectorsAreByteExact) {
    expect_vectors_pass(test::spec_vectors()["canonical_json_derived"]["vectors"]);
}

TEST(CanonicalJson, RejectsWhatHasNoCanonicalForm) {
    const auto& cases = test::spec_vectors()["canonical_json_derived"]["must_reject_in_room_v6_plus"];
    ASSERT_EQ(cases.size(), 3u);
    for (const auto& c : cases) {
        const auto input = c["input_text"].get<std::string>();
        auto parsed = parse(input);
        ASSERT_FALSE(parsed) << input;
        EXPECT_EQ(parsed.error().code, Errc::bad_json) << input;
        // Built in code (not parsed), the encoder refuses the same values.
        auto lenient = parse(input, {.numbers = Numbers::lenient});
        ASSERT_TRUE(lenient) << input;
        auto encoded = canonical_json(*lenient);
        ASSERT_FALSE(encoded) << input;
        EXPECT_EQ(encoded.error().code, Errc::bad_json);
    }
}

TEST(CanonicalJson, IntegralFloatsBuiltInCodeBecomeIntegers) {
    nlohmann::json value = {{"a", -0.0}, {"b", 1e10}, {"c", 3.0}};
    EXPECT_EQ(*canonical_json(value), R"({"a":0,"b":10000000000,"c":3})");
}

TEST(CanonicalJson, LenientModeKeepsOldRoomNumbers) {
    nlohmann::json value = {{"f", 1.5}, {"big", 9007199254740992LL}};
    EXPECT_FALSE(canonical_json(value));
    EXPECT_EQ(canonical_json_lenient(value), R"({"big":9007199254740992,"f":1.5})");
}

TEST(CanonicalJson, WritesNonAsciiAndSeparatorsRaw) {
    nlohmann::json value = {{"s", "\u2028\u2029/\x7f"}};
    EXPECT_EQ(*canonical_json(value), "{\"s\":\"\u2028\u2029/\x7f\"}");
}

TEST(CanonicalJson, ControlCharactersUseLowerCaseHex) {
    nlohmann::json value = std::string("\x0b\x1f\x01", 3);
    EXPECT_EQ(*canonical_json(value), R"("\u000b\u001f\u0001")");
}

// Escapes at the start, between runs of plain bytes, and at the end.
TEST(CanonicalJson, EscapesInsideRunsOfPlainText) {
    nlohmann::json value = std::string("\"ab\"c\\d\ne\x01" "f\x7f" "g\\", 14);
    EXPECT_EQ(*canonical_json(value), R"("\"ab\"c\\d\ne\u0001f)" "\x7f" R"(g\\")");
}

// Every string, written a byte at a time by the rules of the spec, comes out
// the same: 3000 random strings over plain bytes and every byte that needs an
// escape.
TEST(CanonicalJson, StringsMatchAByteAtATimeWriting) {
    const std::string alphabet = std::string("ab \"\\/\x7f\xc3\xa9", 9) + std::string("\x00\x08\x09\x0a\x0c\x0d\x1f", 7);
    std::uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
    for (int n = 0; n < 3000; ++n) {
        std::string text;
        const auto length = next() % 40;
        for (std::uint32_t i = 0; i < length; ++i) text.push_back(alphabet[next() % alphabet.size()]);
        std::string want = "\"";
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"') want += "\\\"";
            else if (c == '\\') want += "\\\\";
            else if (byte == 0x08) want += "\\b";
            else if (byte == 0x09) want += "\\t";
            else if (byte == 0x0a) want += "\\n";
            else if (byte == 0x0c) want += "\\f";
            else if (byte == 0x0d) want += "\\r";
            else if (byte < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                want += "\\u00";
                want.push_back(kHex[byte >> 4]);
                want.push_back(kHex[byte & 0xf]);
            } else {
                want.push_back(c);
            }
        }
        want += "\"";
        // Raw bytes: not always valid UTF-8, so lenient (strict would check nothing here either).
        ASSERT_EQ(canonical_json_lenient(nlohmann::json(text)), want) << "string " << n;
    }
}

TEST(CanonicalJson, NestedArraysKeepOrderAndSortInnerObjects) {
    auto parsed = parse(R"([{"b":1,"a":[{"d":2,"c":1}]},[],{}])");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*canonical_json(*parsed), R"([{"a":[{"c":1,"d":2}],"b":1},[],{}])");
}

}  // namespace
}  // namespace chat::json

namespace chat::json {
namespace {

// canonical_json_except: the object as canonical_json writes it, without the
// top-level members `skip` names (nested ones with the same key stay).
TEST(CanonicalJsonExcept, WritesTheObjectWithoutTheSkippedTopLevelMembers) {
    const auto event = nlohmann::json::parse(
        R"({"b":1,"a":{"hashes":2,"z":"\u00e9"},"hashes":{"sha256":"x"},"c":[true,null]})");
    auto none = canonical_json_except(event, [](std::string_view) { return false; }, false);
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, *canonical_json(event));
    auto without = canonical_json_except(
        event, [](std::string_view key) { return key == "hashes" || key == "b"; }, false);
    ASSERT_TRUE(without);
    EXPECT_EQ(*without, "{\"a\":{\"hashes\":2,\"z\":\"\u00e9\"},\"c\":[true,null]}");
    auto all = canonical_json_except(event, [](std::string_view) { return true; }, false);
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, "{}");
}

TEST(CanonicalJsonExcept, RefusesANonObjectAndStrictlyANumberWithoutCanonicalForm) {
    auto skip_none = [](std::string_view) { return false; };
    EXPECT_FALSE(canonical_json_except(nlohmann::json::array(), skip_none, false));
    const auto with_float = nlohmann::json::parse(R"({"depth":1.5,"x":1})");
    auto strict = canonical_json_except(with_float, skip_none, false);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, Errc::bad_json);
    auto lenient = canonical_json_except(with_float, skip_none, true);
    ASSERT_TRUE(lenient);
    EXPECT_EQ(*lenient, canonical_json_lenient(with_float));
    // Skipping the only bad member makes it writable strictly.
    auto skipped =
        canonical_json_except(with_float, [](std::string_view k) { return k == "depth"; }, false);
    ASSERT_TRUE(skipped);
    EXPECT_EQ(*skipped, "{\"x\":1}");
}

}  // namespace
}  // namespace chat::json
