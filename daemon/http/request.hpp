#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::daemon {

struct Services;

// The HTTP methods the router distinguishes. Anything else arrives as `other`
// and can only ever get 404 or 405.
enum class Method { get, head, post, put, delete_, options, patch, other };

// "GET", "DELETE", ...; "OTHER" for Method::other.
std::string_view to_string(Method method) noexcept;
// Case-sensitive, as RFC 9110 says methods are.
Method parse_method(std::string_view text) noexcept;

// Who made an authenticated request: set by authenticate() (auth/), read by handlers.
struct Requester {
    UserId user_id;
    std::string device_id;
    bool admin = false;
    // The token as presented, for logout.
    std::string access_token;
};

struct Header {
    std::string name;
    std::string value;
};

// ASCII case-insensitive comparison, as HTTP field names compare.
bool header_name_equal(std::string_view a, std::string_view b) noexcept;

// One HTTP request as handlers see it, free of Beast types.
//
// Everything in it is untrusted client input, except services(). The body is
// already bounded by max_request_body_bytes and the headers by kMaxHeaderBytes
// (http/limits.hpp). Owned by the session coroutine that awaits the handler.
class Request {
public:
    Request(Method method, std::string target, std::vector<Header> headers, std::string body,
            const Services& services);

    Method method() const noexcept { return method_; }
    // The request target as received: "/_matrix/client/versions?x=1".
    const std::string& target() const noexcept { return target_; }
    // The path part of the target, still percent-encoded: "/a%20b". Starts
    // with '/' (an absolute-form target has its scheme and host removed), or
    // is empty when the target is not a path at all ("*", garbage).
    std::string_view raw_path() const noexcept { return raw_path_; }
    // After '?', still percent-encoded; empty when there is none.
    std::string_view raw_query() const noexcept { return raw_query_; }
    const std::string& body() const noexcept { return body_; }
    // For BodyKind::to_file routes (routing/router.hpp): the temporary file
    // holding the complete body, and its size. Empty path otherwise. The
    // handler may rename the file; what is left there is removed after it.
    const std::string& body_file() const noexcept { return body_file_; }
    std::uint64_t body_file_size() const noexcept { return body_file_size_; }
    void set_body_file(std::string path, std::uint64_t size) {
        body_file_ = std::move(path);
        body_file_size_ = size;
    }
    const std::vector<Header>& headers() const noexcept { return headers_; }
    // The first header named `name` (ASCII case-insensitive); empty if absent.
    std::string_view header(std::string_view name) const noexcept;

    // A path parameter of the matched route, percent-decoded: for the pattern
    // ".../rooms/{roomId}/..." path_param("roomId") is "!abc:example.org".
    // Asking for a name the route does not declare is a bug (asserted).
    std::string_view path_param(std::string_view name) const noexcept;
    // Whether the matched route declares `name` (routes sharing a handler).
    bool has_path_param(std::string_view name) const noexcept;
    // Set by dispatch() from the router's match.
    void set_path_params(std::vector<std::pair<std::string, std::string>> params) {
        path_params_ = std::move(params);
    }

    // The first query parameter named `name`, percent-decoded ('+' is a
    // space, as HTML forms and every client encode it); none if absent.
    // Malformed escapes are kept as they are.
    std::optional<std::string> query(std::string_view name) const;
    // Every value of a repeated parameter (?via=a&via=b), decoded.
    std::vector<std::string> query_all(std::string_view name) const;

    // The body as a JSON object (every Client-Server request body is one).
    // An empty body counts as {} where `empty_is_object`, as Synapse accepts
    // for POST /join and friends. Errors: Errc::not_json (not JSON, too deep,
    // duplicate keys), Errc::bad_json (not an object, numbers out of range).
    // Numbers follow canonical JSON (integers only) unless `allow_fractions`:
    // event content must be canonical, but account data (a tag's `order`) has
    // fractions by design.
    Result<nlohmann::json> json_object(bool empty_is_object = false,
                                       bool allow_fractions = false) const;

    // The client's IP address as the socket sees it (rate limits, last seen).
    const std::string& remote_address() const noexcept { return remote_address_; }
    void set_remote_address(std::string address) { remote_address_ = std::move(address); }

    // What handlers call: configuration and the libchat front ends.
    const Services& services() const noexcept { return *services_; }

    // Set once authenticate() accepted the request's access token.
    void set_requester(Requester requester) { requester_ = std::move(requester); }
    // The authenticated user. Only valid after a successful authenticate()
    // (asserted): handlers that skip authentication must not call it.
    const Requester& requester() const noexcept;

private:
    Method method_;
    std::string target_;
    std::string raw_path_;
    std::string raw_query_;
    std::vector<Header> headers_;
    std::string body_;
    std::string body_file_;
    std::uint64_t body_file_size_ = 0;
    std::vector<std::pair<std::string, std::string>> path_params_;
    const Services* services_;
    std::optional<Requester> requester_;
    std::string remote_address_;
};

}  // namespace chat::daemon
