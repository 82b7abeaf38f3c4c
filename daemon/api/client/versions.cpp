#include "api/client/versions.hpp"

#include <nlohmann/json.hpp>

namespace chat::daemon {

// GET /_matrix/client/versions
// Listing a version promises every endpoint and behaviour it requires, and
// clients take the list literally (matrix-js-sdk tests exact strings). This
// server implements no Client-Server endpoint beyond discovery yet, so it
// promises none: even v1.1 needs login, sync and room endpoints. Clients such
// as Element refuse a server with an empty list, which is the honest answer
// until the Client-Server API lands and raises it version by version. Likewise
// no unstable feature (MSC4089 delivery receipts included) is advertised
// before it works.
Task<Result<Reply>> get_versions(Request& /*request*/) {
    co_return Reply::json({
        {"versions", nlohmann::json::array()},
        {"unstable_features", nlohmann::json::object()},
    });
}

}  // namespace chat::daemon
