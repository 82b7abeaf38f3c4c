#include "routing/federation_routes.hpp"

#include "api/federation/discovery.hpp"
#include "api/federation/keys.hpp"
#include "api/federation/media.hpp"
#include "api/federation/openid.hpp"
#include "api/federation/query.hpp"
#include "api/federation/room_events.hpp"
#include "api/federation/room_membership.hpp"
#include "api/federation/transactions.hpp"
#include "api/federation/user_keys.hpp"
#include "auth/authenticate_server.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

void add_federation_routes(Router& router) {
    using enum Method;
    // OpenID: api/federation/openid.cpp (called by integrations, not servers)
    router.add(get, "/_matrix/federation/v1/openid/userinfo", get_openid_userinfo);

    // Transport: api/federation/discovery.cpp, keys.cpp (no X-Matrix, by the spec)
    router.add(get, "/.well-known/matrix/server", get_well_known_server);
    router.add(get, "/_matrix/federation/v1/version", get_federation_version);
    router.add(get, "/_matrix/key/v2/server", get_key_server);
    router.add(get, "/_matrix/key/v2/query/{serverName}", get_key_query);
    router.add(post, "/_matrix/key/v2/query", post_key_query);

    // Queries and directory: api/federation/query.cpp (X-Matrix)
    router.add(get, "/_matrix/federation/v1/query/profile", with_server_auth<get_query_profile>);
    router.add(get, "/_matrix/federation/v1/query/directory",
               with_server_auth<get_query_directory>);
    router.add(get, "/_matrix/federation/v1/publicRooms",
               with_server_auth<get_federation_public_rooms>);
    router.add(post, "/_matrix/federation/v1/publicRooms",
               with_server_auth<post_federation_public_rooms>);

    // Rooms across servers: api/federation/transactions.cpp, room_membership.cpp,
    // room_events.cpp (X-Matrix)
    router.add(put, "/_matrix/federation/v1/send/{txnId}", with_server_auth<put_federation_send>);
    router.add(get, "/_matrix/federation/v1/make_join/{roomId}/{userId}",
               with_server_auth<get_make_join>);
    router.add(put, "/_matrix/federation/v2/send_join/{roomId}/{eventId}",
               with_server_auth<put_send_join_v2>);
    router.add(get, "/_matrix/federation/v1/make_leave/{roomId}/{userId}",
               with_server_auth<get_make_leave>);
    router.add(put, "/_matrix/federation/v2/send_leave/{roomId}/{eventId}",
               with_server_auth<put_send_leave_v2>);
    router.add(put, "/_matrix/federation/v2/invite/{roomId}/{eventId}",
               with_server_auth<put_invite_v2>);
    router.add(get, "/_matrix/federation/v1/make_knock/{roomId}/{userId}",
               with_server_auth<get_make_knock>);
    router.add(put, "/_matrix/federation/v1/send_knock/{roomId}/{eventId}",
               with_server_auth<put_send_knock>);
    router.add(get, "/_matrix/federation/v1/event/{eventId}",
               with_server_auth<get_federation_event>);
    router.add(get, "/_matrix/federation/v1/state/{roomId}",
               with_server_auth<get_federation_state>);
    router.add(get, "/_matrix/federation/v1/state_ids/{roomId}",
               with_server_auth<get_federation_state_ids>);
    router.add(get, "/_matrix/federation/v1/event_auth/{roomId}/{eventId}",
               with_server_auth<get_federation_event_auth>);
    router.add(post, "/_matrix/federation/v1/get_missing_events/{roomId}",
               with_server_auth<post_get_missing_events>);
    router.add(get, "/_matrix/federation/v1/backfill/{roomId}",
               with_server_auth<get_federation_backfill>);

    // Media: api/federation/media.cpp (X-Matrix)
    router.add(get, "/_matrix/federation/v1/media/download/{mediaId}",
               with_server_auth<get_federation_media_download>);
    router.add(get, "/_matrix/federation/v1/media/thumbnail/{mediaId}",
               with_server_auth<get_federation_media_thumbnail>);
    // End-to-end encryption keys: api/federation/user_keys.cpp (X-Matrix)
    router.add(get, "/_matrix/federation/v1/user/devices/{userId}",
               with_server_auth<get_federation_user_devices>);
    router.add(post, "/_matrix/federation/v1/user/keys/query",
               with_server_auth<post_federation_user_keys_query>);
    router.add(post, "/_matrix/federation/v1/user/keys/claim",
               with_server_auth<post_federation_user_keys_claim>);
}

}  // namespace chat::daemon
