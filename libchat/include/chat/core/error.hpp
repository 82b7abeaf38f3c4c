#pragma once

#include <string>
#include <string_view>

namespace chat {

// The error vocabulary of the whole project.
//
// Client-facing codes are named after the Matrix errcode they become at the
// HTTP edge (daemon/http/error_response.cpp holds the one mapping). Codes
// below `storage` are ours: clients see M_UNKNOWN and operators read
// Error::detail in the logs.
enum class Errc {
    // Sent to clients as the Matrix errcode of the same name.
    bad_json,        // M_BAD_JSON: well-formed JSON with a wrong shape or value
    not_json,        // M_NOT_JSON: not JSON at all, or JSON we refuse to read
    invalid_param,   // M_INVALID_PARAM
    missing_param,   // M_MISSING_PARAM
    forbidden,       // M_FORBIDDEN
    not_found,       // M_NOT_FOUND
    too_large,       // M_TOO_LARGE
    missing_token,   // M_MISSING_TOKEN
    unknown_token,   // M_UNKNOWN_TOKEN
    limit_exceeded,  // M_LIMIT_EXCEEDED
    unrecognized,    // M_UNRECOGNIZED
    invalid_username,     // M_INVALID_USERNAME
    user_in_use,          // M_USER_IN_USE
    unsupported_room_version,  // M_UNSUPPORTED_ROOM_VERSION
    unknown,  // M_UNKNOWN with 400: a bad request the spec names no errcode for (push rules)
    room_in_use,          // M_ROOM_IN_USE: a room alias that is taken
    // Media (content repository):
    cannot_overwrite_media,  // M_CANNOT_OVERWRITE_MEDIA: a create-then-upload id used twice
    not_yet_uploaded,        // M_NOT_YET_UPLOADED: a created id whose content never came
    invalid_signature,    // M_INVALID_SIGNATURE: an E2EE key signature that does not verify
    // Ours: clients see M_UNKNOWN.
    storage,
    crypto,
    remote_unavailable,
    internal,
};

// The Matrix errcode a client sees for `code` ("M_BAD_JSON", ...).
std::string_view matrix_errcode(Errc code) noexcept;

struct Error {
    Errc code;
    std::string message;  // safe to show to a client
    std::string detail;   // logged only: SQL, paths, remote replies
};

inline Error make_error(Errc code, std::string message, std::string detail = {}) {
    return Error{code, std::move(message), std::move(detail)};
}

}  // namespace chat
