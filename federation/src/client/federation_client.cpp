#include <chat/federation/client/federation_client.hpp>

#include <array>
#include <cctype>
#include <utility>

#include <httplib.h>

#include <chat/federation/client/x_matrix.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/parse.hpp>

namespace chat::federation {

namespace {

// A failed .well-known lookup is cached this long (spec: up to an hour).
constexpr std::int64_t kWellKnownFailureMs = 3600 * 1000;

// What one HTTP exchange gave, on the blocking pool thread.
struct HttpOutcome {
    bool answered = false;
    int status = 0;
    std::string body;
    std::string cache_control;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string error;  // why there is no answer
};

struct HttpCall {
    std::string scheme;  // "https" or "http"
    ResolvedServer target;
    std::string method;
    std::string path;
    std::optional<std::string> body;
    std::string authorization;
    bool follow_redirects = false;
    std::size_t max_body_bytes = 0;  // 0: options.max_response_bytes
};

// Blocks: one connection, one request, bounded by the options' timeouts and
// max_response_bytes. Never throws (cpp-httplib reports errors by value).
HttpOutcome http_call(const HttpCall& call, const FederationClientOptions& options) {
    HttpOutcome out;
    httplib::Client client(call.scheme + "://" + call.target.host + ":" +
                           std::to_string(call.target.port));
    if (!client.is_valid()) {
        out.error = "invalid address " + call.target.host;
        return out;
    }
    client.set_connection_timeout(options.connect_timeout.count(), 0);
    client.set_read_timeout(options.request_timeout.count(), 0);
    client.set_write_timeout(options.request_timeout.count(), 0);
    client.set_follow_location(call.follow_redirects);
    // The path goes out exactly as signed: it is already percent-encoded.
    client.set_url_encode(false);
    if (call.scheme == "https") client.enable_server_certificate_verification(options.verify_tls);

    httplib::Request request;
    request.method = call.method;
    request.path = call.path;
    request.headers.emplace("Host", call.target.host_header);
    if (!call.authorization.empty()) request.headers.emplace("Authorization", call.authorization);
    if (call.body) {
        request.body = *call.body;
        request.headers.emplace("Content-Type", "application/json");
    }
    bool too_large = false;
    const std::size_t limit = call.max_body_bytes ? call.max_body_bytes : options.max_response_bytes;
    request.content_receiver = [&](const char* data, std::size_t length, std::uint64_t,
                                   std::uint64_t) {
        if (out.body.size() + length > limit) {
            too_large = true;
            return false;
        }
        out.body.append(data, length);
        return true;
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    const bool sent = client.send(request, response, error);
    if (too_large) {
        out.error = "response larger than " + std::to_string(limit) + " bytes";
        return out;
    }
    if (!sent) {
        out.error = httplib::to_string(error);
        return out;
    }
    out.answered = true;
    out.status = response.status;
    out.cache_control = response.get_header_value("Cache-Control");
    out.headers.assign(response.headers.begin(), response.headers.end());
    return out;
}

std::optional<Errc> passed_through(std::string_view errcode) {
    static constexpr std::array<std::pair<std::string_view, Errc>, 10> kAllowed = {{
        {"M_NOT_FOUND", Errc::not_found},
        {"M_FORBIDDEN", Errc::forbidden},
        {"M_UNRECOGNIZED", Errc::unrecognized},
        {"M_LIMIT_EXCEEDED", Errc::limit_exceeded},
        {"M_BAD_JSON", Errc::bad_json},
        {"M_NOT_JSON", Errc::not_json},
        {"M_INVALID_PARAM", Errc::invalid_param},
        {"M_MISSING_PARAM", Errc::missing_param},
        {"M_TOO_LARGE", Errc::too_large},
        {"M_UNSUPPORTED_ROOM_VERSION", Errc::unsupported_room_version},
    }};
    for (const auto& [name, code] : kAllowed)
        if (name == errcode) return code;
    return std::nullopt;
}

std::string string_field(const nlohmann::json& body, const char* name) {
    if (!body.is_object()) return {};
    auto found = body.find(name);
    return found != body.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

Result<nlohmann::json> map_remote_reply(const RemoteReply& reply, std::string_view destination,
                                        std::string_view what) {
    const auto where = std::string(destination) + " " + std::string(what);
    if (reply.status >= 200 && reply.status < 300) {
        if (reply.body.is_object()) return reply.body;
        return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                          where + ": 2xx without a JSON object");
    }
    const auto errcode = string_field(reply.body, "errcode");
    const auto detail = where + ": HTTP " + std::to_string(reply.status) + " " + errcode + " " +
                        string_field(reply.body, "error");
    if (reply.status >= 400 && reply.status < 500) {
        if (auto code = passed_through(errcode))
            return make_error(*code, "Remote server: " + errcode, detail);
    }
    return make_error(Errc::remote_unavailable, "A remote server did not answer.", detail);
}

FederationClient::FederationClient(ServerName own_name, const crypto::SigningKey& key,
                                   BlockingPool& pool, const Clock& clock,
                                   FederationClientOptions options)
    : own_name_(std::move(own_name)), key_(key), pool_(pool), clock_(clock),
      options_(std::move(options)) {}

Task<std::optional<ServerName>> FederationClient::well_known(ServerName server) {
    const auto now = clock_.now_ms();
    {
        std::lock_guard lock(mutex_);
        auto found = well_known_.find(server.str());
        if (found != well_known_.end() && found->second.expires_ms > now)
            co_return found->second.delegated;
    }
    const bool plain = options_.allow_insecure_http;
    HttpCall call{.scheme = plain ? "http" : "https",
                  .target = ResolvedServer{.host = std::string(server.host()),
                                           .port = options_.well_known_port.value_or(
                                               plain ? std::uint16_t{80} : std::uint16_t{443}),
                                           .host_header = std::string(server.host()),
                                           .tls_name = std::string(server.host())},
                  .method = "GET",
                  .path = "/.well-known/matrix/server",
                  .body = std::nullopt,
                  .authorization = {},
                  // cpp-httplib stops after 20 redirects: loops end there.
                  .follow_redirects = true,
                  .max_body_bytes = 0};
    auto outcome = co_await pool_.run([&] { return http_call(call, options_); });
    WellKnown entry{std::nullopt, now + kWellKnownFailureMs};
    if (outcome.answered && outcome.status == 200) {
        entry.delegated = parse_well_known(outcome.body);
        if (entry.delegated) entry.expires_ms = now + well_known_cache_ms(outcome.cache_control);
    }
    {
        std::lock_guard lock(mutex_);
        well_known_.insert_or_assign(std::string(server.str()), entry);
    }
    co_return entry.delegated;
}

Task<ResolvedServer> FederationClient::resolve(ServerName destination) {
    if (resolves_directly(destination)) co_return resolve_literally(destination);
    auto delegated = co_await well_known(destination);
    if (delegated) co_return resolve_literally(*delegated);
    co_return resolve_literally(destination);
}

Task<Result<RemoteReply>> FederationClient::request(ServerName destination, std::string method,
                                                    std::string path_and_query,
                                                    nlohmann::json body) {
    const nlohmann::json* content = body.is_null() ? nullptr : &body;
    auto authorization =
        x_matrix_authorization(own_name_, destination, key_, method, path_and_query, content);
    if (!authorization) co_return authorization.error();
    auto target = co_await resolve(destination);
    HttpCall call{.scheme = options_.allow_insecure_http ? "http" : "https",
                  .target = std::move(target),
                  .method = method,
                  .path = path_and_query,
                  .body = std::nullopt,
                  .authorization = std::move(*authorization),
                  .follow_redirects = false,
                  .max_body_bytes = 0};
    if (content)
        call.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto outcome = co_await pool_.run([&] { return http_call(call, options_); });
    if (!outcome.answered)
        co_return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                             std::string(destination.str()) + " " + method + " " +
                                 path_and_query + ": " + outcome.error);
    RemoteReply reply;
    reply.status = outcome.status;
    // Remote bodies may hold numbers canonical JSON refuses (events of room
    // versions 1-5): keep them; whoever signs or hashes checks them.
    auto parsed = json::parse(outcome.body, json::ParseOptions{.numbers = json::Numbers::lenient});
    if (parsed) reply.body = std::move(*parsed);
    co_return reply;
}

Task<Result<RawRemoteReply>> FederationClient::get_raw(ServerName destination,
                                                      std::string path_and_query,
                                                      std::size_t max_body_bytes) {
    auto authorization =
        x_matrix_authorization(own_name_, destination, key_, "GET", path_and_query, nullptr);
    if (!authorization) co_return authorization.error();
    auto target = co_await resolve(destination);
    HttpCall call{.scheme = options_.allow_insecure_http ? "http" : "https",
                  .target = std::move(target),
                  .method = "GET",
                  .path = path_and_query,
                  .body = std::nullopt,
                  .authorization = std::move(*authorization),
                  .follow_redirects = false,
                  .max_body_bytes = max_body_bytes};
    auto outcome = co_await pool_.run([&] { return http_call(call, options_); });
    if (!outcome.answered)
        co_return make_error(Errc::remote_unavailable, "A remote server did not answer.",
                             std::string(destination.str()) + " GET " + path_and_query + ": " +
                                 outcome.error);
    RawRemoteReply reply;
    reply.status = outcome.status;
    reply.headers = std::move(outcome.headers);
    reply.body = std::move(outcome.body);
    co_return reply;
}

std::string_view RawRemoteReply::header(std::string_view name) const noexcept {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (const auto& [key, value] : headers) {
        if (key.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < key.size() && same; ++i) same = lower(key[i]) == lower(name[i]);
        if (same) return value;
    }
    return {};
}

Task<Result<nlohmann::json>> FederationClient::get(const ServerName& destination,
                                                   std::string path_and_query) {
    const ServerName name = destination;
    auto reply = co_await request(name, "GET", path_and_query, nullptr);
    if (!reply) co_return reply.error();
    co_return map_remote_reply(*reply, name.str(), "GET " + path_and_query);
}

Task<Result<nlohmann::json>> FederationClient::put(const ServerName& destination,
                                                   std::string path, nlohmann::json body) {
    const ServerName name = destination;
    auto reply = co_await request(name, "PUT", path, std::move(body));
    if (!reply) co_return reply.error();
    co_return map_remote_reply(*reply, name.str(), "PUT " + path);
}

Task<Result<nlohmann::json>> FederationClient::post(const ServerName& destination,
                                                    std::string path, nlohmann::json body) {
    const ServerName name = destination;
    auto reply = co_await request(name, "POST", path, std::move(body));
    if (!reply) co_return reply.error();
    co_return map_remote_reply(*reply, name.str(), "POST " + path);
}

Task<Result<nlohmann::json>> FederationClient::fetch_server_keys(ServerName server) {
    co_return co_await get(server, "/_matrix/key/v2/server");
}

Task<Result<nlohmann::json>> FederationClient::query_notary(ServerName notary,
                                                            nlohmann::json body) {
    co_return co_await post(notary, "/_matrix/key/v2/query", std::move(body));
}

}  // namespace chat::federation
