#include <chat/push/glob.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chat::push {

namespace {

// Wildcards are stored as values above U+10FFFF, so no text character equals them.
constexpr char32_t kStar = 0x110000;
constexpr char32_t kAny = 0x110001;
constexpr char32_t kReplacement = 0xFFFD;

char32_t fold(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1 capitals
    if (c >= 0x100 && c <= 0x17F) {                            // Latin Extended-A
        if (c == 0x178) return 0xFF;                            // Ÿ
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
        // Pairs are (even capital, odd small), except 0x139-0x148 and 0x179-0x17E,
        // which are (odd capital, even small).
        bool odd_capitals = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        bool is_capital = odd_capitals ? (c % 2 == 1) : (c % 2 == 0);
        return is_capital ? c + 1 : c;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek capitals
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic А-Я
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;                // Cyrillic Ѐ-Џ
    return c;
}

// Decodes one code point at `i` and advances `i`. Malformed sequences give
// U+FFFD and consume one byte, so decoding always makes progress.
char32_t decode(std::string_view s, std::size_t& i) {
    auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    std::uint8_t b0 = byte(i);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t length = 0;
    char32_t c = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        length = 2, c = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        length = 3, c = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        length = 4, c = b0 & 0x07, min = 0x10000;
    } else {
        ++i;
        return kReplacement;
    }
    if (i + length > s.size()) {
        ++i;
        return kReplacement;
    }
    for (std::size_t k = 1; k < length; ++k) {
        std::uint8_t b = byte(i + k);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return kReplacement;
        }
        c = (c << 6) | (b & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        ++i;
        return kReplacement;
    }
    i += length;
    return c;
}

std::u32string fold_utf8(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) out.push_back(fold(decode(utf8, i)));
    return out;
}

// The spec's word characters: [A-Za-z0-9_]. Text is folded, so capitals are gone.
bool is_word(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

}  // namespace

FoldedText::FoldedText(std::string_view utf8) : text_(fold_utf8(utf8)) {}

Glob Glob::compile(std::string_view pattern) {
    Glob glob;
    glob.tokens_ = fold_utf8(pattern);
    for (char32_t& c : glob.tokens_) {
        if (c == '*') {
            c = kStar;
            glob.has_wildcards_ = true;
        } else if (c == '?') {
            c = kAny;
            glob.has_wildcards_ = true;
        }
    }
    return glob;
}

Glob Glob::literal(std::string_view text) {
    Glob glob;
    glob.tokens_ = fold_utf8(text);
    return glob;
}

bool Glob::matches(const FoldedText& text) const {
    if (!has_wildcards_) return text.view() == std::u32string_view(tokens_);
    return whole_match_wild(text.view());
}

// The classic wildcard walk: on a mismatch, retry from the last `*`, which
// then swallows one more character. Linear for the patterns rules use.
bool Glob::whole_match_wild(std::u32string_view text) const {
    std::size_t t = 0;
    std::size_t p = 0;
    std::size_t star = std::u32string::npos;
    std::size_t star_text = 0;
    const std::size_t m = tokens_.size();
    while (t < text.size()) {
        if (p < m && (tokens_[p] == kAny || tokens_[p] == text[t])) {
            ++p, ++t;
        } else if (p < m && tokens_[p] == kStar) {
            star = p++;
            star_text = t;
        } else if (star != std::u32string::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < m && tokens_[p] == kStar) ++p;
    return p == m;
}

bool Glob::matches_words(const FoldedText& folded) const {
    const std::u32string_view text = folded.view();
    const std::size_t n = text.size();
    const std::size_t m = tokens_.size();
    auto starts_word = [&](std::size_t i) { return i == 0 || !is_word(text[i - 1]); };
    auto ends_word = [&](std::size_t j) { return j == n || !is_word(text[j]); };

    if (!has_wildcards_) {
        const std::u32string_view needle(tokens_);
        for (std::size_t at = text.find(needle); at != std::u32string_view::npos;
             at = text.find(needle, at + 1)) {
            if (starts_word(at) && ends_word(at + m)) return true;
        }
        return false;
    }

    // An NFA over pattern positions, run once across the text: a new attempt
    // starts at every word start, and an accepting state at a word end is a
    // match. O(n x m) time, no backtracking.
    std::vector<char> active(m + 1, 0);
    std::vector<char> next(m + 1, 0);
    auto close = [&](std::vector<char>& states) {
        for (std::size_t p = 0; p < m; ++p)
            if (states[p] && tokens_[p] == kStar) states[p + 1] = 1;
    };
    for (std::size_t j = 0;; ++j) {
        if (starts_word(j)) {
            active[0] = 1;
            close(active);
        }
        if (active[m] && ends_word(j)) return true;
        if (j == n) return false;
        std::fill(next.begin(), next.end(), 0);
        for (std::size_t p = 0; p < m; ++p) {
            if (!active[p]) continue;
            if (tokens_[p] == kStar)
                next[p] = 1;
            else if (tokens_[p] == kAny || tokens_[p] == text[j])
                next[p + 1] = 1;
        }
        close(next);
        active.swap(next);
    }
}

}  // namespace chat::push
