#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <chat/core/result.hpp>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// An endpoint handler. A plain function, so it captures nothing (STYLE 3.4):
// everything it needs comes through the Request, which outlives the call.
using Handler = Task<Result<Reply>> (*)(Request& request);

// How the session hands a route its request body.
enum class BodyKind {
    in_memory,  // Request::body(), bounded by max_request_body_bytes
    // Request::body_file(): a temporary file under the media directory,
    // written as the bytes arrive and bounded by media.max_upload_bytes
    // (uploads). The session removes the file after the handler unless the
    // handler moved it away.
    to_file,
};

// The outcome of routing one request.
struct RouteMatch {
    enum class Kind {
        found,               // `handler` and `params` are set
        not_found,           // no route has this path: 404 M_UNRECOGNIZED
        method_not_allowed,  // the path exists for other methods: 405, `allow` lists them
        bad_path,            // malformed percent-encoding: 400 M_INVALID_PARAM
    };
    Kind kind = Kind::not_found;
    Handler handler = nullptr;
    std::vector<std::pair<std::string, std::string>> params;  // name, percent-decoded value
    std::string allow;  // "GET, HEAD, OPTIONS" for method_not_allowed
    BodyKind body = BodyKind::in_memory;  // for `found`
};

// Maps (method, path) to a handler. Built once at start-up, then read
// concurrently by every network thread without locks (match() is const).
//
// A pattern is a path whose segments are literals or "{name}" parameters:
// "/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}". Each request
// path segment is percent-decoded once, after splitting on '/', so "%2F"
// inside a parameter stays in that parameter. A trailing '/' is accepted
// where the pattern has none (spec client-server.md 0.1). HEAD is served by
// the GET route of the same path. When several patterns match, a literal
// segment beats a parameter at the first place where they differ.
class Router {
public:
    // Registers a route. A duplicate (method, pattern) is a bug (asserted).
    void add(Method method, std::string_view pattern, Handler handler,
             BodyKind body = BodyKind::in_memory);

    // `raw_path` is the request path before percent-decoding, without the query.
    RouteMatch match(Method method, std::string_view raw_path) const;

private:
    struct Segment {
        std::string text;  // the literal, or the parameter's name
        bool is_param = false;
    };
    struct Route {
        Method method;
        std::vector<Segment> segments;
        Handler handler;
        BodyKind body;
    };

    RouteMatch match_segments(Method method, const std::vector<std::string>& segments) const;

    std::vector<Route> routes_;
};

// Percent-decodes one path segment (RFC 3986 section 2.1). '+' stays '+'.
// std::nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace chat::daemon
