#include "api/client/search.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/visibility.hpp>
#include <chat/store/search.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/client_event.hpp>
#include <chat/sync/filter.hpp>
#include <chat/sync/sync_token.hpp>

#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Results per page when the filter names no limit (as Synapse), and the most
// a filter may ask for.
constexpr std::size_t kDefaultSearchResults = 10;
constexpr std::size_t kMaxSearchResults = 100;
// Context events on each side of a result: the spec's default, and our cap.
constexpr std::int64_t kDefaultContextEvents = 5;
constexpr std::int64_t kMaxContextEvents = 50;
// `count` is exact up to this many matches, and says this many beyond.
constexpr std::int64_t kSearchCountCap = 1000;

struct ContextRequest {
    std::size_t before = kDefaultContextEvents;
    std::size_t after = kDefaultContextEvents;
    bool include_profile = false;
};

// The room_events criteria of a POST /search body.
struct RoomEventsRequest {
    std::vector<std::string> terms;
    std::vector<std::string> keys;
    sync::RoomEventFilter filter;
    std::size_t limit = kDefaultSearchResults;
    store::SearchOrder order = store::SearchOrder::rank;
    std::optional<ContextRequest> context;
    bool include_state = false;
    bool group_by_room = false;
    bool group_by_sender = false;
};

// next_batch: "r<offset>" continues a rank-ordered search after `offset`
// results; "b<ordering>" a recent-ordered one below that stream ordering.
// Opaque to clients; they send the same request again with it.
struct SearchBatch {
    store::SearchOrder order = store::SearchOrder::rank;
    std::int64_t value = 0;

    std::string str() const {
        return (order == store::SearchOrder::rank ? "r" : "b") + std::to_string(value);
    }
    static Result<SearchBatch> parse(std::string_view text) {
        auto bad = make_error(Errc::invalid_param, "Invalid next_batch");
        if (text.size() < 2 || (text[0] != 'r' && text[0] != 'b')) return bad;
        SearchBatch batch{text[0] == 'r' ? store::SearchOrder::rank : store::SearchOrder::recent};
        auto digits = text.substr(1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), batch.value);
        if (ec != std::errc{} || end != digits.data() + digits.size()) return bad;
        if (batch.order == store::SearchOrder::rank && batch.value < 0) return bad;
        return batch;
    }
};

Result<std::size_t> context_limit(const nlohmann::json& context, std::string_view field) {
    auto value = optional_integer(context, field);
    if (!value) return value.error();
    if (!*value) return static_cast<std::size_t>(kDefaultContextEvents);
    if (**value < 0)
        return make_error(Errc::invalid_param, "'" + std::string(field) + "' must not be negative");
    return static_cast<std::size_t>(std::min(**value, kMaxContextEvents));
}

Result<RoomEventsRequest> parse_room_events(const nlohmann::json& criteria) {
    RoomEventsRequest out;
    auto term = required_string(criteria, "search_term");
    if (!term) return term.error();
    out.terms = store::search_terms(*term);

    auto keys = optional_string_list(criteria, "keys");
    if (!keys) return keys.error();
    for (const auto& key : *keys)
        if (!store::search_key_type(key))
            return make_error(Errc::invalid_param, "Unknown search key '" + key + "'");
    out.keys = std::move(*keys);

    auto filter = optional_object(criteria, "filter");
    if (!filter) return filter.error();
    if (*filter) {
        // A RoomEventFilter, read through the sync filter parser.
        auto full = sync::Filter::from_json({{"room", {{"timeline", std::move(**filter)}}}});
        if (!full) return full.error();
        out.filter = std::move(full->room.timeline);
        if (out.filter.limit)
            out.limit = std::clamp<std::size_t>(static_cast<std::size_t>(*out.filter.limit), 1,
                                                kMaxSearchResults);
    }

    auto order = optional_string(criteria, "order_by");
    if (!order) return order.error();
    if (*order && **order == "recent")
        out.order = store::SearchOrder::recent;
    else if (*order && **order != "rank")
        return make_error(Errc::invalid_param, "'order_by' must be rank or recent");

    auto context = optional_object(criteria, "event_context");
    if (!context) return context.error();
    if (*context) {
        ContextRequest c;
        auto before = context_limit(**context, "before_limit");
        if (!before) return before.error();
        auto after = context_limit(**context, "after_limit");
        if (!after) return after.error();
        auto profile = optional_bool(**context, "include_profile");
        if (!profile) return profile.error();
        c.before = *before;
        c.after = *after;
        c.include_profile = profile->value_or(false);
        out.context = c;
    }

    auto include_state = optional_bool(criteria, "include_state");
    if (!include_state) return include_state.error();
    out.include_state = include_state->value_or(false);

    auto groupings = optional_object(criteria, "groupings");
    if (!groupings) return groupings.error();
    if (*groupings) {
        auto group_by = (*groupings)->find("group_by");
        if (group_by != (*groupings)->end() && !group_by->is_null()) {
            if (!group_by->is_array())
                return make_error(Errc::bad_json, "'group_by' must be a list");
            for (const auto& group : *group_by) {
                if (!group.is_object())
                    return make_error(Errc::bad_json, "'group_by' entries must be objects");
                auto key = required_string(group, "key");
                if (!key) return key.error();
                if (*key == "room_id")
                    out.group_by_room = true;
                else if (*key == "sender")
                    out.group_by_sender = true;
                else
                    return make_error(Errc::invalid_param, "Unknown group key '" + *key + "'");
            }
        }
    }
    return out;
}

