#pragma once

#include <chat/core/server_name.hpp>

#include "routing/router.hpp"

namespace chat::daemon {

// Membership handshakes other servers run with us (digest federation.md §8,
// §10, §11), X-Matrix authenticated (register with with_server_auth):
// we are the resident of make_join/send_join and make_leave/send_leave, and
// the invitee's server of invite v2.
Task<Result<Reply>> get_make_join(Request& request, const ServerName& origin);
Task<Result<Reply>> put_send_join_v2(Request& request, const ServerName& origin);
Task<Result<Reply>> get_make_leave(Request& request, const ServerName& origin);
Task<Result<Reply>> put_send_leave_v2(Request& request, const ServerName& origin);
Task<Result<Reply>> put_invite_v2(Request& request, const ServerName& origin);
// Knocking (§9): the template, then the signed knock; the answer carries the
// room's stripped state (full PDUs) so the knocker can show the room.
Task<Result<Reply>> get_make_knock(Request& request, const ServerName& origin);
Task<Result<Reply>> put_send_knock(Request& request, const ServerName& origin);

}  // namespace chat::daemon
