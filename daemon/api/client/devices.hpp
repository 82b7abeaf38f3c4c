#pragma once

#include "routing/router.hpp"

namespace chat::daemon {

// GET /_matrix/client/v3/devices
Task<Result<Reply>> get_devices(Request& request);
// GET /_matrix/client/v3/devices/{deviceId}
Task<Result<Reply>> get_device(Request& request);
// PUT /_matrix/client/v3/devices/{deviceId}
Task<Result<Reply>> put_device(Request& request);
// DELETE /_matrix/client/v3/devices/{deviceId} (user-interactive auth: password)
Task<Result<Reply>> delete_device(Request& request);
// POST /_matrix/client/v3/delete_devices (user-interactive auth: password)
Task<Result<Reply>> post_delete_devices(Request& request);

}  // namespace chat::daemon
