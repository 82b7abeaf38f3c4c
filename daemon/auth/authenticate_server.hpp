#pragma once

#include <optional>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>

#include "http/error_response.hpp"
#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// Server-server request authentication (digest federation.md §3.3).
//
// Reads every `Authorization: X-Matrix ...` header of the request (several
// are allowed: one that verifies is enough), refuses a destination other
// than our server name, fetches the origin's key through the KeyRing and
// verifies the signature over {method, uri (the request target exactly as
// received), origin, destination (ours), content (the parsed body, if any)}.
// Returns the authenticated origin. Suspends: key lookup (memory, store, or
// a fetch from the origin). Errors:
// - Errc::missing_token: no X-Matrix header;
// - Errc::unknown_token: malformed header, wrong destination, unknown key,
//   bad signature;
// - Errc::remote_unavailable: the origin's key could not be fetched;
// - Errc::not_json / bad_json: the body is not a JSON object (400).
// with_server_auth turns the first three into 401 M_UNAUTHORIZED.
Task<Result<ServerName>> authenticate_server(Request& request);

// The 401 M_UNAUTHORIZED reply for an authenticate_server failure; storage
// and body errors keep their own mapping.
Reply server_auth_error_reply(const Error& error);

// A federation handler that is given the authenticated origin.
using ServerHandler = Task<Result<Reply>> (*)(Request& request, const ServerName& origin);

// Route adapter: authenticates, then calls F; refusals answer as
// server_auth_error_reply. Register as `router.add(get, path, with_server_auth<f>)`.
template <ServerHandler F>
Task<Result<Reply>> with_server_auth(Request& request) {
    auto origin = co_await authenticate_server(request);
    if (!origin) co_return server_auth_error_reply(origin.error());
    co_return co_await F(request, *origin);
}

// Server ACLs (m.room.server_acl): ok when `acl_content` (the room's current
// ACL content; none when the room has no ACL event) lets `origin` in;
// Errc::forbidden (403 M_FORBIDDEN) otherwise.
Result<void> check_server_acl(const std::optional<nlohmann::json>& acl_content,
                              const ServerName& origin);

// The same against the room's current state, read from the store. Errors:
// forbidden, storage.
Task<Result<void>> check_room_acl(const Request& request, const RoomId& room_id,
                                  const ServerName& origin);

}  // namespace chat::daemon
