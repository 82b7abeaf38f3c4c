#include "api/federation/discovery.hpp"

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Task<Result<Reply>> get_well_known_server(Request& request) {
    const auto& delegated = request.services().config->federation.well_known_server;
    if (delegated.empty()) co_return make_error(Errc::not_found, "No server delegation");
    co_return Reply::json({{"m.server", delegated}});
}

Task<Result<Reply>> get_federation_version(Request&) {
    co_return Reply::json({{"server", {{"name", "chatd"}, {"version", CHATD_VERSION}}}});
}

}  // namespace chat::daemon
