#pragma once

#include <string>
#include <string_view>

#include <chat/core/error.hpp>

#include "http/reply.hpp"

namespace chat::daemon {

// A Matrix error as it goes on the wire: HTTP status, errcode, message.
struct HttpError {
    unsigned status;
    std::string_view errcode;  // always a static string ("M_FORBIDDEN")
    std::string message;
};

// The one mapping from our error vocabulary to Client-Server API errors
// (spec client-server.md 0.3). Client-facing codes keep their message;
// server-side codes become a fixed M_UNKNOWN text, since their detail is for
// operators (it is logged by dispatch(), never sent).
HttpError to_http(const chat::Error& error);

// {"errcode": ..., "error": ...} with the status and Content-Type.
Reply error_reply(const HttpError& error);
inline Reply error_reply(const chat::Error& error) { return error_reply(to_http(error)); }

}  // namespace chat::daemon
