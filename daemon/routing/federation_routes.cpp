#include "routing/federation_routes.hpp"

#include "api/federation/discovery.hpp"
#include "api/federation/keys.hpp"
#include "api/federation/openid.hpp"
#include "api/federation/query.hpp"
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
}

}  // namespace chat::daemon
