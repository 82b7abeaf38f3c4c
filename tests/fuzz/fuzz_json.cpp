// libFuzzer target: untrusted JSON through chat::json::parse and both
// canonical encoders. Invariants checked on every accepted input:
// canonical output re-parses, re-encodes to the same bytes (idempotent),
// and lenient parsing accepts whatever strict parsing accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/json/canonical.hpp>
#include <chat/json/parse.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chat::json;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    auto strict = parse(text);
    auto lenient = parse(text, {.numbers = Numbers::lenient});
    if (strict && !lenient) __builtin_trap();
    if (lenient) (void)canonical_json_lenient(*lenient);
    if (!strict) return 0;

    auto encoded = canonical_json(*strict);
    if (!encoded) __builtin_trap();  // strict parsing only admits canonical values
    auto reparsed = parse(*encoded);
    if (!reparsed) __builtin_trap();
    auto again = canonical_json(*reparsed);
    if (!again || *again != *encoded) __builtin_trap();
    return 0;
}
