#include <chat/push/event_view.hpp>

#include <cstddef>

namespace chat::push {

namespace {

// Nesting deeper than this is not folded (event_match then finds nothing
// there). Events are parsed with a depth limit of 64 already.
constexpr std::size_t kMaxFoldDepth = 64;

constexpr std::string_view kBodyKey = "content.body";

}  // namespace

std::vector<std::string> split_key_path(std::string_view key) {
    std::vector<std::string> names(1);
    for (std::size_t i = 0; i < key.size(); ++i) {
        char c = key[i];
        if (c == '\\' && i + 1 < key.size() && (key[i + 1] == '.' || key[i + 1] == '\\')) {
            names.back().push_back(key[++i]);
        } else if (c == '.') {
            names.emplace_back();
        } else {
            // A lone backslash, or one before any other character, is literal.
            names.back().push_back(c);
        }
    }
    return names;
}

std::string join_key_path(std::span<const std::string> names) {
    std::string out;
    for (std::size_t n = 0; n < names.size(); ++n) {
        if (n > 0) out.push_back('.');
        for (char c : names[n]) {
            if (c == '.' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
    }
    return out;
}

const nlohmann::json* find_property(const nlohmann::json& root,
                                    std::span<const std::string> path) {
    const nlohmann::json* at = &root;
    for (const auto& name : path) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(name);
        if (it == at->end()) return nullptr;
        at = &*it;
    }
    return at;
}

EventView::EventView(const nlohmann::json& event) : event_(&event) {
    if (!event.is_object()) return;
    if (auto it = event.find("sender"); it != event.end() && it->is_string())
        sender_ = it->get_ref<const std::string&>();
    if (auto it = event.find("room_id"); it != event.end() && it->is_string())
        room_id_ = it->get_ref<const std::string&>();
    if (auto it = event.find("content"); it != event.end() && it->is_object())
        has_mentions_ = it->contains("m.mentions");
}

const FoldedText* EventView::folded(std::string_view canonical_key) const {
    std::lock_guard lock(mutex_);
    auto it = strings_.find(canonical_key);
    if (it == strings_.end()) {
        std::optional<FoldedText> text;
        const auto path = split_key_path(canonical_key);
        if (path.size() <= kMaxFoldDepth)
            if (const auto* value = find_property(*event_, path); value && value->is_string())
                text.emplace(value->get_ref<const std::string&>());
        it = strings_.emplace(std::string(canonical_key), std::move(text)).first;
    }
    return it->second ? &*it->second : nullptr;
}

const FoldedText* EventView::body() const { return folded(kBodyKey); }

}  // namespace chat::push
