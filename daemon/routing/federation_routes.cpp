#include "routing/federation_routes.hpp"

#include "api/federation/openid.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

void add_federation_routes(Router& router) {
    using enum Method;
    // OpenID: api/federation/openid.cpp (called by integrations, not servers)
    router.add(get, "/_matrix/federation/v1/openid/userinfo", get_openid_userinfo);
}

}  // namespace chat::daemon
