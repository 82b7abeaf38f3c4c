#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>

namespace chat::daemon {

// Typed reads of request-body fields. The body was parsed by chat::json and
// is an object, but every field is still client input: a wrong type is
// Errc::bad_json naming the field, a missing required one Errc::missing_param
// (M_MISSING_PARAM, as Synapse answers), never an exception.

Result<std::string> required_string(const nlohmann::json& body, std::string_view field);
Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                   std::string_view field);
Result<std::optional<bool>> optional_bool(const nlohmann::json& body, std::string_view field);
Result<std::optional<std::int64_t>> optional_integer(const nlohmann::json& body,
                                                     std::string_view field);
// A required object field. Errors: missing_param when absent, bad_json when not an object.
Result<nlohmann::json> required_object(const nlohmann::json& body, std::string_view field);
// An object field; none when absent. Errors: bad_json when present and not an object.
Result<std::optional<nlohmann::json>> optional_object(const nlohmann::json& body,
                                                      std::string_view field);
// A list of strings; empty when absent.
Result<std::vector<std::string>> optional_string_list(const nlohmann::json& body,
                                                      std::string_view field);

}  // namespace chat::daemon
