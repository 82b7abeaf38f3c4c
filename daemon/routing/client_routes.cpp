#include "routing/client_routes.hpp"

#include <string>

#include "api/client/rooms_create.hpp"
#include "api/client/rooms_membership.hpp"
#include "api/client/rooms_send.hpp"
#include "api/client/versions.hpp"
#include "api/client/well_known.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

namespace {

// Registers `path` under /_matrix/client/v3 and under the legacy r0 prefix,
// which matrix-nio and other older clients still call (issue 4 point 9).
void add_v3(Router& router, Method method, std::string_view path, Handler handler) {
    router.add(method, std::string("/_matrix/client/v3") + std::string(path), handler);
    router.add(method, std::string("/_matrix/client/r0") + std::string(path), handler);
}

}  // namespace

void add_client_routes(Router& router) {
    using enum Method;
    router.add(get, "/.well-known/matrix/client", get_well_known_client);
    router.add(get, "/_matrix/client/versions", get_versions);

    // Rooms: api/client/rooms_*.cpp
    add_v3(router, post, "/createRoom", post_create_room);
    add_v3(router, post, "/join/{roomIdOrAlias}", post_join);
    add_v3(router, post, "/knock/{roomIdOrAlias}", post_knock);
    add_v3(router, post, "/rooms/{roomId}/join", post_room_join);
    add_v3(router, post, "/rooms/{roomId}/invite", post_room_invite);
    add_v3(router, post, "/rooms/{roomId}/leave", post_room_leave);
    add_v3(router, post, "/rooms/{roomId}/forget", post_room_forget);
    add_v3(router, post, "/rooms/{roomId}/kick", post_room_kick);
    add_v3(router, post, "/rooms/{roomId}/ban", post_room_ban);
    add_v3(router, post, "/rooms/{roomId}/unban", post_room_unban);
    add_v3(router, put, "/rooms/{roomId}/send/{eventType}/{txnId}", put_room_send);
    add_v3(router, put, "/rooms/{roomId}/state/{eventType}", put_room_state_empty_key);
    add_v3(router, put, "/rooms/{roomId}/state/{eventType}/{stateKey}", put_room_state);
    add_v3(router, put, "/rooms/{roomId}/redact/{eventId}/{txnId}", put_room_redact);
}

}  // namespace chat::daemon
