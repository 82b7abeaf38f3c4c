#include <chat/push/glob.hpp>

#include <string>

#include <gtest/gtest.h>

namespace chat::push {
namespace {

bool whole(std::string_view pattern, std::string_view text) {
    return Glob::compile(pattern).matches(FoldedText(text));
}

bool words(std::string_view pattern, std::string_view text) {
    return Glob::compile(pattern).matches_words(FoldedText(text));
}

TEST(PushGlob, SpecTopicExample) {
    // push.md § event_match: "lunc?*" against content.topic.
    EXPECT_TRUE(whole("lunc?*", "Lunch plans"));
    EXPECT_TRUE(whole("lunc?*", "LUNCH"));
    EXPECT_FALSE(whole("lunc?*", " lunch"));
    EXPECT_FALSE(whole("lunc?*", "lunc"));
}

TEST(PushGlob, WholeValueMatchNeedsTheWholeValue) {
    EXPECT_TRUE(whole("m.room.message", "m.room.message"));
    EXPECT_FALSE(whole("m.room.message", "m.room.message2"));
    EXPECT_FALSE(whole("m.room", "m.room.message"));
    EXPECT_TRUE(whole("m.room.*", "m.room.message"));
    EXPECT_TRUE(whole("*", ""));
    EXPECT_TRUE(whole("", ""));
    EXPECT_FALSE(whole("", "x"));
    EXPECT_FALSE(whole("?", ""));
    EXPECT_TRUE(whole("a*b*c", "aXXbYYbZZc"));
    EXPECT_FALSE(whole("a*b*c", "aXXbYYbZZ"));
    EXPECT_TRUE(whole("**", "anything"));
}

TEST(PushGlob, QuestionMarkIsOneCharacterNotOneByte) {
    EXPECT_TRUE(whole("caf?", "café"));    // é is two bytes in UTF-8
    EXPECT_FALSE(whole("caf??", "café"));
    EXPECT_TRUE(whole("?", "😀"));          // four bytes
}

TEST(PushGlob, CaseInsensitiveBeyondAscii) {
    EXPECT_TRUE(whole("ÉMILE", "émile"));
    EXPECT_TRUE(whole("привет", "ПРИВЕТ"));
    EXPECT_TRUE(whole("ΣΩ", "σω"));
    EXPECT_FALSE(whole("a", "b"));
}

TEST(PushGlob, SpecBodyExample) {
    // push.md § event_match on content.body: "ex*ple".
    EXPECT_TRUE(words("ex*ple", "An example event."));
    EXPECT_TRUE(words("ex*ple", "exple"));
    EXPECT_TRUE(words("ex*ple", "An exciting triple-whammy"));
    EXPECT_FALSE(words("ex*ple", "An examples event"));
    EXPECT_FALSE(words("ex*ple", "Anexample"));
}

TEST(PushGlob, WordBoundariesAreNonWordCharacters) {
    EXPECT_TRUE(words("alice", "alice"));
    EXPECT_TRUE(words("alice", "hi alice!"));
    EXPECT_TRUE(words("alice", "hi ALICE, how are you"));
    EXPECT_TRUE(words("alice", "(alice)"));
    EXPECT_TRUE(words("alice", "café-alice"));
    EXPECT_FALSE(words("alice", "malice"));
    EXPECT_FALSE(words("alice", "alice_b"));   // '_' is a word character
    EXPECT_FALSE(words("alice", "alice2"));
    EXPECT_TRUE(words("alice", "aliceé"));     // outside [A-Za-z0-9_]: a boundary
    EXPECT_TRUE(words("@room", "hey @room look"));
    EXPECT_FALSE(words("@room", "hey @roomy"));
    EXPECT_FALSE(words("alice", ""));
    EXPECT_TRUE(words("al?ce", "say alXce now"));
    EXPECT_FALSE(words("al?ce", "say alce now"));
}

TEST(PushGlob, WordMatchFindsALaterOccurrence) {
    EXPECT_TRUE(words("alice", "malice and alice"));
    EXPECT_TRUE(words("a*e", "xa ae"));
    EXPECT_TRUE(words("cake*lie", "the cake is a lie"));
    EXPECT_FALSE(words("cake*lie", "the cake is a lier"));
}

TEST(PushGlob, LiteralTreatsWildcardsAsCharacters) {
    auto name = Glob::literal("Al*ce");
    EXPECT_TRUE(name.matches_words(FoldedText("hi al*ce")));
    EXPECT_FALSE(name.matches_words(FoldedText("hi alice")));
}

TEST(PushGlob, InvalidUtf8DoesNotCrash) {
    std::string bad = "a\xff\xfe" "b";
    EXPECT_TRUE(whole("a??b", bad));
    EXPECT_TRUE(words("b", bad));
}

}  // namespace
}  // namespace chat::push
