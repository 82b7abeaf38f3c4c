#include "http/dispatch.hpp"

#include <spdlog/logger.h>

#include "http/error_response.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

void add_cors_headers(Reply& reply) {
    reply.set_header("Access-Control-Allow-Origin", "*");
    reply.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    reply.set_header("Access-Control-Allow-Headers",
                     "X-Requested-With, Content-Type, Authorization");
}

namespace {

Task<Reply> route_and_handle(const Router& router, Request& request, spdlog::logger& log) {
    // A pre-flight never runs endpoint logic, whatever the path.
    if (request.method() == Method::options) co_return Reply::empty(204);

    if (request.raw_path().empty())
        co_return error_reply(HttpError{400, "M_UNKNOWN", "The request target must be a path"});

    auto match = router.match(request.method(), request.raw_path());
    switch (match.kind) {
    case RouteMatch::Kind::not_found:
        co_return error_reply(HttpError{404, "M_UNRECOGNIZED", "Unrecognized request"});
    case RouteMatch::Kind::method_not_allowed: {
        auto reply = error_reply(HttpError{405, "M_UNRECOGNIZED", "Unrecognized request"});
        reply.set_header("Allow", std::move(match.allow));
        co_return reply;
    }
    case RouteMatch::Kind::bad_path:
        co_return error_reply(
            HttpError{400, "M_INVALID_PARAM", "Malformed percent-encoding in the request path"});
    case RouteMatch::Kind::found: break;
    }

    request.set_path_params(std::move(match.params));
    auto result = co_await match.handler(request);
    if (result) co_return std::move(*result);

    const auto& error = result.error();
    auto http = to_http(error);
    if (http.status >= 500)
        log.error("{} {}: {} ({})", to_string(request.method()), request.raw_path(), error.message,
                  error.detail);
    else
        log.debug("{} {}: {} {}", to_string(request.method()), request.raw_path(), http.status,
                  error.message);
    co_return error_reply(http);
}

}  // namespace

Task<Reply> dispatch(const Router& router, Request& request, spdlog::logger& log) {
    auto reply = co_await route_and_handle(router, request, log);
    add_cors_headers(reply);
    co_return reply;
}

}  // namespace chat::daemon
