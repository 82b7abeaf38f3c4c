#include <chat/core/error.hpp>

namespace chat {

std::string_view matrix_errcode(Errc code) noexcept {
    // No `default:` so that a new Errc does not compile until it has a line here.
    switch (code) {
    case Errc::bad_json: return "M_BAD_JSON";
    case Errc::not_json: return "M_NOT_JSON";
    case Errc::invalid_param: return "M_INVALID_PARAM";
    case Errc::missing_param: return "M_MISSING_PARAM";
    case Errc::forbidden: return "M_FORBIDDEN";
    case Errc::not_found: return "M_NOT_FOUND";
    case Errc::too_large: return "M_TOO_LARGE";
    case Errc::missing_token: return "M_MISSING_TOKEN";
    case Errc::unknown_token: return "M_UNKNOWN_TOKEN";
    case Errc::limit_exceeded: return "M_LIMIT_EXCEEDED";
    case Errc::unrecognized: return "M_UNRECOGNIZED";
    case Errc::invalid_username: return "M_INVALID_USERNAME";
    case Errc::user_in_use: return "M_USER_IN_USE";
    case Errc::unsupported_room_version: return "M_UNSUPPORTED_ROOM_VERSION";
    case Errc::room_in_use: return "M_ROOM_IN_USE";
    case Errc::cannot_overwrite_media: return "M_CANNOT_OVERWRITE_MEDIA";
    case Errc::not_yet_uploaded: return "M_NOT_YET_UPLOADED";
    case Errc::invalid_signature: return "M_INVALID_SIGNATURE";
    case Errc::unknown:
    case Errc::storage:
    case Errc::crypto:
    case Errc::remote_unavailable:
    case Errc::internal: return "M_UNKNOWN";
    }
    return "M_UNKNOWN";
}

}  // namespace chat
