#pragma once

#include <string>

namespace chat::daemon {

// What handlers reach through Request::services(). App builds it once before
// the server starts and owns it; handlers on any network thread only read it.
// The libchat front ends (rooms, sync, receipts) join it as they arrive.
struct Services {
    std::string server_name;     // config server_name
    std::string public_baseurl;  // as clients should reach us; published by .well-known
};

}  // namespace chat::daemon