sync::ClientEventContext client_context(const Request& request) {
    return sync::ClientEventContext{.now_ts = request.services().clock->now_ms(),
                                    .viewer = &request.requester().user_id,
                                    .viewer_device = request.requester().device_id,
                                    .include_room_id = true};
}

// The users in the requester's m.ignored_user_list: their events are never
// shown to the requester, search included.
Result<std::set<std::string, std::less<>>> ignored_users(store::ReadTxn& txn, const UserId& user) {
    std::set<std::string, std::less<>> ignored;
    auto row = txn.account_data().get(user, std::nullopt, "m.ignored_user_list");
    if (!row) return row.error();
    if (!*row) return ignored;
    auto users = (*row)->content.find("ignored_users");
    if (users == (*row)->content.end() || !users->is_object()) return ignored;
    for (auto it = users->begin(); it != users->end(); ++it) ignored.insert(it.key());
    return ignored;
}

// What decides whether an event reaches the requester: the request's
// filter, their ignore list, and history visibility.
struct Viewer {
    const sync::RoomEventFilter& filter;
    std::set<std::string, std::less<>> ignored;

    Result<bool> sees(store::ReadTxn& txn, const UserId& user,
                      const store::StoredEvent& event) const {
        if (!filter.matches(event) || ignored.contains(event.sender.str())) return false;
        return rooms::may_see_event(txn, user, event);
    }
};

// The events the requester may see, formatted, in order.
Result<nlohmann::json> visible_events(store::ReadTxn& txn, const Request& request,
                                      const Viewer& viewer,
                                      const std::vector<store::StoredEvent>& events) {
    auto out = nlohmann::json::array();
    for (const auto& event : events) {
        auto visible = viewer.sees(txn, request.requester().user_id, event);
        if (!visible) return visible.error();
        if (!*visible) continue;
        auto formatted = sync::load_client_event(txn, event, client_context(request));
        if (!formatted) return formatted.error();
        out.push_back(std::move(*formatted));
    }
    return out;
}

// displayname and avatar_url of `sender`'s member event in the state before
// `event`: the spec's "historic profile information".
Result<nlohmann::json> profile_at(store::ReadTxn& txn, const store::StoredEvent& event,
                                  std::string_view sender) {
    auto profile = nlohmann::json::object();
    if (!event.state_group_before) return profile;
    auto id = txn.state().state_entry_at(*event.state_group_before, "m.room.member", sender);
    if (!id) return id.error();
    if (!*id) return profile;
    auto member = txn.events().get(**id);
    if (!member) return member.error();
    if (!*member) return profile;
    auto content = (*member)->json.find("content");
    if (content == (*member)->json.end() || !content->is_object()) return profile;
    for (const char* field : {"displayname", "avatar_url"}) {
        auto it = content->find(field);
        if (it != content->end() && it->is_string()) profile[field] = *it;
    }
    return profile;
}

