#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/core/result.hpp>
#include <chat/core/server_name.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/federation/client/discovery.hpp>
#include <chat/federation/keys/key_fetcher.hpp>
#include <chat/federation/runtime/task.hpp>

namespace chat::federation {

class BlockingPool;

struct FederationClientOptions {
    // Plain HTTP instead of HTTPS, for test servers on loopback only
    // (federation.allow_insecure_http). Also fetches .well-known over HTTP
    // from well_known_port.
    bool allow_insecure_http = false;
    // Check certificates against the system's CAs (federation.verify_tls).
    bool verify_tls = true;
    // Where .well-known is fetched: 443 (HTTPS), or 80 with plain HTTP;
    // tests point it at a loopback server (federation.well_known_port).
    std::optional<std::uint16_t> well_known_port;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds request_timeout{30};  // each read and write
    // A response body larger than this is refused (remote_unavailable).
    std::size_t max_response_bytes = 16 * 1024 * 1024;
};

// A remote server's answer as it came: status and parsed JSON body (null
// when the body was not JSON).
struct RemoteReply {
    int status = 0;
    nlohmann::json body;
};

// A remote server's answer with its body as bytes (media downloads).
struct RawRemoteReply {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;
    // The first header named `name` (ASCII case-insensitive); empty if absent.
    std::string_view header(std::string_view name) const noexcept;
};

// Signed requests to other homeservers (digest federation.md §0-§3).
//
// Each request resolves the destination (IP literal, explicit port,
// /.well-known/matrix/server with its cache, else port 8448; no SRV, see
// discovery.hpp), signs it with X-Matrix as our server, and sends it with
// cpp-httplib on a BlockingPool thread (one connection per request), with
// the timeouts above. Thread-safe.
//
// Errors of get/put/post:
// - Errc::remote_unavailable: no answer (DNS, connect, TLS, timeout), a
//   5xx, a non-JSON or oversized body, or a Matrix error outside the
//   allowlist below. Callers treat it as "retry later".
// - a remote Matrix error of the allowlist becomes our Errc of that name:
//   M_NOT_FOUND, M_FORBIDDEN, M_UNRECOGNIZED, M_LIMIT_EXCEEDED, M_BAD_JSON,
//   M_NOT_JSON, M_INVALID_PARAM, M_MISSING_PARAM, M_TOO_LARGE,
//   M_UNSUPPORTED_ROOM_VERSION. Its message is ours ("Remote server: ...");
//   the remote status, errcode and text go to `detail` (logs), since a
//   remote's words are evidence, not an answer for our clients.
// Use request() when the exact status matters.
class FederationClient final : public KeyFetcher {
public:
    FederationClient(ServerName own_name, const crypto::SigningKey& key, BlockingPool& pool,
                     const Clock& clock, FederationClientOptions options);
    FederationClient(const FederationClient&) = delete;  // one well-known cache
    FederationClient& operator=(const FederationClient&) = delete;

    // `path_and_query` starts with "/_matrix/", already percent-encoded.
    Task<Result<nlohmann::json>> get(const ServerName& destination, std::string path_and_query);
    Task<Result<nlohmann::json>> put(const ServerName& destination, std::string path,
                                     nlohmann::json body);
    Task<Result<nlohmann::json>> post(const ServerName& destination, std::string path,
                                      nlohmann::json body);

    // The signed request, with the answer as it came (any status). `body`
    // null means no body (GET). Errors: remote_unavailable when there is no
    // HTTP answer; bad_json when `body` has no canonical form.
    Task<Result<RemoteReply>> request(ServerName destination, std::string method,
                                      std::string path_and_query, nlohmann::json body);

    // A signed GET whose answer is kept as it came (any status), body
    // unparsed: for media. Errors: remote_unavailable when there is no HTTP
    // answer or the body exceeds `max_body_bytes` (which replaces
    // max_response_bytes for this call).
    Task<Result<RawRemoteReply>> get_raw(ServerName destination, std::string path_and_query,
                                         std::size_t max_body_bytes);

    // Where a request to `destination` goes, using (and filling) the
    // .well-known cache. Never fails: without delegation, the name itself.
    Task<ResolvedServer> resolve(ServerName destination);

    // KeyFetcher: unauthenticated-in-spirit key requests (they are signed
    // too, which key servers ignore).
    Task<Result<nlohmann::json>> fetch_server_keys(ServerName server) override;
    Task<Result<nlohmann::json>> query_notary(ServerName notary, nlohmann::json body) override;

private:
    struct WellKnown {
        std::optional<ServerName> delegated;
        std::int64_t expires_ms = 0;
    };
    Task<std::optional<ServerName>> well_known(ServerName server);

    ServerName own_name_;
    const crypto::SigningKey& key_;
    BlockingPool& pool_;
    const Clock& clock_;
    FederationClientOptions options_;
    std::mutex mutex_;
    std::map<std::string, WellKnown, std::less<>> well_known_;  // guarded by mutex_
};

// Percent-encodes `text` for a path segment or query value of a federation
// request: everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// Maps a remote answer to the get/put/post result described above.
// `destination` and `what` only go into error details.
Result<nlohmann::json> map_remote_reply(const RemoteReply& reply, std::string_view destination,
                                        std::string_view what);

}  // namespace chat::federation
