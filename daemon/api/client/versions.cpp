#include "api/client/versions.hpp"

#include <nlohmann/json.hpp>

#include <chat/receipts/delivery.hpp>

#include "config/config.hpp"
#include "services/services.hpp"

namespace chat::daemon {

// GET /_matrix/client/versions
// Listing a version promises its endpoints and behaviour, and clients take
// the list literally. docs/api-coverage.md says endpoint by endpoint what is
// implemented; what each of these versions requires of a client's first
// contact (register, login, sync, rooms, messages, account data, push rules)
// is, and so are typing, receipts, presence, E2EE and the content
// repository. We stop at v1.6 until the endpoints later versions add are
// checked one by one against docs/api-coverage.md (some are not built).
// Access tokens in the query string (matrix-nio) stay accepted. Unstable
// features are advertised only while they work: MSC4089 delivery receipts
// unless the operator turned both kinds off.
Task<Result<Reply>> get_versions(Request& request) {
    const auto& config = *request.services().config;
    auto unstable = nlohmann::json::object();
    // Authenticated media (/_matrix/client/v1/media, MSC3916) is served;
    // clients that see this flag use it even though we stop short of v1.11,
    // which matters because the legacy unauthenticated download is off by
    // default.
    unstable["org.matrix.msc3916.stable"] = true;
    if (config.delivery_explicit || config.delivery_inferred)
        unstable[std::string(receipts::kDeliveryFeature)] = true;
    co_return Reply::json({
        {"versions",
         {"r0.5.0", "r0.6.0", "r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6"}},
        {"unstable_features", std::move(unstable)},
    });
}

}  // namespace chat::daemon
