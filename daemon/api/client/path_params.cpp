#include "api/client/path_params.hpp"

namespace chat::daemon {

Result<RoomId> room_param(const Request& request) {
    auto room_id = RoomId::parse(request.path_param("roomId"));
    if (!room_id) return make_error(Errc::invalid_param, "Invalid room ID");
    return std::move(*room_id);
}

}  // namespace chat::daemon
