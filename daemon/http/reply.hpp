#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "http/request.hpp"

namespace chat::daemon {

// One HTTP response as handlers build it, free of Beast types. The session
// adds Content-Length, Connection and Server; dispatch() adds CORS.
struct Reply {
    unsigned status = 200;
    std::vector<Header> headers;
    std::string body;
    // When set, the body is this slice of a file instead of `body`, streamed
    // by the session in chunks (media downloads): never read whole.
    struct FileSlice {
        std::string path;
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
    };
    std::optional<FileSlice> file;

    // `body` serialized with Content-Type: application/json. Invalid UTF-8 in
    // strings is replaced (U+FFFD), never thrown about.
    static Reply json(const nlohmann::json& body, unsigned status = 200);
    // No body at all, for 204 and pre-flights.
    static Reply empty(unsigned status = 204);

    // Replaces a header of the same name (ASCII case-insensitive) or adds it.
    void set_header(std::string_view name, std::string value);
    // The first header named `name`; empty if absent.
    std::string_view header(std::string_view name) const noexcept;
};

}  // namespace chat::daemon
