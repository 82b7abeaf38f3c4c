#include "routing/admin_routes.hpp"

#include "api/admin/registration_tokens.hpp"
#include "api/admin/rooms.hpp"
#include "api/admin/server.hpp"
#include "api/admin/users.hpp"

namespace chat::daemon {

void add_admin_routes(Router& router) {
    using enum Method;
    // Users: api/admin/users.cpp
    router.add(get, "/_synapse/admin/v2/users", get_admin_users);
    router.add(get, "/_synapse/admin/v2/users/{userId}", get_admin_user);
    router.add(put, "/_synapse/admin/v2/users/{userId}", put_admin_user);
    router.add(get, "/_synapse/admin/v2/users/{userId}/devices", get_admin_user_devices);
    router.add(post, "/_synapse/admin/v1/deactivate/{userId}", post_admin_deactivate);
    router.add(post, "/_synapse/admin/v1/reset_password/{userId}", post_admin_reset_password);
    router.add(get, "/_synapse/admin/v1/users/{userId}/admin", get_admin_user_admin);
    router.add(put, "/_synapse/admin/v1/users/{userId}/admin", put_admin_user_admin);
    router.add(get, "/_synapse/admin/v1/whois/{userId}", get_admin_whois);

    // Rooms: api/admin/rooms.cpp
    router.add(get, "/_synapse/admin/v1/rooms", get_admin_rooms);
    router.add(get, "/_synapse/admin/v1/rooms/{roomId}", get_admin_room);
    router.add(get, "/_synapse/admin/v1/rooms/{roomId}/members", get_admin_room_members);
    router.add(get, "/_synapse/admin/v1/rooms/{roomId}/state", get_admin_room_state);
    router.add(delete_, "/_synapse/admin/v2/rooms/{roomId}", delete_admin_room);
    router.add(get, "/_synapse/admin/v2/rooms/{roomId}/delete_status",
               get_admin_room_delete_status);
    router.add(get, "/_synapse/admin/v2/rooms/delete_status/{deleteId}", get_admin_delete_status);

    // Registration tokens: api/admin/registration_tokens.cpp
    router.add(get, "/_synapse/admin/v1/registration_tokens", get_admin_registration_tokens);
    router.add(post, "/_synapse/admin/v1/registration_tokens/new", post_admin_registration_token);
    router.add(get, "/_synapse/admin/v1/registration_tokens/{token}",
               get_admin_registration_token);
    router.add(put, "/_synapse/admin/v1/registration_tokens/{token}",
               put_admin_registration_token);
    router.add(delete_, "/_synapse/admin/v1/registration_tokens/{token}",
               delete_admin_registration_token);

    // Server: api/admin/server.cpp
    router.add(get, "/_synapse/admin/v1/server_version", get_admin_server_version);
    router.add(get, "/_chatd/admin/v1/statistics", get_admin_statistics);
}

}  // namespace chat::daemon
