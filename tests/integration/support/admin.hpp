#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/matrix_client.hpp"

namespace chat::test {

// The shared secret admin tests configure (kAdminYaml) and register with.
inline constexpr std::string_view kAdminSecret = "admin-integration-shared-secret";

// extra_yaml for Daemon::start: shared-secret registration on, rate limits
// out of the way.
inline constexpr std::string_view kAdminYaml =
    "registration:\n  shared_secret: admin-integration-shared-secret\n"
    "rate_limits:\n  login:\n    per_second: 1000\n    burst: 1000\n"
    "  register:\n    per_second: 1000\n    burst: 1000\n"
    "  message:\n    per_second: 1000\n    burst: 1000\n";

// Registers `localpart` as a server admin through shared-secret registration
// (GET then POST /_synapse/admin/v1/register) and returns a client logged in
// with its token. Throws std::runtime_error with the answer on failure.
MatrixClient registered_admin(std::uint16_t port, std::string_view localpart,
                              std::string_view secret = kAdminSecret);

// Polls GET /_synapse/admin/v2/rooms/delete_status/{id} until the status is
// complete or failed (10 s at most); returns the last answer's body.
nlohmann::json wait_for_deletion(const MatrixClient& admin, const std::string& delete_id);

}  // namespace chat::test
