#include "media/multipart.hpp"

#include <algorithm>
#include <functional>

#include <chat/crypto/random.hpp>

namespace chat::daemon {

namespace {

constexpr std::size_t kBoundaryChars = 32;
constexpr std::string_view kCrlf = "\r\n";

Error unusable(std::string reason) {
    return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                      "media multipart: " + std::move(reason));
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The media type without parameters, e.g. "multipart/mixed".
std::string_view media_type(std::string_view content_type) {
    return trim(content_type.substr(0, content_type.find(';')));
}

// RFC 2046 bcharsnospace (plus inner spaces): what a boundary may hold.
bool is_boundary_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

Result<std::string> boundary_of(std::string_view content_type) {
    if (!iequals(media_type(content_type), "multipart/mixed"))
        return unusable("not multipart/mixed");
    std::string_view params = content_type;
    std::optional<std::string_view> boundary;
    for (auto semi = params.find(';'); semi != std::string_view::npos; semi = params.find(';')) {
        params.remove_prefix(semi + 1);
        auto param = trim(params.substr(0, params.find(';')));
        auto eq = param.find('=');
        if (eq == std::string_view::npos) return unusable("malformed parameter");
        if (!iequals(trim(param.substr(0, eq)), "boundary")) continue;
        if (boundary) return unusable("two boundaries");
        auto value = trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        boundary = value;
    }
    if (!boundary || boundary->empty() || boundary->size() > kMultipartMaxBoundary ||
        boundary->back() == ' ' || !std::all_of(boundary->begin(), boundary->end(), is_boundary_char))
        return unusable("missing or invalid boundary");
    return std::string(*boundary);
}

bool header_value_ok(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char c) {
        return c == '\r' || c == '\n' || c == '\0';
    });
}

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

struct PartHeaders {
    std::optional<std::string> content_type;
    std::optional<std::string> content_disposition;
    std::optional<std::string> location;
};

// Reads the header block at `body[pos]`, up to and including its empty line.
Result<PartHeaders> read_headers(std::string_view body, std::size_t& pos) {
    PartHeaders headers;
    std::size_t count = 0;
    const std::size_t start = pos;
    while (true) {
        auto end = body.find(kCrlf, pos);
        if (end == std::string_view::npos || end - start > kMultipartMaxHeaderBytes)
            return unusable("part headers unterminated or too long");
        auto line = body.substr(pos, end - pos);
        pos = end + kCrlf.size();
        if (line.empty()) return headers;
        if (++count > kMultipartMaxHeaders) return unusable("too many part headers");
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return unusable("malformed header");
        auto name = line.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(), is_token_char))
            return unusable("malformed header name");
        auto value = trim(line.substr(colon + 1));
        if (!header_value_ok(value)) return unusable("control character in header");
        std::optional<std::string>* slot = nullptr;
        if (iequals(name, "Content-Type"))
            slot = &headers.content_type;
        else if (iequals(name, "Content-Disposition"))
            slot = &headers.content_disposition;
        else if (iequals(name, "Location"))
            slot = &headers.location;
        if (!slot) continue;
        if (*slot) return unusable("repeated header");
        *slot = std::string(value);
    }
}

}  // namespace

MultipartFrame media_multipart_frame(std::string_view content_type,
                                     std::string_view disposition) {
    const auto boundary = crypto::random_alphanumeric(kBoundaryChars);
    MultipartFrame frame;
    frame.content_type = "multipart/mixed; boundary=" + boundary;
    frame.head = "--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" +
                 boundary + "\r\nContent-Type: " + std::string(content_type) + "\r\n";
    if (!disposition.empty())
        frame.head += "Content-Disposition: " + std::string(disposition) + "\r\n";
    frame.head += "\r\n";
    frame.tail = "\r\n--" + boundary + "--\r\n";
    return frame;
}

Result<MediaMultipart> parse_media_multipart(std::string_view content_type,
                                             std::string_view body) {
    auto boundary = boundary_of(content_type);
    if (!boundary) return boundary.error();
    const std::string dash = "--" + *boundary;
    const std::string delimiter = "\r\n" + dash;

    // A preamble before the first boundary is allowed (RFC 2046), briefly.
    std::size_t pos = 0;
    if (body.substr(0, dash.size()) != dash) {
        auto first = body.substr(0, kMultipartMaxPreamble + delimiter.size()).find(delimiter);
        if (first == std::string_view::npos) return unusable("no opening boundary");
        pos = first + kCrlf.size();
    }
    pos += dash.size();

    MediaMultipart out;
    const std::boyer_moore_horspool_searcher searcher(delimiter.begin(), delimiter.end());
    for (int part = 0; part < 2; ++part) {
        // After a boundary: optional transport padding, then CRLF.
        while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
        if (body.substr(pos, kCrlf.size()) != kCrlf) return unusable("bad boundary line");
        pos += kCrlf.size();
        auto headers = read_headers(body, pos);
        if (!headers) return headers.error();
        auto found = std::search(body.begin() + static_cast<std::ptrdiff_t>(pos), body.end(),
                                 searcher);
        if (found == body.end()) return unusable("part not terminated");
        const auto end = static_cast<std::size_t>(found - body.begin());
        auto content = body.substr(pos, end - pos);
        pos = end + delimiter.size();
        const bool closed = body.substr(pos, 2) == "--";
        if (part == 0) {
            if (closed) return unusable("only one part");
            if (!headers->content_type || !iequals(media_type(*headers->content_type),
                                                   "application/json"))
                return unusable("first part is not JSON");
            if (content.size() > kMultipartMaxMetadataBytes) return unusable("metadata too large");
            out.metadata = std::string(content);
        } else {
            if (!closed) return unusable("more than two parts");
            out.content_type = std::move(headers->content_type);
            out.content_disposition = std::move(headers->content_disposition);
            out.location = std::move(headers->location);
            out.content = content;
        }
    }
    return out;
}

}  // namespace chat::daemon
