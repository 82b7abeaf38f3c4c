#include "api/client/event_context.hpp"

#include <chat/sync/aggregations.hpp>

#include "services/services.hpp"

namespace chat::daemon {

Result<sync::ClientEventContext> client_context(store::ReadTxn& txn, const Request& request) {
    auto ignored = sync::ignored_users(txn, request.requester().user_id);
    if (!ignored) return ignored.error();
    sync::ClientEventContext ctx{.now_ts = request.services().clock->now_ms(),
                                 .viewer = &request.requester().user_id,
                                 .viewer_device = request.requester().device_id,
                                 .include_room_id = true};
    ctx.ignored_senders = std::move(*ignored);
    return ctx;
}

}  // namespace chat::daemon
