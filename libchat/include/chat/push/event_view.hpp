#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/push/glob.hpp>

namespace chat::push {

// A dot-separated property path (appendices § Dot-separated property paths),
// split into property names: "content.m\.relates_to.rel_type" is
// {"content", "m.relates_to", "rel_type"}. `\.` is a literal dot and `\\` a
// literal backslash; any other escape is kept as written (a backslash and the
// character). Untrusted input is fine; an empty key gives one empty name.
std::vector<std::string> split_key_path(std::string_view key);

// The path's canonical text: names joined by '.', with '.' and '\' in a name
// escaped. Two keys that name the same property give the same text.
std::string join_key_path(std::span<const std::string> names);

// The property at `path` in `root`, following objects only (a path cannot
// index arrays); null when any step is missing.
const nlohmann::json* find_property(const nlohmann::json& root,
                                    std::span<const std::string> path);

// One event prepared for evaluating push rules against it: built once per
// event, then shared by the evaluation of every member of the room.
//
// `event` is the event as clients see it (type, content, sender, state_key,
// room_id, ...); untrusted. It is borrowed and must outlive the view.
// A string property is folded (for event_match) the first time a rule asks
// for it, then kept: rules read a few properties (content.body, type,
// content.msgtype), not the hashes and signatures every event carries.
// Safe to share between threads (the kept foldings are guarded).
class EventView {
public:
    explicit EventView(const nlohmann::json& event);
    // The view borrows `event`: a temporary would dangle.
    explicit EventView(nlohmann::json&&) = delete;

    const nlohmann::json& json() const noexcept { return *event_; }
    // A property by its split path; null when absent.
    const nlohmann::json* find(std::span<const std::string> path) const {
        return find_property(*event_, path);
    }
    // A string property, case-folded, by its canonical path (join_key_path);
    // null when absent or not a string.
    const FoldedText* folded(std::string_view canonical_key) const;
    // content.body folded; null when it is not a string.
    const FoldedText* body() const;

    std::string_view sender() const noexcept { return sender_; }
    std::string_view room_id() const noexcept { return room_id_; }
    // Whether content has an `m.mentions` property (intentional mentions,
    // v1.7): the legacy body-matching mention rules are then skipped.
    bool has_mentions() const noexcept { return has_mentions_; }

private:
    const nlohmann::json* event_;
    mutable std::mutex mutex_;
    // By canonical path; none: absent or not a string. Entries are never
    // removed, so the pointers handed out stay valid.
    mutable std::map<std::string, std::optional<FoldedText>, std::less<>> strings_;
    std::string_view sender_;
    std::string_view room_id_;
    bool has_mentions_ = false;
};

}  // namespace chat::push
