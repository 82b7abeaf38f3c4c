#include <chat/json/parse.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <chat/json/canonical.hpp>

namespace chat::json {
namespace {

using nlohmann::json;

// The exact value of a JSON number's text, when it is an integer that
// canonical JSON can hold. Decided on the digits, not on a double, so that
// "1.0000000000000001" (which rounds to 1.0) is not mistaken for an integer,
// while "1e10" and "-0" are (the spec's own example).
std::optional<std::int64_t> exact_canonical_integer(std::string_view text) {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    std::string digits;
    std::size_t int_digits = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) digits.push_back(text[i]);
    int_digits = digits.size();
    if (i < text.size() && text[i] == '.') {
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            digits.push_back(text[i]);
    }
    long long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            // Saturate: any exponent this large already decides the outcome.
            if (exponent < 1'000'000) exponent = exponent * 10 + (text[i] - '0');
        }
        if (exp_negative) exponent = -exponent;
    }

    const auto first_nonzero = digits.find_first_not_of('0');
    if (first_nonzero == std::string::npos) return 0;  // every zero, "-0" included

    // The decimal point sits after `point` digits of `digits`.
    const long long point = static_cast<long long>(int_digits) + exponent;
    if (point <= static_cast<long long>(first_nonzero)) return std::nullopt;  // |x| < 1, not 0
    if (point < static_cast<long long>(digits.size()) &&
        digits.find_first_not_of('0', static_cast<std::size_t>(point)) != std::string::npos) {
        return std::nullopt;  // a non-zero digit after the point
    }
    const long long integer_len = point - static_cast<long long>(first_nonzero);
    if (integer_len > 16) return std::nullopt;  // 2^53-1 has 16 digits
    std::int64_t value = 0;
    for (long long k = 0; k < integer_len; ++k) {
        const auto idx = static_cast<std::size_t>(static_cast<long long>(first_nonzero) + k);
        value = value * 10 + (idx < digits.size() ? digits[idx] - '0' : 0);
    }
    if (value > kCanonicalIntMax) return std::nullopt;
    return negative ? -value : value;
}

// Builds the document from nlohmann's SAX events so that limits apply while
// parsing: depth is refused before recursion can grow, duplicate keys are
// seen (the DOM parser silently keeps one of them), and numbers are checked
// with their original text.
class Builder {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    explicit Builder(const ParseOptions& options) : options_(options) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }

    bool number_integer(number_integer_t v) {
        if (options_.numbers == Numbers::strict && (v > kCanonicalIntMax || v < kCanonicalIntMin))
            return fail(Errc::bad_json, "Integer out of the range [-(2^53)+1, (2^53)-1]");
        return put(json(v));
    }

    bool number_unsigned(number_unsigned_t v) {
        if (options_.numbers == Numbers::strict &&
            v > static_cast<number_unsigned_t>(kCanonicalIntMax))
            return fail(Errc::bad_json, "Integer out of the range [-(2^53)+1, (2^53)-1]");
        return put(json(v));
    }

    bool number_float(number_float_t v, const string_t& text) {
        if (options_.numbers == Numbers::lenient) return put(json(v));
        auto exact = exact_canonical_integer(text);
        if (!exact) return fail(Errc::bad_json, "Numbers must be integers in [-(2^53)+1, (2^53)-1]");
        return put(json(*exact));
    }

    bool string(string_t& v) { return put(json(std::move(v))); }
    bool binary(binary_t&) { return fail(Errc::not_json, "Binary values are not JSON"); }

    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& k) {
        json& object = *stack_.back();
        if (object.contains(k)) return fail(Errc::not_json, "Duplicate key in JSON object");
        pending_ = &object[k];
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) {
        // nlohmann reports a number too large for a double (1e400) as error
        // 406; it is valid JSON syntax, so it is refused as a bad value.
        if (e.id == 406) return fail(Errc::bad_json, "Number out of range");
        if (!error_) {
            error_ = make_error(Errc::not_json, "Content is not valid JSON",
                                "syntax error at byte " + std::to_string(position));
        }
        return false;
    }

    json take_root() { return std::move(root_); }
    const std::optional<Error>& error() const { return error_; }

private:
    json* slot() {
        if (stack_.empty()) return &root_;
        json& top = *stack_.back();
        if (top.is_array()) {
            top.push_back(nullptr);
            return &top.back();
        }
        return pending_;
    }

    bool put(json&& value) {
        *slot() = std::move(value);
        return true;
    }

    bool open(json&& container) {
        if (stack_.size() >= options_.max_depth)
            return fail(Errc::not_json, "JSON nested too deeply");
        json* target = slot();
        *target = std::move(container);
        stack_.push_back(target);
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    bool fail(Errc code, std::string message) {
        if (!error_) error_ = make_error(code, std::move(message));
        return false;
    }

    const ParseOptions& options_;
    json root_;
    std::vector<json*> stack_;
    json* pending_ = nullptr;
    std::optional<Error> error_;
};

}  // namespace

Result<nlohmann::json> parse(std::string_view text, const ParseOptions& options) {
    Builder builder(options);
    bool parsed = false;
    try {
        parsed = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                                 /*strict=*/true, /*ignore_comments=*/false);
    } catch (const std::exception& e) {
        // sax_parse reports through parse_error(); this is only a safety net.
        return make_error(Errc::not_json, "Content is not valid JSON", e.what());
    }
    if (builder.error()) return *builder.error();
    if (!parsed) return make_error(Errc::not_json, "Content is not valid JSON");
    return builder.take_root();
}

}  // namespace chat::json
