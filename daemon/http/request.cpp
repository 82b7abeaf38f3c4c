#include "http/request.hpp"

#include <cassert>

#include <nlohmann/json.hpp>

#include <chat/json/parse.hpp>

namespace chat::daemon {

namespace {

// RFC 9112 section 3.2.2: a server must accept the absolute form
// ("http://host/path?q") as well as the origin form ("/path?q").
std::string_view path_and_query(std::string_view target) noexcept {
    if (target.starts_with('/')) return target;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() &&
            header_name_equal(target.substr(0, scheme.size()), scheme)) {
            auto rest = target.substr(scheme.size());
            auto slash = rest.find('/');
            return slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
        }
    }
    return {};
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding, forgiving: a bad escape stays
// as written rather than failing the whole request.
std::string decode_query_component(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() &&
                   hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Calls `on(name, value)` for each "name=value" pair of a query, undecoded.
template <typename F>
void for_each_query_pair(std::string_view query, F&& on) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        on(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    }
}

}  // namespace

std::optional<std::string> Request::query(std::string_view name) const {
    std::optional<std::string> found;
    for_each_query_pair(raw_query_, [&](std::string_view key, std::string_view value) {
        if (!found && decode_query_component(key) == name) found = decode_query_component(value);
    });
    return found;
}

std::vector<std::string> Request::query_all(std::string_view name) const {
    std::vector<std::string> values;
    for_each_query_pair(raw_query_, [&](std::string_view key, std::string_view value) {
        if (decode_query_component(key) == name) values.push_back(decode_query_component(value));
    });
    return values;
}

Result<nlohmann::json> Request::json_object(bool empty_is_object, bool allow_fractions) const {
    if (empty_is_object && body_.find_first_not_of(" \t\r\n") == std::string::npos)
        return nlohmann::json::object();
    auto parsed = chat::json::parse(
        body_, {.numbers = allow_fractions ? chat::json::Numbers::lenient : chat::json::Numbers::strict});
    if (!parsed) return parsed.error();
    if (!parsed->is_object())
        return make_error(Errc::bad_json, "The request body must be a JSON object");
    return std::move(*parsed);
}

const Requester& Request::requester() const noexcept {
    assert(requester_ && "requester(): the handler did not authenticate the request");
    return *requester_;
}

std::string_view to_string(Method method) noexcept {
    switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::delete_: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::patch: return "PATCH";
    case Method::other: return "OTHER";
    }
    return "OTHER";
}

Method parse_method(std::string_view text) noexcept {
    if (text == "GET") return Method::get;
    if (text == "HEAD") return Method::head;
    if (text == "POST") return Method::post;
    if (text == "PUT") return Method::put;
    if (text == "DELETE") return Method::delete_;
    if (text == "OPTIONS") return Method::options;
    if (text == "PATCH") return Method::patch;
    return Method::other;
}

Request::Request(Method method, std::string target, std::vector<Header> headers, std::string body,
                 const Services& services)
    : method_(method),
      target_(std::move(target)),
      headers_(std::move(headers)),
      body_(std::move(body)),
      services_(&services) {
    auto path = path_and_query(target_);
    auto question = path.find('?');
    raw_path_ = path.substr(0, question);
    if (question != std::string_view::npos) raw_query_ = path.substr(question + 1);
}

std::string_view Request::header(std::string_view name) const noexcept {
    for (const auto& h : headers_)
        if (header_name_equal(h.name, name)) return h.value;
    return {};
}

bool Request::has_path_param(std::string_view name) const noexcept {
    for (const auto& [key, value] : path_params_)
        if (key == name) return true;
    return false;
}

std::string_view Request::path_param(std::string_view name) const noexcept {
    for (const auto& [key, value] : path_params_)
        if (key == name) return value;
    assert(false && "path_param: the matched route has no such parameter");
    return {};
}

bool header_name_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace chat::daemon