// The spec's "context" of one result: events either side in its room, the
// pagination tokens around them, and optionally the senders' profiles.
Result<nlohmann::json> result_context(store::ReadTxn& txn, const Request& request,
                                      const RoomEventsRequest& criteria, const Viewer& viewer,
                                      const store::StoredEvent& event) {
    const auto& wanted = *criteria.context;
    const auto at = event.stream_ordering;
    std::vector<store::StoredEvent> before, after;
    if (wanted.before > 0) {
        auto got = txn.events().room_events({.room_id = event.room_id, .to = at - 1,
                                             .direction = store::Direction::backward,
                                             .limit = wanted.before});
        if (!got) return got.error();
        before = std::move(*got);
    }
    if (wanted.after > 0) {
        auto got = txn.events().room_events({.room_id = event.room_id, .from = at,
                                             .direction = store::Direction::forward,
                                             .limit = wanted.after});
        if (!got) return got.error();
        after = std::move(*got);
    }
    auto before_json = visible_events(txn, request, viewer, before);
    if (!before_json) return before_json.error();
    auto after_json = visible_events(txn, request, viewer, after);
    if (!after_json) return after_json.error();
    const auto start = before.empty() ? at - 1 : before.back().stream_ordering - 1;
    const auto end = after.empty() ? at : after.back().stream_ordering;
    nlohmann::json context = {{"events_before", std::move(*before_json)},
                              {"events_after", std::move(*after_json)},
                              {"start", sync::PaginationToken{start}.str()},
                              {"end", sync::PaginationToken{end}.str()}};
    if (wanted.include_profile) {
        std::set<std::string> senders{std::string(event.sender.str())};
        for (const auto* list : {&context["events_before"], &context["events_after"]})
            for (const auto& shown : *list)
                if (auto it = shown.find("sender"); it != shown.end() && it->is_string())
                    senders.insert(it->get<std::string>());
        auto profiles = nlohmann::json::object();
        for (const auto& sender : senders) {
            auto profile = profile_at(txn, event, sender);
            if (!profile) return profile.error();
            profiles[sender] = std::move(*profile);
        }
        context["profile_info"] = std::move(profiles);
    }
    return context;
}

Result<nlohmann::json> current_state_json(store::ReadTxn& txn, const Request& request,
                                          const RoomId& room_id) {
    auto state = rooms::readable_state(txn, request.requester().user_id, room_id);
    if (!state) return state.error();
    std::vector<EventId> ids;
    for (const auto& [key, id] : *state) ids.push_back(id);
    auto events = txn.events().get_many(ids);
    if (!events) return events.error();
    auto out = nlohmann::json::array();
    for (const auto& event : *events) {
        auto formatted = sync::load_client_event(txn, event, client_context(request));
        if (!formatted) return formatted.error();
        out.push_back(std::move(*formatted));
    }
    return out;
}

// One grouping: group value -> {results, order}, `order` being the rank of
// the group's first result in this page.
void add_to_group(nlohmann::json& groups, const std::string& value, const std::string& event_id) {
    if (!groups.contains(value))
        groups[value] = {{"results", nlohmann::json::array()},
                         {"order", static_cast<std::int64_t>(groups.size()) + 1}};
    groups[value]["results"].push_back(event_id);
}

// The room_events category: the work of one read transaction.
Result<nlohmann::json> search_room_events(store::ReadTxn& txn, const Request& request,
                                          const RoomEventsRequest& criteria,
                                          const std::optional<SearchBatch>& batch) {
    const auto& user = request.requester().user_id;
    // Synapse's choice, which the spec's "rooms the user has been in" allows
    // us to narrow: the rooms the requester is joined to now, so that
    // neither results nor `count` tell anything of rooms they left.
    auto memberships = txn.members().rooms_for_user(user, "join");
    if (!memberships) return memberships.error();
    store::SearchQuery query{.terms = criteria.terms,
                             .keys = criteria.keys,
                             .order = criteria.order,
                             .limit = criteria.limit};
    for (const auto& row : *memberships)
        if (criteria.filter.matches_room(row.room_id.str())) query.rooms.push_back(row.room_id);
    if (batch) {
        if (batch->order == store::SearchOrder::rank)
            query.offset = static_cast<std::size_t>(batch->value);
        else
            query.before = batch->value;
    }

    auto ignored = ignored_users(txn, user);
    if (!ignored) return ignored.error();
    const Viewer viewer{criteria.filter, std::move(*ignored)};

    auto hits = txn.search().search(query);
    if (!hits) return hits.error();
    auto count = txn.search().count(query, kSearchCountCap);
    if (!count) return count.error();

    std::vector<EventId> ids;
    for (const auto& hit : *hits) ids.push_back(hit.event_id);
    auto events = txn.events().get_many(ids);
    if (!events) return events.error();
    std::map<EventId, const store::StoredEvent*> by_id;
    for (const auto& event : *events) by_id.emplace(event.event_id, &event);

    auto results = nlohmann::json::array();
    std::set<std::string> highlights;
    std::set<RoomId> rooms_seen;
    auto by_room = nlohmann::json::object();
    auto by_sender = nlohmann::json::object();
    for (const auto& hit : *hits) {
        auto found = by_id.find(hit.event_id);
        if (found == by_id.end()) continue;
        const auto& event = *found->second;
        // The filter's types, senders and contains_url, the ignore list and
        // history visibility apply after the index: a page may come out shorter.
        auto visible = viewer.sees(txn, user, event);
        if (!visible) return visible.error();
        if (!*visible) continue;
        auto formatted = sync::load_client_event(txn, event, client_context(request));
        if (!formatted) return formatted.error();
        nlohmann::json result = {{"rank", hit.rank}, {"result", std::move(*formatted)}};
        if (criteria.context) {
            auto context = result_context(txn, request, criteria, viewer, event);
            if (!context) return context.error();
            result["context"] = std::move(*context);
        }
        results.push_back(std::move(result));

        if (auto content = event.json.find("content"); content != event.json.end()) {
            if (auto text = store::searchable_text(event.type, *content))
                store::add_highlights(text->text, criteria.terms, highlights);
        }
        const std::string event_id(event.event_id.str());
        if (criteria.group_by_room) add_to_group(by_room, std::string(event.room_id.str()), event_id);
        if (criteria.group_by_sender) add_to_group(by_sender, std::string(event.sender.str()), event_id);
        rooms_seen.insert(event.room_id);
    }

    nlohmann::json out = {{"count", *count},
                          {"highlights", nlohmann::json(highlights)},
                          {"results", std::move(results)}};
    // A full page from the index may have more behind it; a short one is the end.
    if (hits->size() == criteria.limit) {
        SearchBatch next{criteria.order};
        next.value = criteria.order == store::SearchOrder::rank
                         ? static_cast<std::int64_t>(query.offset + hits->size())
                         : hits->back().stream_ordering;
        out["next_batch"] = next.str();
    }
    if (criteria.group_by_room || criteria.group_by_sender) {
        auto groups = nlohmann::json::object();
        if (criteria.group_by_room) groups["room_id"] = std::move(by_room);
        if (criteria.group_by_sender) groups["sender"] = std::move(by_sender);
        out["groups"] = std::move(groups);
    }
    if (criteria.include_state) {
        auto state = nlohmann::json::object();
        for (const auto& room_id : rooms_seen) {
            auto events_json = current_state_json(txn, request, room_id);
            if (!events_json) return events_json.error();
            state[std::string(room_id.str())] = std::move(*events_json);
        }
        out["state"] = std::move(state);
    }
    return out;
}

}  // namespace

