#include "api/client/body_fields.hpp"

#include <fmt/format.h>

namespace chat::daemon {

namespace {

Error wrong_type(std::string_view field, std::string_view expected) {
    return make_error(Errc::bad_json, fmt::format("'{}' must be {}", field, expected));
}

const nlohmann::json* find(const nlohmann::json& body, std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return nullptr;
    return &*it;
}

}  // namespace

Result<std::string> required_string(const nlohmann::json& body, std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return make_error(Errc::missing_param, fmt::format("Missing '{}'", field));
    if (!value->is_string()) return wrong_type(field, "a string");
    return value->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                   std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return std::optional<std::string>{};
    if (!value->is_string()) return wrong_type(field, "a string");
    return std::optional<std::string>(value->get<std::string>());
}

Result<std::optional<bool>> optional_bool(const nlohmann::json& body, std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return std::optional<bool>{};
    if (!value->is_boolean()) return wrong_type(field, "a boolean");
    return std::optional<bool>(value->get<bool>());
}

Result<std::optional<std::int64_t>> optional_integer(const nlohmann::json& body,
                                                     std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return std::optional<std::int64_t>{};
    if (!value->is_number_integer()) return wrong_type(field, "an integer");
    return std::optional<std::int64_t>(value->get<std::int64_t>());
}

Result<nlohmann::json> required_object(const nlohmann::json& body, std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return make_error(Errc::missing_param, fmt::format("Missing '{}'", field));
    if (!value->is_object()) return wrong_type(field, "an object");
    return *value;
}

Result<std::optional<nlohmann::json>> optional_object(const nlohmann::json& body,
                                                      std::string_view field) {
    const auto* value = find(body, field);
    if (!value) return std::optional<nlohmann::json>{};
    if (!value->is_object()) return wrong_type(field, "an object");
    return std::optional<nlohmann::json>(*value);
}

Result<std::vector<std::string>> optional_string_list(const nlohmann::json& body,
                                                      std::string_view field) {
    std::vector<std::string> out;
    const auto* value = find(body, field);
    if (!value) return out;
    if (!value->is_array()) return wrong_type(field, "a list of strings");
    for (const auto& item : *value) {
        if (!item.is_string()) return wrong_type(field, "a list of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

}  // namespace chat::daemon
