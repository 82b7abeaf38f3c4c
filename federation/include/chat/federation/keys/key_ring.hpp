#pragma once

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
#include <chat/federation/keys/key_fetcher.hpp>
#include <chat/federation/keys/server_keys.hpp>
#include <chat/federation/runtime/task.hpp>
#include <chat/json/parse.hpp>

namespace chat::federation {

class DbExecutor;

// A notary we ask for keys when a server does not answer itself
// (config federation.trusted_key_servers).
struct TrustedKeyServer {
    ServerName server_name;
    // Its keys as configured; empty: fetched from it directly, like anyone's.
    std::vector<crypto::VerifyKey> verify_keys;
};

struct KeyRingOptions {
    // How long our own key response says it is valid (federation.key_validity_hours).
    std::int64_t own_validity_ms = 24 * 3600 * 1000;
    std::vector<OldVerifyKey> own_old_keys;
    std::vector<TrustedKeyServer> notaries;
    // A server is asked again at most this often (the spec asks requesters to
    // rate-limit key fetches): a forged request naming a made-up key id costs
    // one fetch per interval, not one per request.
    std::int64_t min_refetch_interval_ms = 30 * 1000;
};

// Servers' signing keys: ours, and remote ones fetched and cached (digest
// federation.md §2). Caches in memory and in the store (server_keys), with
// each key's validity: valid_until_ts from the response, capped at 7 days
// after fetching (spec: the lesser of valid_until_ts and 7 days ahead);
// old_verify_keys only before their expired_ts.
//
// Thread-safe: coroutines on any executor may call it concurrently (the
// memory cache sits behind a mutex held only between awaits).
class KeyRing {
public:
    KeyRing(ServerName own_name, const crypto::SigningKey& own_key, DbExecutor& db,
            KeyFetcher& fetcher, const Clock& clock, KeyRingOptions options);
    KeyRing(const KeyRing&) = delete;  // caches and the fetch log are one per server
    KeyRing& operator=(const KeyRing&) = delete;

    // The key `key_id` of `server`, usable at `needed_at_ms` (ms since the
    // epoch): a current key valid until then, or an old key that expired
    // after it. needed_at_ms <= 0 takes any key we know, whatever its
    // validity (room versions 1-4 ignore valid_until_ts). Looks in memory,
    // then the store, then asks `server` itself, then each notary. Errors:
    // Errc::not_found when no source has the key (or it is not usable then),
    // Errc::remote_unavailable when the server and the notaries could not be
    // reached (retry later).
    Task<Result<crypto::VerifyKey>> verify_key(const ServerName& server, std::string_view key_id,
                                               std::int64_t needed_at_ms);

    // Whether `object` carries a valid signature of `server` by one of its
    // keys usable at `needed_at_ms`. Errors: Errc::forbidden when it is not
    // signed by `server` or no signature verifies; remote_unavailable when no
    // key could be fetched because the server could not be reached.
    Task<Result<void>> verify_signed_by(const nlohmann::json& object, const ServerName& server,
                                        std::int64_t needed_at_ms,
                                        json::Numbers numbers = json::Numbers::strict);

    // Our own key response, GET /_matrix/key/v2/server: signed, valid for
    // own_validity_ms from now.
    Result<nlohmann::json> own_keys() const;

    // Notary answers (/_matrix/key/v2/query): the key responses we hold for
    // `server`, refreshed from it when none is valid until
    // `minimum_valid_until_ts`, each with our signature added. A stale
    // response is still returned when the server does not answer (so that
    // old signatures stay checkable); none at all gives an empty list.
    Task<Result<std::vector<nlohmann::json>>> responses_for(ServerName server,
                                                            std::int64_t minimum_valid_until_ts);

    const ServerName& own_name() const noexcept { return own_name_; }

private:
    struct CachedKey {
        crypto::VerifyKey key;
        std::int64_t valid_until_ts = 0;
        std::optional<std::int64_t> expired_ts;
    };
    using CacheKey = std::pair<std::string, std::string>;  // server, key id

    static bool usable(const CachedKey& key, std::int64_t needed_at_ms);
    std::optional<CachedKey> own_key(std::string_view key_id) const;
    std::optional<CachedKey> cached(const ServerName& server, std::string_view key_id) const;
    void remember(const ServerName& server, const CachedKey& key);
    // Who fetches `server`'s keys now: us (claimed), another coroutine that
    // is at it (in_flight: wait for it), or nobody, since a fetch happened
    // within min_refetch_interval_ms (recent).
    enum class FetchClaim { claimed, in_flight, recent };
    FetchClaim claim_fetch(const ServerName& server);
    void finish_fetch(const ServerName& server);
    // Ends a claimed fetch however the coroutine leaves (errors, exceptions).
    struct FetchGuard {
        KeyRing& ring;
        ServerName server;
        ~FetchGuard() { ring.finish_fetch(server); }
    };
    // Polls until no fetch of `server` is in flight (or about a minute passed).
    Task<void> wait_for_fetch(ServerName server);
    // Checks and stores a response said to be `server`'s. Errors: as parse_server_keys.
    Task<Result<ServerKeyResponse>> accept_response(ServerName server, nlohmann::json response);
    Task<Result<void>> fetch_direct(ServerName server);
    Task<Result<void>> fetch_from_notaries(ServerName server, std::string key_id,
                                           std::int64_t needed_at_ms);
    Task<Result<void>> check_notary_signature(const nlohmann::json& response,
                                              const TrustedKeyServer& notary);

    ServerName own_name_;
    const crypto::SigningKey& own_key_;
    DbExecutor& db_;
    KeyFetcher& fetcher_;
    const Clock& clock_;
    KeyRingOptions options_;

    mutable std::mutex mutex_;
    std::map<CacheKey, CachedKey> cache_;            // guarded by mutex_
    struct FetchState {
        std::int64_t started_ms = 0;
        bool in_flight = false;
    };
    std::map<std::string, FetchState> fetches_;  // by server; guarded by mutex_
};

}  // namespace chat::federation
