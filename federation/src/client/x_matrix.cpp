#include <chat/federation/client/x_matrix.hpp>

#include <cctype>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>

namespace chat::federation {

namespace {

Error malformed(std::string message) {
    return make_error(Errc::unknown_token, std::move(message));
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 tchar.
bool is_tchar(char c) {
    if (std::isalnum(static_cast<unsigned char>(c))) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// A cursor over the header value; every read stays inside it.
struct Reader {
    std::string_view text;
    std::size_t at = 0;

    bool done() const { return at >= text.size(); }
    char peek() const { return text[at]; }
    void skip_spaces() {
        while (!done() && is_space(peek())) ++at;
    }
    std::string_view token() {
        auto start = at;
        while (!done() && is_tchar(peek())) ++at;
        return text.substr(start, at - start);
    }
};

// A quoted-string after its opening quote: backslash escapes one character;
// control characters (other than tab) are refused.
Result<std::string> quoted_value(Reader& in) {
    std::string value;
    while (!in.done()) {
        char c = in.peek();
        ++in.at;
        if (c == '"') return value;
        if (c == '\\') {
            if (in.done()) break;
            c = in.peek();
            ++in.at;
        }
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            return malformed("Control character in X-Matrix header");
        value.push_back(c);
    }
    return malformed("Unterminated quoted string in X-Matrix header");
}

// An unquoted value: a token, plus ':' (which older senders leave unquoted
// in server names and key ids) and '/' and '=' (base64 signatures).
std::string bare_value(Reader& in) {
    auto start = in.at;
    while (!in.done()) {
        char c = in.peek();
        if (!is_tchar(c) && c != ':' && c != '/' && c != '=') break;
        ++in.at;
    }
    return std::string(in.text.substr(start, in.at - start));
}

Result<void> set_once(std::optional<std::string>& slot, std::string value,
                      std::string_view name) {
    if (slot) return malformed("X-Matrix parameter '" + std::string(name) + "' given twice");
    slot = std::move(value);
    return ok();
}

}  // namespace

nlohmann::json x_matrix_signed_object(std::string_view method, std::string_view uri,
                                      std::string_view origin, std::string_view destination,
                                      const nlohmann::json* content) {
    nlohmann::json object = {{"method", std::string(method)},
                             {"uri", std::string(uri)},
                             {"origin", std::string(origin)},
                             {"destination", std::string(destination)}};
    if (content) object["content"] = *content;
    return object;
}

Result<std::string> x_matrix_authorization(const ServerName& origin,
                                           const ServerName& destination,
                                           const crypto::SigningKey& key, std::string_view method,
                                           std::string_view uri, const nlohmann::json* content) {
    auto object = x_matrix_signed_object(method, uri, origin.str(), destination.str(), content);
    if (auto signed_ok = crypto::sign_json(object, origin.str(), key); !signed_ok)
        return signed_ok.error();
    const auto& sig = object["signatures"][std::string(origin.str())][key.key_id()];
    // Server names, key ids and unpadded base64 hold no '"' or '\\': no escaping.
    return "X-Matrix origin=\"" + std::string(origin.str()) + "\",destination=\"" +
           std::string(destination.str()) + "\",key=\"" + key.key_id() + "\",sig=\"" +
           sig.get<std::string>() + "\"";
}

Result<XMatrixAuth> parse_x_matrix(std::string_view header_value) {
    if (header_value.size() > kMaxXMatrixHeaderBytes)
        return malformed("X-Matrix header too long");
    Reader in{header_value};
    in.skip_spaces();
    if (!ascii_iequal(in.token(), "X-Matrix")) return malformed("Not an X-Matrix header");
    if (in.done() || !is_space(in.peek())) return malformed("Malformed X-Matrix header");

    std::optional<std::string> origin, destination, key, sig;
    while (true) {
        in.skip_spaces();
        if (in.done()) break;
        if (in.peek() == ',') {  // empty list elements are allowed (RFC 9110 §5.6.1)
            ++in.at;
            continue;
        }
        auto name = in.token();
        if (name.empty()) return malformed("Malformed X-Matrix parameter");
        in.skip_spaces();
        if (in.done() || in.peek() != '=') return malformed("Malformed X-Matrix parameter");
        ++in.at;
        in.skip_spaces();
        std::string value;
        if (!in.done() && in.peek() == '"') {
            ++in.at;
            auto quoted = quoted_value(in);
            if (!quoted) return quoted.error();
            value = std::move(*quoted);
        } else {
            value = bare_value(in);
            if (value.empty()) return malformed("Empty X-Matrix parameter value");
        }
        in.skip_spaces();
        if (!in.done() && in.peek() != ',') return malformed("Malformed X-Matrix parameter");

        Result<void> stored = ok();
        if (ascii_iequal(name, "origin"))
            stored = set_once(origin, std::move(value), "origin");
        else if (ascii_iequal(name, "destination"))
            stored = set_once(destination, std::move(value), "destination");
        else if (ascii_iequal(name, "key"))
            stored = set_once(key, std::move(value), "key");
        else if (ascii_iequal(name, "sig") || ascii_iequal(name, "signature"))
            stored = set_once(sig, std::move(value), "sig");
        if (!stored) return stored.error();
    }
    if (!origin || !key || !sig || key->empty() || sig->empty())
        return malformed("X-Matrix header lacks origin, key or sig");
    if (!ServerName::parse(*origin)) return malformed("X-Matrix origin is not a server name");
    return XMatrixAuth{std::move(*origin), std::move(destination), std::move(*key),
                       std::move(*sig)};
}

}  // namespace chat::federation
