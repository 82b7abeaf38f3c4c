#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace chat::daemon::push {

// What a push gateway answered to one POST /_matrix/push/v1/notify.
struct GatewayAnswer {
    int status = 0;                     // the HTTP status; 0: no answer (refused, timed out)
    std::vector<std::string> rejected;  // pushkeys from a 2xx answer's `rejected`
    std::string error;                  // why there was no answer (logs only)

    bool delivered() const noexcept { return status >= 200 && status < 300; }
    // Worth retrying: no answer, a 5xx, or 429 (the gateway is overloaded).
    bool retry() const noexcept { return status == 0 || status >= 500 || status == 429; }
};

// POSTs `body` (JSON text) to `url`, an http(s) gateway URL that
// gateway_url_allowed() accepted, with `timeout` for connecting, reading and
// writing each; redirects are not followed. The answer is untrusted: only
// its status and a well-formed `rejected` list of strings are read. Blocks:
// network, up to about three times `timeout`; call it on a blocking pool.
// Never throws.
GatewayAnswer post_notify(const std::string& url, const std::string& body,
                          std::chrono::milliseconds timeout);

}  // namespace chat::daemon::push
