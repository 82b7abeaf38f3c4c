#include <chat/store/search.hpp>

#include <algorithm>
#include <cctype>

namespace chat::store {

namespace {

// A non-empty string member of an object, or null.
const std::string* text_field(const nlohmann::json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(name);
    if (it == object.end() || !it->is_string()) return nullptr;
    const auto& text = it->get_ref<const std::string&>();
    return text.empty() ? nullptr : &text;
}

// The text/plain representation in a topic's `m.topic` block (spec v1.15):
// the first entry of m.text whose mimetype is text/plain or absent.
const std::string* plain_topic(const nlohmann::json& content) {
    if (!content.is_object()) return nullptr;
    auto block = content.find("m.topic");
    if (block == content.end() || !block->is_object()) return nullptr;
    auto texts = block->find("m.text");
    if (texts == block->end() || !texts->is_array()) return nullptr;
    for (const auto& entry : *texts) {
        if (!entry.is_object()) continue;
        auto mimetype = entry.find("mimetype");
        const bool plain = mimetype == entry.end() ||
                           (mimetype->is_string() && *mimetype == "text/plain");
        if (!plain) continue;
        return text_field(entry, "body");
    }
    return nullptr;
}

bool separates_words(unsigned char c) {
    return c <= 0x20 || c == 0x7f;  // space, NUL and every other ASCII control character
}

// `word` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view word, std::size_t max) {
    if (word.size() <= max) return word;
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
    return word.substr(0, end);
}

bool word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) != 0; }

// Calls `fn` with each word of `text`.
template <typename F>
void for_each_word(std::string_view text, F&& fn) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !word_byte(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && word_byte(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) fn(text.substr(start, i - start));
    }
}

std::string ascii_lower(std::string_view word) {
    std::string out(word);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<SearchableText> searchable_text(std::string_view type,
                                              const nlohmann::json& content) {
    if (type == "m.room.message") {
        if (const auto* body = text_field(content, "body"))
            return SearchableText{kSearchKeyBody, *body};
    } else if (type == "m.room.name") {
        if (const auto* name = text_field(content, "name"))
            return SearchableText{kSearchKeyName, *name};
    } else if (type == "m.room.topic") {
        const auto* topic = text_field(content, "topic");
        const auto* plain = plain_topic(content);
        if (topic && plain && *plain != *topic)
            return SearchableText{kSearchKeyTopic, *topic + "\n" + *plain};
        if (topic) return SearchableText{kSearchKeyTopic, *topic};
        if (plain) return SearchableText{kSearchKeyTopic, *plain};
    }
    return std::nullopt;
}

std::optional<std::string_view> search_key_type(std::string_view key) {
    if (key == kSearchKeyBody) return "m.room.message";
    if (key == kSearchKeyName) return "m.room.name";
    if (key == kSearchKeyTopic) return "m.room.topic";
    return std::nullopt;
}

std::vector<std::string> search_terms(std::string_view search_term) {
    std::vector<std::string> terms;
    std::size_t i = 0;
    while (i < search_term.size() && terms.size() < kMaxSearchTerms) {
        while (i < search_term.size() && separates_words(search_term[i])) ++i;
        const std::size_t start = i;
        while (i < search_term.size() && !separates_words(search_term[i])) ++i;
        if (i > start)
            terms.emplace_back(cut_utf8(search_term.substr(start, i - start), kMaxSearchTermBytes));
    }
    std::erase_if(terms, [](const std::string& t) { return t.empty(); });
    return terms;
}

void add_highlights(std::string_view text, std::span<const std::string> terms,
                    std::set<std::string>& out) {
    std::vector<std::string> prefixes;
    for (const auto& term : terms)
        for_each_word(term, [&](std::string_view word) { prefixes.push_back(ascii_lower(word)); });
    if (prefixes.empty()) return;
    for_each_word(text, [&](std::string_view word) {
        const auto lower = ascii_lower(word);
        for (const auto& prefix : prefixes) {
            if (lower.starts_with(prefix)) {
                out.emplace(word);
                return;
            }
        }
    });
}

}  // namespace chat::store