Task<Result<Reply>> post_search(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto categories = body->find("search_categories");
    if (categories == body->end() || categories->is_null())
        co_return make_error(Errc::missing_param, "Missing 'search_categories'");
    if (!categories->is_object())
        co_return make_error(Errc::bad_json, "'search_categories' must be an object");
    auto room_events = optional_object(*categories, "room_events");
    if (!room_events) co_return room_events.error();
    // room_events is the only category the spec defines; others are ignored.
    if (!*room_events) co_return Reply::json({{"search_categories", nlohmann::json::object()}});
    auto criteria = parse_room_events(**room_events);
    if (!criteria) co_return criteria.error();

    std::optional<SearchBatch> batch;
    if (auto text = request.query("next_batch"); text && !text->empty()) {
        auto parsed = SearchBatch::parse(*text);
        if (!parsed) co_return parsed.error();
        if (parsed->order != criteria->order)
            co_return make_error(Errc::invalid_param, "next_batch is from another order_by");
        batch = *parsed;
    }

    const auto& services = request.services();
    auto found = co_await services.db->read(
        "search_room_events", [&](store::ReadTxn& txn) {
            return search_room_events(txn, request, *criteria, batch);
        });
    if (!found) co_return found.error();
    co_return Reply::json({{"search_categories", {{"room_events", std::move(*found)}}}});
}

Task<Result<Reply>> post_user_directory_search(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto term = required_string(*body, "search_term");
    if (!term) co_return term.error();
    auto limit = optional_integer(*body, "limit");
    if (!limit) co_return limit.error();
    if (*limit && **limit < 0) co_return make_error(Errc::invalid_param, "'limit' must not be negative");
    store::UserDirectoryQuery query{
        .requester = request.requester().user_id,
        .terms = store::search_terms(*term),
        .limit = static_cast<std::size_t>(std::min<std::int64_t>(
            limit->value_or(10), static_cast<std::int64_t>(store::kMaxDirectoryLimit)))};
    const auto& services = request.services();
    auto found = co_await services.db->read("user_directory_search", [&](store::ReadTxn& txn) {
        return txn.user_directory().search(query);
    });
    if (!found) co_return found.error();
    auto results = nlohmann::json::array();
    for (const auto& user : found->results) {
        nlohmann::json entry = {{"user_id", std::string(user.user_id.str())}};
        if (user.display_name) entry["display_name"] = *user.display_name;
        if (user.avatar_url) entry["avatar_url"] = *user.avatar_url;
        results.push_back(std::move(entry));
    }
    co_return Reply::json({{"results", std::move(results)}, {"limited", found->limited}});
}

}  // namespace chat::daemon
