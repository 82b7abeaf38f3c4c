#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>

namespace chat::json {

// How numbers that canonical JSON cannot represent are treated.
enum class Numbers {
    // Room versions 6+ and every client request: integers must lie in
    // [-(2^53-1), 2^53-1]; a non-integral number is refused; an integral
    // number written with a fraction or exponent (1e10, 2.0) becomes an integer.
    strict,
    // Room versions 1-5 over federation: any number is kept as parsed.
    lenient,
};

struct ParseOptions {
    // Nesting of objects and arrays deeper than this is refused before it can
    // exhaust the stack. Matrix events are nowhere near this deep.
    std::size_t max_depth = 64;
    Numbers numbers = Numbers::strict;
};

// Parses untrusted JSON text without throwing.
//
// Refuses, with Errc::not_json: syntax errors, invalid UTF-8, lone or
// mismatched surrogates in \u escapes, nesting deeper than max_depth,
// duplicate keys in one object (no canonical form exists for them), and
// trailing data. Refuses with Errc::bad_json: numbers outside the strict
// rules above. `error().message` is safe to show to a client.
Result<nlohmann::json> parse(std::string_view text, const ParseOptions& options = {});

}  // namespace chat::json
