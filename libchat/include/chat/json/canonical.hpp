#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>

namespace chat::json {

inline constexpr long long kCanonicalIntMax = 9007199254740991LL;   // 2^53 - 1
inline constexpr long long kCanonicalIntMin = -9007199254740991LL;  // -(2^53 - 1)

// Encodes `value` as Matrix canonical JSON (spec appendix "Canonical JSON"):
// object keys sorted by code point (UTF-8 byte order), no insignificant
// whitespace, raw UTF-8 out, only the spec's escapes, integers in
// [kCanonicalIntMin, kCanonicalIntMax]. An integral float (1e10, -0.0) is
// written as the integer it equals. Refuses non-integral or out-of-range
// numbers with Errc::bad_json: they have no canonical form.
Result<std::string> canonical_json(const nlohmann::json& value);

// As canonical_json, but numbers that canonical JSON cannot represent are
// written as nlohmann prints them instead of refused. Only for hashing and
// signing events of room versions 1-5, where servers must cope with them.
std::string canonical_json_lenient(const nlohmann::json& value);

// canonical_json (`lenient` false) or canonical_json_lenient (true) of the
// object `object` without its top-level members whose key `skip` accepts:
// an event's content-hash preimage without copying the event first.
// Errors: Errc::bad_json when `object` is not an object, or as canonical_json.
Result<std::string> canonical_json_except(const nlohmann::json& object,
                                          const std::function<bool(std::string_view)>& skip,
                                          bool lenient);

// The same, but `value_of` picks each top-level member's value: the member's
// own, another one (written under the member's key), or none (null: left
// out). A form derived from an object's members (an event's redacted
// signing bytes) without building the derived object first.
using MemberValue =
    std::function<const nlohmann::json*(std::string_view key, const nlohmann::json& value)>;
Result<std::string> canonical_json_select(const nlohmann::json& object,
                                          const MemberValue& value_of, bool lenient);

}  // namespace chat::json
