#pragma once

#include <string>
#include <string_view>

namespace chat::push {

// A string decoded from UTF-8 into code points and case-folded, so that glob
// matching is case-insensitive and `?` stands for one character, not one byte.
//
// Folding is simple (one code point to one): ASCII, Latin-1, Latin Extended-A,
// Greek and Cyrillic capitals become small letters; everything else is kept.
// The spec leaves "case-insensitive" to the implementation (push.md § Push
// Rules). Invalid UTF-8 bytes become U+FFFD each. Untrusted input is fine.
class FoldedText {
public:
    FoldedText() = default;
    explicit FoldedText(std::string_view utf8);

    std::u32string_view view() const noexcept { return text_; }
    bool empty() const noexcept { return text_.empty(); }

private:
    std::u32string text_;
};

// A glob-style pattern (appendices § Glob-style matching): `*` matches zero or
// more characters, `?` exactly one; every other character matches itself,
// case-insensitively. There are no escapes. Immutable once compiled; matching
// takes O(text x pattern) time at worst and allocates at most one small buffer.
class Glob {
public:
    Glob() = default;
    // Any string is a valid pattern (untrusted input is fine).
    static Glob compile(std::string_view pattern);
    // A pattern in which `*` and `?` are plain characters (display names).
    static Glob literal(std::string_view text);

    // Whether the pattern matches the whole of `text` (event_match).
    bool matches(const FoldedText& text) const;
    // Whether the pattern matches some substring of `text` that starts and ends
    // at a word boundary: the start or end of the text, or a character outside
    // [A-Za-z0-9_] (event_match on content.body, content rules).
    bool matches_words(const FoldedText& text) const;

private:
    bool whole_match_wild(std::u32string_view text) const;
    std::u32string tokens_;  // folded code points; kStar and kAny mark wildcards
    bool has_wildcards_ = false;
};

}  // namespace chat::push
