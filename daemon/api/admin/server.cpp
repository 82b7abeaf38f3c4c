#include "api/admin/server.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/admin/admin_auth.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Task<Result<Reply>> get_admin_server_version(Request& /*request*/) {
    co_return Reply::json({{"server_version", CHATD_VERSION}, {"server", "chatd"}});
}

Task<Result<Reply>> get_admin_statistics(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    const auto& services = request.services();
    auto counts = co_await services.db->read("admin_statistics", [&](store::ReadTxn& txn) {
        return txn.admin().counts(services.server_name);
    });
    if (!counts) co_return counts.error();
    co_return Reply::json({{"users", counts->users},
                           {"active_users", counts->active_users},
                           {"rooms", counts->rooms},
                           {"events", counts->events},
                           {"local_media", counts->local_media}});
}

}  // namespace chat::daemon
