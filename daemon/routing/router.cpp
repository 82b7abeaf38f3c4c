#include "routing/router.hpp"

#include <algorithm>
#include <array>
#include <cassert>

namespace chat::daemon {

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. `path` starts with '/'.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    path.remove_prefix(1);
    for (;;) {
        auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

// The order methods are listed in an Allow header.
constexpr std::array kAllowOrder = {Method::get,     Method::head,  Method::post,   Method::put,
                                    Method::delete_, Method::patch, Method::options};

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        int high = hex_value(text[i + 1]);
        int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

void Router::add(Method method, std::string_view pattern, Handler handler, BodyKind body) {
    assert(pattern.starts_with('/') && handler != nullptr);
    Route route{method, {}, handler, body};
    for (auto segment : split_path(pattern)) {
        bool is_param = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
        if (is_param) segment = segment.substr(1, segment.size() - 2);
        route.segments.push_back({std::string(segment), is_param});
    }
    assert(std::none_of(routes_.begin(), routes_.end(), [&](const Route& r) {
        return r.method == method && r.segments.size() == route.segments.size() &&
               std::equal(r.segments.begin(), r.segments.end(), route.segments.begin(),
                          [](const Segment& a, const Segment& b) {
                              return a.is_param == b.is_param && (a.is_param || a.text == b.text);
                          });
    }));
    routes_.push_back(std::move(route));
}

RouteMatch Router::match(Method method, std::string_view raw_path) const {
    if (!raw_path.starts_with('/')) return {};
    std::vector<std::string> segments;
    for (auto raw : split_path(raw_path)) {
        auto decoded = percent_decode(raw);
        if (!decoded) return {.kind = RouteMatch::Kind::bad_path};
        segments.push_back(std::move(*decoded));
    }
    auto result = match_segments(method, segments);
    if (result.kind == RouteMatch::Kind::not_found && segments.size() > 1 &&
        segments.back().empty()) {
        segments.pop_back();
        result = match_segments(method, segments);
    }
    return result;
}

RouteMatch Router::match_segments(Method method, const std::vector<std::string>& segments) const {
    // Linear: a few hundred routes of a few segments each cost microseconds.
    // A trie can replace this without changing the interface.
    auto found = [&segments](const Route& route) {
        RouteMatch match{
            .kind = RouteMatch::Kind::found, .handler = route.handler, .body = route.body};
        for (std::size_t i = 0; i < segments.size(); ++i)
            if (route.segments[i].is_param)
                match.params.emplace_back(route.segments[i].text, segments[i]);
        return match;
    };
    // Where two patterns match, the one with a literal at the first segment
    // where they differ wins: "/keys/query" before "/keys/{anything}".
    auto more_specific = [](const Route& a, const Route& b) {
        for (std::size_t i = 0; i < a.segments.size(); ++i)
            if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
        return false;
    };
    const Route* best = nullptr;
    const Route* head_fallback = nullptr;
    std::vector<Method> allowed;
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        bool same_path = true;
        for (std::size_t i = 0; i < segments.size() && same_path; ++i)
            same_path = route.segments[i].is_param || route.segments[i].text == segments[i];
        if (!same_path) continue;

        if (route.method == method) {
            if (best == nullptr || more_specific(route, *best)) best = &route;
        } else if (method == Method::head && route.method == Method::get) {
            if (head_fallback == nullptr || more_specific(route, *head_fallback))
                head_fallback = &route;
        }
        allowed.push_back(route.method);
    }
    if (best != nullptr) return found(*best);
    if (head_fallback != nullptr) return found(*head_fallback);
    if (allowed.empty()) return {};

    // OPTIONS is answered for every path; HEAD wherever GET is.
    allowed.push_back(Method::options);
    if (std::find(allowed.begin(), allowed.end(), Method::get) != allowed.end())
        allowed.push_back(Method::head);
    RouteMatch refused{.kind = RouteMatch::Kind::method_not_allowed};
    for (auto m : kAllowOrder) {
        if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) continue;
        if (!refused.allow.empty()) refused.allow += ", ";
        refused.allow += to_string(m);
    }
    return refused;
}

}  // namespace chat::daemon
