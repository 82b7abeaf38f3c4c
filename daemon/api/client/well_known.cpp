#include "api/client/well_known.hpp"

#include <nlohmann/json.hpp>

#include "services/services.hpp"

namespace chat::daemon {

// GET /.well-known/matrix/client
// Clients look this up on the server name's host, then check base_url by
// calling its /_matrix/client/versions. No m.identity_server: we run none.
Task<Result<Reply>> get_well_known_client(Request& request) {
    co_return Reply::json({
        {"m.homeserver", {{"base_url", request.services().public_baseurl}}},
    });
}

}  // namespace chat::daemon
