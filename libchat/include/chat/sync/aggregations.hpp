#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/events.hpp>
#include <chat/store/txn.hpp>
#include <chat/sync/client_event.hpp>

namespace chat::sync {

// The bundled aggregations of `ev` (spec client-server "Aggregations of child
// events"): the value of `unsigned["m.relations"]`, or none when there is
// nothing to bundle. State events get none (the spec says so).
//   m.replace    the most recent valid edit (greatest origin_server_ts, then
//                greatest event_id) as a full event; valid means same
//                sender, same type, not a state event, and `m.new_content`
//                (not checked for m.room.encrypted). None when `ev` is
//                redacted or is itself an edit. The original's content is
//                never rewritten (spec v1.7 and later).
//   m.thread     {latest_event (itself with m.replace and m.reference
//                bundled), count, current_user_participated}: participated
//                when ctx.viewer sent the root or a reply.
//   m.reference  {chunk: [{event_id}]}, oldest first, bounded.
// Children from ctx.ignored_senders are left out, and m.annotation is not
// aggregated. The events of `ev`'s room are trusted (stored); only their
// `content` is read defensively. A few indexed lookups when `ev` has
// children, one when it has none; blocks on the store. Errors: Errc::storage.
Result<std::optional<nlohmann::json>> bundled_aggregations(store::ReadTxn& txn,
                                                           const store::StoredEvent& ev,
                                                           const ClientEventContext& ctx);

// The users `user` ignores: the keys of `ignored_users` in their
// m.ignored_user_list account data (their own, but read defensively), for
// ClientEventContext::ignored_senders. Blocks on the store. Errors:
// Errc::storage.
Result<std::vector<std::string>> ignored_users(store::ReadTxn& txn, const UserId& user);

}  // namespace chat::sync
