#include <chat/json/canonical.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace chat::json {
namespace {

using nlohmann::json;

enum class Mode { strict, lenient };

void write_string(std::string& out, const std::string& s) {
    // Only these escapes exist in canonical JSON; every other code point,
    // '/', U+007F and U+2028 included, is written as raw UTF-8.
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case 0x08: out += "\\b"; break;
        case 0x09: out += "\\t"; break;
        case 0x0A: out += "\\n"; break;
        case 0x0C: out += "\\f"; break;
        case 0x0D: out += "\\r"; break;
        default:
            if (byte < 0x20) {
                out += "\\u00";
                out.push_back(kHex[byte >> 4]);
                out.push_back(kHex[byte & 0xF]);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

bool in_canonical_range(long double v) {
    return v >= static_cast<long double>(kCanonicalIntMin) &&
           v <= static_cast<long double>(kCanonicalIntMax);
}

// Writes `value` into `out`; returns false (strict mode only) on a number
// without a canonical form, leaving `out` partly written.
bool write(std::string& out, const json& value, Mode mode) {
    switch (value.type()) {
    case json::value_t::null: out += "null"; return true;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return true;
    case json::value_t::string: write_string(out, value.get_ref<const std::string&>()); return true;
    case json::value_t::number_integer: {
        const auto v = value.get<std::int64_t>();
        if (mode == Mode::strict && (v < kCanonicalIntMin || v > kCanonicalIntMax)) return false;
        out += std::to_string(v);
        return true;
    }
    case json::value_t::number_unsigned: {
        const auto v = value.get<std::uint64_t>();
        if (mode == Mode::strict && v > static_cast<std::uint64_t>(kCanonicalIntMax)) return false;
        out += std::to_string(v);
        return true;
    }
    case json::value_t::number_float: {
        const auto v = value.get<double>();
        if (std::isfinite(v) && std::trunc(v) == v && in_canonical_range(v)) {
            // -0.0 and 1e10 are integers in disguise: the spec writes 0 and 10000000000.
            out += std::to_string(static_cast<std::int64_t>(v));
            return true;
        }
        if (mode == Mode::strict) return false;
        out += value.dump();
        return true;
    }
    case json::value_t::array: {
        out.push_back('[');
        bool first = true;
        for (const auto& element : value) {
            if (!first) out.push_back(',');
            first = false;
            if (!write(out, element, mode)) return false;
        }
        out.push_back(']');
        return true;
    }
    case json::value_t::object: {
        // nlohmann's object is a std::map<std::string, ...>: std::string
        // compares as unsigned bytes, and UTF-8 byte order is code point
        // order, which is the order the spec asks for.
        out.push_back('{');
        bool first = true;
        for (const auto& [key, element] : value.items()) {
            if (!first) out.push_back(',');
            first = false;
            write_string(out, key);
            out.push_back(':');
            if (!write(out, element, mode)) return false;
        }
        out.push_back('}');
        return true;
    }
    case json::value_t::binary:
    case json::value_t::discarded:
        if (mode == Mode::strict) return false;
        out += "null";
        return true;
    }
    return false;
}

}  // namespace

Result<std::string> canonical_json(const nlohmann::json& value) {
    std::string out;
    if (!write(out, value, Mode::strict)) {
        return make_error(Errc::bad_json,
                          "JSON has a value with no canonical form (numbers must be integers "
                          "in [-(2^53)+1, (2^53)-1])");
    }
    return out;
}

std::string canonical_json_lenient(const nlohmann::json& value) {
    std::string out;
    write(out, value, Mode::lenient);
    return out;
}

Result<std::string> canonical_json_except(const nlohmann::json& object,
                                          const std::function<bool(std::string_view)>& skip,
                                          bool lenient) {
    return canonical_json_select(
        object,
        [&](std::string_view key, const nlohmann::json& value) {
            return skip(key) ? nullptr : &value;
        },
        lenient);
}

Result<std::string> canonical_json_select(const nlohmann::json& object,
                                          const MemberValue& value_of, bool lenient) {
    if (!object.is_object()) return make_error(Errc::bad_json, "Expected a JSON object.");
    const Mode mode = lenient ? Mode::lenient : Mode::strict;
    std::string out;
    out.push_back('{');
    bool first = true;
    for (const auto& [key, element] : object.items()) {
        const nlohmann::json* value = value_of(key, element);
        if (value == nullptr) continue;
        if (!first) out.push_back(',');
        first = false;
        write_string(out, key);
        out.push_back(':');
        if (!write(out, *value, mode))
            return make_error(Errc::bad_json,
                              "JSON has a value with no canonical form (numbers must be "
                              "integers in [-(2^53)+1, (2^53)-1])");
    }
    out.push_back('}');
    return out;
}

}  // namespace chat::json
