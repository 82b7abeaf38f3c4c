#include "api/client/versions.hpp"

#include <nlohmann/json.hpp>

namespace chat::daemon {

// GET /_matrix/client/versions
// Listing a version promises its endpoints and behaviour, and clients take
// the list literally. docs/api-coverage.md says endpoint by endpoint what is
// implemented; what each of these versions requires of a client's first
// contact (register, login, sync, rooms, messages, account data, push rules)
// is; the content repository, typing and receipts are not yet, and arrive
// with their issues. We stop at v1.6: later versions add endpoints (async
// media upload in v1.7, authenticated media in v1.11) that are not built.
// Access tokens in the query string (matrix-nio) stay accepted. Unstable features are advertised only once they work (MSC4089
// delivery receipts arrive with the receipts issue).
Task<Result<Reply>> get_versions(Request& /*request*/) {
    co_return Reply::json({
        {"versions",
         {"r0.5.0", "r0.6.0", "r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6"}},
        {"unstable_features", nlohmann::json::object()},
    });
}

}  // namespace chat::daemon
