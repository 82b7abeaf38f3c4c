#include "http/request.hpp"

#include <cassert>

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

}  // namespace

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
