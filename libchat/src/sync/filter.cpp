#include <chat/sync/filter.hpp>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <utility>

#include <chat/json/parse.hpp>

namespace chat::sync {

namespace {

Error bad(std::string_view where, std::string_view what) {
    return make_error(Errc::bad_json,
                      "Invalid filter: '" + std::string(where) + "' " + std::string(what));
}

// The member `key` of `obj`, or null when absent or null (clients may send
// null for "not set").
const nlohmann::json* member(const nlohmann::json& obj, std::string_view key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

using Check = bool (*)(std::string_view);

bool any_string(std::string_view) {
    return true;
}
bool room_id_like(std::string_view s) {
    return !s.empty() && s.front() == '!';
}

Result<std::optional<std::vector<std::string>>> string_list(const nlohmann::json& obj,
                                                            std::string_view key,
                                                            Check check = any_string) {
    const nlohmann::json* value = member(obj, key);
    if (!value) return std::optional<std::vector<std::string>>();
    if (!value->is_array()) return bad(key, "must be a list of strings");
    if (value->size() > kMaxFilterListEntries) return bad(key, "has too many entries");
    std::vector<std::string> out;
    out.reserve(value->size());
    for (const auto& item : *value) {
        if (!item.is_string()) return bad(key, "must be a list of strings");
        const auto& text = item.get_ref<const std::string&>();
        if (!check(text)) return bad(key, "holds an invalid identifier");
        out.push_back(text);
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<StringSet>> string_set(const nlohmann::json& obj, std::string_view key,
                                            Check check = any_string) {
    auto list = string_list(obj, key, check);
    if (!list) return list.error();
    if (!*list) return std::optional<StringSet>();
    return std::optional<StringSet>(StringSet(std::make_move_iterator((*list)->begin()),
                                              std::make_move_iterator((*list)->end())));
}

Result<std::optional<bool>> boolean(const nlohmann::json& obj, std::string_view key) {
    const nlohmann::json* value = member(obj, key);
    if (!value) return std::optional<bool>();
    if (!value->is_boolean()) return bad(key, "must be a boolean");
    return std::optional<bool>(value->get<bool>());
}

// The object at `key` (an empty one when absent).
Result<const nlohmann::json*> object_at(const nlohmann::json& obj, std::string_view key) {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    const nlohmann::json* value = member(obj, key);
    if (!value) return &kEmpty;
    if (!value->is_object()) return bad(key, "must be an object");
    return value;
}

Result<void> read_event_filter(const nlohmann::json& obj, EventFilter& out) {
    if (const nlohmann::json* limit = member(obj, "limit")) {
        if (!limit->is_number_integer()) return bad("limit", "must be an integer");
        const auto n = limit->get<std::int64_t>();
        if (n < 0) return make_error(Errc::invalid_param, "Invalid filter: 'limit' is negative");
        out.limit = n;
    }
    auto types = string_list(obj, "types");
    if (!types) return types.error();
    out.types = std::move(*types);
    auto not_types = string_list(obj, "not_types");
    if (!not_types) return not_types.error();
    if (*not_types) out.not_types = std::move(**not_types);
    auto senders = string_set(obj, "senders");
    if (!senders) return senders.error();
    out.senders = std::move(*senders);
    auto not_senders = string_set(obj, "not_senders");
    if (!not_senders) return not_senders.error();
    if (*not_senders) out.not_senders = std::move(**not_senders);
    return ok();
}

Result<void> read_rooms(const nlohmann::json& obj, std::optional<StringSet>& rooms,
                        StringSet& not_rooms) {
    auto in = string_set(obj, "rooms", room_id_like);
    if (!in) return in.error();
    rooms = std::move(*in);
    auto out = string_set(obj, "not_rooms", room_id_like);
    if (!out) return out.error();
    if (*out) not_rooms = std::move(**out);
    return ok();
}

Result<void> read_room_event_filter(const nlohmann::json& parent, std::string_view key,
                                    RoomEventFilter& out) {
    auto obj = object_at(parent, key);
    if (!obj) return obj.error();
    const nlohmann::json& f = **obj;
    if (auto r = read_event_filter(f, out); !r) return r.error();
    if (auto r = read_rooms(f, out.rooms, out.not_rooms); !r) return r.error();
    for (auto [name, field] :
         {std::pair{"lazy_load_members", &out.lazy_load_members},
          std::pair{"include_redundant_members", &out.include_redundant_members},
          std::pair{"unread_thread_notifications", &out.unread_thread_notifications}}) {
        auto flag = boolean(f, name);
        if (!flag) return flag.error();
        *field = flag->value_or(false);
    }
    auto contains_url = boolean(f, "contains_url");
    if (!contains_url) return contains_url.error();
    out.contains_url = *contains_url;
    return ok();
}

bool allowed(const std::optional<StringSet>& in, const StringSet& out, std::string_view value) {
    if (out.contains(value)) return false;
    return !in || in->contains(value);
}

// One property name of a dot-separated path, unescaped, and the rest.
std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '\\' && i + 1 < path.size() && (path[i + 1] == '.' || path[i + 1] == '\\')) {
            parts.back() += path[++i];
        } else if (c == '.') {
            parts.emplace_back();
        } else {
            parts.back() += c;  // other escapes are literal (spec appendices)
        }
    }
    return parts;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view type) {
    // Greedy matching with one resume point: on a mismatch after a '*', let
    // that '*' swallow one more character. O(pattern * type) at worst.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < type.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && pattern[p] == type[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool EventFilter::matches_type(std::string_view type) const {
    auto hit = [&](const std::string& pattern) { return glob_match(pattern, type); };
    if (std::any_of(not_types.begin(), not_types.end(), hit)) return false;
    return !types || std::any_of(types->begin(), types->end(), hit);
}

bool EventFilter::matches_sender(std::string_view sender) const {
    return allowed(senders, not_senders, sender);
}

bool RoomEventFilter::matches_room(std::string_view room_id) const {
    return allowed(rooms, not_rooms, room_id);
}

bool RoomEventFilter::matches(std::string_view type, std::string_view sender,
                              std::string_view room_id, const nlohmann::json* content) const {
    if (!EventFilter::matches(type, sender) || !matches_room(room_id)) return false;
    if (contains_url) {
        const bool has_url = content && content->is_object() && content->contains("url");
        if (has_url != *contains_url) return false;
    }
    return true;
}

bool RoomEventFilter::matches(const store::StoredEvent& ev) const {
    const auto content = ev.json.find("content");
    return matches(ev.type, ev.sender.str(), ev.room_id.str(),
                   content == ev.json.end() ? nullptr : &*content);
}

bool RoomFilter::matches_room(std::string_view room_id) const {
    return allowed(rooms, not_rooms, room_id);
}

Result<Filter> Filter::from_json(const nlohmann::json& json) {
    if (!json.is_object()) return bad("filter", "must be an object");
    Filter filter;
    filter.original = json;

    auto fields = string_list(json, "event_fields");
    if (!fields) return fields.error();
    filter.event_fields = std::move(*fields);

    if (const nlohmann::json* format = member(json, "event_format")) {
        if (*format == "client")
            filter.event_format = EventFormat::client;
        else if (*format == "federation")
            filter.event_format = EventFormat::federation;
        else
            return bad("event_format", "must be \"client\" or \"federation\"");
    }

    for (auto [key, target] : {std::pair{"presence", &filter.presence},
                               std::pair{"account_data", &filter.account_data}}) {
        auto obj = object_at(json, key);
        if (!obj) return obj.error();
        if (auto r = read_event_filter(**obj, *target); !r) return r.error();
    }

    auto room = object_at(json, "room");
    if (!room) return room.error();
    const nlohmann::json& r = **room;
    if (auto read = read_rooms(r, filter.room.rooms, filter.room.not_rooms); !read)
        return read.error();
    auto include_leave = boolean(r, "include_leave");
    if (!include_leave) return include_leave.error();
    filter.room.include_leave = include_leave->value_or(false);
    for (auto [key, target] :
         {std::pair{"timeline", &filter.room.timeline}, std::pair{"state", &filter.room.state},
          std::pair{"ephemeral", &filter.room.ephemeral},
          std::pair{"account_data", &filter.room.account_data}}) {
        if (auto read = read_room_event_filter(r, key, *target); !read) return read.error();
    }
    return filter;
}

std::size_t Filter::timeline_limit() const {
    if (!room.timeline.limit) return kDefaultTimelineLimit;
    return static_cast<std::size_t>(
        std::min<std::int64_t>(*room.timeline.limit, static_cast<std::int64_t>(kMaxTimelineLimit)));
}

nlohmann::json apply_event_fields(const nlohmann::json& event,
                                  std::span<const std::string> fields) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& path : fields) {
        const auto parts = split_path(path);
        const nlohmann::json* from = &event;
        bool found = true;
        for (const auto& part : parts) {
            if (!from->is_object()) {
                found = false;
                break;
            }
            auto it = from->find(part);
            if (it == from->end()) {
                found = false;
                break;
            }
            from = &*it;
        }
        if (!found) continue;
        nlohmann::json* to = &out;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            nlohmann::json& next = (*to)[parts[i]];
            if (!next.is_object()) next = nlohmann::json::object();
            to = &next;
        }
        (*to)[parts.back()] = *from;
    }
    return out;
}

Result<Filter> load_filter(store::ReadTxn& txn, const UserId& user, std::string_view param) {
    if (!param.empty() && param.front() == '{') {
        auto json = json::parse(param);
        if (!json) return json.error();
        return Filter::from_json(*json);
    }
    std::int64_t id = -1;
    auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), id);
    if (param.empty() || ec != std::errc() || end != param.data() + param.size() || id < 0 ||
        param.front() == '+')
        return make_error(Errc::invalid_param, "Invalid filter ID");
    auto stored = txn.filters().get(user, id);
    if (!stored) return stored.error();
    if (!*stored) return make_error(Errc::not_found, "No such filter");
    return Filter::from_json(**stored);
}

}  // namespace chat::sync
