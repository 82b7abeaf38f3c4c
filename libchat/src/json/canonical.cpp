#include <chat/json/canonical.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

namespace chat::json {
namespace {

using nlohmann::json;

enum class Mode { strict, lenient };

// Whether any of the 8 bytes in `word` needs an escape: below 0x20, '"' or
// '\\' (the exact "has a byte less than n / equal to c" tests of bit
// twiddling; bytes from 0x80 up never match).
constexpr bool any_needs_escape(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    return (((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) |
            ((backslash - kOnes) & ~backslash)) &
           kHigh;
}

void write_string(std::string& out, const std::string& s) {
    // Only these escapes exist in canonical JSON; every other code point,
    // '/', U+007F and U+2028 included, is written as raw UTF-8. Runs of bytes
    // that need no escape (nearly every string) are copied whole: a byte at a
    // time, this was 5% of the send path's instructions (issue 3).
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    const char* const data = s.data();
    std::size_t run = 0;  // the start of the bytes not yet written
    for (std::size_t i = 0; i < s.size(); ++i) {
        // Eight plain bytes at a time while there are eight.
        while (i + 8 <= s.size()) {
            std::uint64_t word;
            std::memcpy(&word, data + i, 8);
            if (any_needs_escape(word)) break;
            i += 8;
        }
        if (i == s.size()) break;
        const auto byte = static_cast<unsigned char>(data[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
        out.append(data + run, i - run);
        run = i + 1;
        switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case 0x08: out += "\\b"; break;
        case 0x09: out += "\\t"; break;
        case 0x0A: out += "\\n"; break;
        case 0x0C: out += "\\f"; break;
        case 0x0D: out += "\\r"; break;
        default:
            out += "\\u00";
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xF]);
        }
    }
    out.append(data + run, s.size() - run);
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
