#include "http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace chat::daemon {

namespace {

HttpError client_error(unsigned status, const chat::Error& error, std::string_view fallback) {
    return {status, chat::matrix_errcode(error.code),
            error.message.empty() ? std::string(fallback) : error.message};
}

}  // namespace

HttpError to_http(const chat::Error& e) {
    // No `default:`: with -Werror=switch a new Errc does not compile until it
    // has a line here.
    using enum chat::Errc;
    switch (e.code) {
    case bad_json: return client_error(400, e, "Bad JSON");
    case not_json: return client_error(400, e, "Content not JSON");
    case invalid_param: return client_error(400, e, "Invalid parameter");
    case missing_param: return client_error(400, e, "Missing parameter");
    case forbidden: return client_error(403, e, "Forbidden");
    case not_found: return client_error(404, e, "Not found");
    case too_large: return client_error(413, e, "Request too large");
    case missing_token: return client_error(401, e, "Missing access token");
    case unknown_token: return client_error(401, e, "Unknown access token");
    case limit_exceeded: return client_error(429, e, "Too many requests");
    case unrecognized: return client_error(404, e, "Unrecognized request");
    case invalid_username: return client_error(400, e, "Invalid username");
    case user_in_use: return client_error(400, e, "User ID already taken");
    case unsupported_room_version: return client_error(400, e, "Unsupported room version");
    case unknown: return client_error(400, e, "Bad request");
    case room_in_use: return client_error(409, e, "Room alias already taken");
    case cannot_overwrite_media: return client_error(409, e, "Media already uploaded");
    case not_yet_uploaded: return client_error(504, e, "Media not yet uploaded");
    case invalid_signature: return client_error(400, e, "Invalid signature");
    case remote_unavailable: return {502, "M_UNKNOWN", "A remote server did not answer."};
    case storage:
    case crypto:
    case internal: return {500, "M_UNKNOWN", "Internal server error."};
    }
    return {500, "M_UNKNOWN", "Internal server error."};  // unreachable
}

Reply error_reply(const HttpError& error) {
    return Reply::json({{"errcode", error.errcode}, {"error", error.message}}, error.status);
}

}  // namespace chat::daemon
