#include <chat/federation/keys/key_ring.hpp>

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/parse.hpp>
#include <chat/store/txn.hpp>

namespace chat::federation {

namespace {

// The spec (E§6.5): a key is trusted for at most 7 days after we fetched it,
// whatever valid_until_ts says, so that a compromised key ages out.
constexpr std::int64_t kMaxTrustMs = 7LL * 24 * 3600 * 1000;

std::string key_text(const ServerName& server, std::string_view key_id) {
    return std::string(server.str()) + " " + std::string(key_id);
}

}  // namespace

KeyRing::KeyRing(ServerName own_name, const crypto::SigningKey& own_key, DbExecutor& db,
                 KeyFetcher& fetcher, const Clock& clock, KeyRingOptions options)
    : own_name_(std::move(own_name)), own_key_(own_key), db_(db), fetcher_(fetcher),
      clock_(clock), options_(std::move(options)) {}

bool KeyRing::usable(const CachedKey& key, std::int64_t needed_at_ms) {
    if (needed_at_ms <= 0) return true;
    if (key.expired_ts) return needed_at_ms < *key.expired_ts;
    return key.valid_until_ts >= needed_at_ms;
}

std::optional<KeyRing::CachedKey> KeyRing::own_key(std::string_view key_id) const {
    if (key_id == own_key_.key_id())
        return CachedKey{own_key_.verify_key(), clock_.now_ms() + options_.own_validity_ms,
                         std::nullopt};
    for (const auto& old : options_.own_old_keys) {
        if (old.key_id != key_id) continue;
        auto key = crypto::VerifyKey::from_base64(old.key_id, old.public_key_base64);
        if (key) return CachedKey{std::move(*key), old.expired_ts, old.expired_ts};
    }
    return std::nullopt;
}

std::optional<KeyRing::CachedKey> KeyRing::cached(const ServerName& server,
                                                  std::string_view key_id) const {
    std::lock_guard lock(mutex_);
    auto found = cache_.find(CacheKey(server.str(), key_id));
    if (found == cache_.end()) return std::nullopt;
    return found->second;
}

void KeyRing::remember(const ServerName& server, const CachedKey& key) {
    std::lock_guard lock(mutex_);
    cache_.insert_or_assign(CacheKey(server.str(), key.key.key_id()), key);
}

KeyRing::FetchClaim KeyRing::claim_fetch(const ServerName& server) {
    const auto now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    auto [entry, inserted] = fetches_.try_emplace(std::string(server.str()));
    auto& state = entry->second;
    if (state.in_flight) return FetchClaim::in_flight;
    if (!inserted && now - state.started_ms < options_.min_refetch_interval_ms)
        return FetchClaim::recent;
    state = FetchState{now, true};
    return FetchClaim::claimed;
}

void KeyRing::finish_fetch(const ServerName& server) {
    std::lock_guard lock(mutex_);
    auto found = fetches_.find(std::string(server.str()));
    if (found != fetches_.end()) found->second.in_flight = false;
}

Task<void> KeyRing::wait_for_fetch(ServerName server) {
    // A fetch takes at most connect plus request timeouts; a burst of
    // requests from a new server waits for the one fetch instead of failing.
    constexpr auto kStep = std::chrono::milliseconds(50);
    constexpr int kMaxSteps = 60 * 20;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    for (int step = 0; step < kMaxSteps; ++step) {
        {
            std::lock_guard lock(mutex_);
            auto found = fetches_.find(std::string(server.str()));
            if (found == fetches_.end() || !found->second.in_flight) co_return;
        }
        timer.expires_after(kStep);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

Result<nlohmann::json> KeyRing::own_keys() const {
    return make_server_keys(own_name_, own_key_, options_.own_old_keys,
                            clock_.now_ms() + options_.own_validity_ms);
}

Task<Result<ServerKeyResponse>> KeyRing::accept_response(ServerName server,
                                                         nlohmann::json response) {
    auto parsed = parse_server_keys(response, server);
    if (!parsed) co_return parsed.error();
    const auto now = clock_.now_ms();
    const auto valid_until = std::min(parsed->valid_until_ts, now + kMaxTrustMs);
    std::vector<store::ServerKeyRow> rows;
    const auto text = parsed->response.dump();
    for (const auto& published : parsed->keys) {
        rows.push_back(store::ServerKeyRow{.server_name = std::string(server.str()),
                                           .key_id = published.key.key_id(),
                                           .public_key = published.key.public_key_base64(),
                                           .valid_until_ts = valid_until,
                                           .expired_ts = published.expired_ts,
                                           .fetched_ts = now,
                                           .key_json = text});
    }
    auto stored = co_await db_.write("server_keys_put", [&](store::WriteTxn& txn) -> Result<void> {
        for (const auto& row : rows) {
            // A stored old key stays old: a later response that lists it as
            // current again (a notary's stale copy) must not revive it.
            auto existing = txn.server_keys().get(row.server_name, row.key_id);
            if (!existing) return existing.error();
            auto copy = row;
            if (*existing && (*existing)->expired_ts && !copy.expired_ts)
                copy.expired_ts = (*existing)->expired_ts;
            if (auto put = txn.server_keys().put(copy); !put) return put;
        }
        return ok();
    });
    if (!stored) co_return stored.error();
    for (const auto& published : parsed->keys)
        remember(server, CachedKey{published.key, valid_until, published.expired_ts});
    co_return std::move(*parsed);
}

Task<Result<void>> KeyRing::fetch_direct(ServerName server) {
    auto response = co_await fetcher_.fetch_server_keys(server);
    if (!response) co_return response.error();
    auto accepted = co_await accept_response(server, std::move(*response));
    if (!accepted) co_return accepted.error();
    co_return ok();
}

Task<Result<void>> KeyRing::check_notary_signature(const nlohmann::json& response,
                                                   const TrustedKeyServer& notary) {
    auto key_ids = crypto::signature_key_ids(response, notary.server_name.str());
    for (const auto& key_id : key_ids) {
        std::optional<crypto::VerifyKey> key;
        if (!notary.verify_keys.empty()) {
            auto configured =
                std::find_if(notary.verify_keys.begin(), notary.verify_keys.end(),
                             [&](const crypto::VerifyKey& k) { return k.key_id() == key_id; });
            if (configured != notary.verify_keys.end()) key = *configured;
        } else {
            // The notary's own key, from the notary itself (never via notaries).
            auto fetched = co_await verify_key(notary.server_name, key_id, clock_.now_ms());
            if (fetched) key = std::move(*fetched);
        }
        if (key && crypto::verify_json(response, notary.server_name.str(), *key)) co_return ok();
    }
    co_return make_error(Errc::forbidden, "Notary answer not signed by the notary",
                         std::string(notary.server_name.str()));
}

Task<Result<void>> KeyRing::fetch_from_notaries(ServerName server, std::string key_id,
                                                std::int64_t needed_at_ms) {
    Result<void> outcome = make_error(Errc::not_found, "Server key not found",
                                      key_text(server, key_id) + ": no notary has it");
    for (const auto& notary : options_.notaries) {
        if (notary.server_name == server || notary.server_name == own_name_) continue;
        nlohmann::json criteria = nlohmann::json::object();
        if (needed_at_ms > 0) criteria["minimum_valid_until_ts"] = needed_at_ms;
        nlohmann::json body = {
            {"server_keys", {{std::string(server.str()), {{key_id, std::move(criteria)}}}}}};
        auto answer = co_await fetcher_.query_notary(notary.server_name, std::move(body));
        if (!answer) {
            outcome = answer.error();
            continue;
        }
        auto list = answer->find("server_keys");
        if (!answer->is_object() || list == answer->end() || !list->is_array()) continue;
        for (const auto& response : *list) {
            auto from_notary = co_await check_notary_signature(response, notary);
            if (!from_notary) continue;
            auto accepted = co_await accept_response(server, response);
            if (accepted) outcome = ok();
        }
        if (cached(server, key_id)) co_return ok();
    }
    co_return outcome;
}

Task<Result<crypto::VerifyKey>> KeyRing::verify_key(const ServerName& server,
                                                    std::string_view key_id,
                                                    std::int64_t needed_at_ms) {
    const ServerName name = server;  // copies: the caller's may not outlive a suspension
    const std::string id(key_id);
    if (name == own_name_) {
        auto own = own_key(id);
        if (own && usable(*own, needed_at_ms)) co_return std::move(own->key);
        co_return make_error(Errc::not_found, "Server key not found", key_text(name, id));
    }
    if (auto hit = cached(name, id); hit && usable(*hit, needed_at_ms)) co_return hit->key;

    auto row = co_await db_.read("server_key", [&](store::ReadTxn& txn) {
        return txn.server_keys().get(name.str(), id);
    });
    if (!row) co_return row.error();
    if (*row) {
        auto key = crypto::VerifyKey::from_base64((*row)->key_id, (*row)->public_key);
        if (key) {
            CachedKey stored{std::move(*key), (*row)->valid_until_ts, (*row)->expired_ts};
            remember(name, stored);
            if (usable(stored, needed_at_ms)) co_return std::move(stored.key);
        }
    }

    switch (claim_fetch(name)) {
    case FetchClaim::claimed: break;
    case FetchClaim::in_flight: {
        co_await wait_for_fetch(name);
        if (auto hit = cached(name, id); hit && usable(*hit, needed_at_ms)) co_return hit->key;
        co_return make_error(Errc::not_found, "Server key not found",
                             key_text(name, id) + ": not in the response fetched just now");
    }
    case FetchClaim::recent:
        co_return make_error(Errc::not_found, "Server key not found",
                             key_text(name, id) + ": fetched recently");
    }
    FetchGuard guard{*this, name};
    auto direct = co_await fetch_direct(name);
    if (auto hit = cached(name, id); hit && usable(*hit, needed_at_ms)) co_return hit->key;
    auto notaries = co_await fetch_from_notaries(name, id, needed_at_ms);
    if (auto hit = cached(name, id); hit && usable(*hit, needed_at_ms)) co_return hit->key;

    // Report "retry later" only when nobody could be asked at all.
    if (!direct && direct.error().code == Errc::remote_unavailable &&
        (options_.notaries.empty() ||
         (!notaries && notaries.error().code == Errc::remote_unavailable)))
        co_return direct.error();
    co_return make_error(Errc::not_found, "Server key not found", key_text(name, id));
}

Task<Result<void>> KeyRing::verify_signed_by(const nlohmann::json& object,
                                             const ServerName& server, std::int64_t needed_at_ms,
                                             json::Numbers numbers) {
    const ServerName name = server;
    auto key_ids = crypto::signature_key_ids(object, name.str());
    if (key_ids.empty())
        co_return make_error(Errc::forbidden, "Not signed by " + std::string(name.str()));
    Result<void> outcome = make_error(Errc::forbidden, "Signature does not verify",
                                      std::string(name.str()));
    bool any_key = false;
    for (const auto& key_id : key_ids) {
        auto key = co_await verify_key(name, key_id, needed_at_ms);
        if (!key) {
            if (!any_key && key.error().code == Errc::remote_unavailable) outcome = key.error();
            continue;
        }
        any_key = true;
        outcome = make_error(Errc::forbidden, "Signature does not verify", key_text(name, key_id));
        if (crypto::verify_json(object, name.str(), *key, numbers)) co_return ok();
    }
    co_return outcome;
}

Task<Result<std::vector<nlohmann::json>>> KeyRing::responses_for(
    ServerName server, std::int64_t minimum_valid_until_ts) {
    std::vector<nlohmann::json> out;
    if (server == own_name_) {
        auto own = own_keys();
        if (!own) co_return own.error();
        out.push_back(std::move(*own));
        co_return out;
    }
    auto rows = co_await db_.read("server_keys_of", [&](store::ReadTxn& txn) {
        return txn.server_keys().for_server(server.str());
    });
    if (!rows) co_return rows.error();
    const bool fresh = std::any_of(rows->begin(), rows->end(), [&](const store::ServerKeyRow& r) {
        return !r.expired_ts && r.valid_until_ts >= minimum_valid_until_ts;
    });
    if (!fresh && claim_fetch(server) == FetchClaim::claimed) {
        FetchGuard guard{*this, server};
        if (auto fetched = co_await fetch_direct(server); fetched) {
            rows = co_await db_.read("server_keys_of", [&](store::ReadTxn& txn) {
                return txn.server_keys().for_server(server.str());
            });
            if (!rows) co_return rows.error();
        }
    }
    std::set<std::string> seen;
    for (const auto& row : *rows) {
        if (!seen.insert(row.key_json).second) continue;
        auto response = json::parse(row.key_json);
        if (!response) continue;
        if (auto signed_ok = crypto::sign_json(*response, own_name_.str(), own_key_); !signed_ok)
            continue;
        out.push_back(std::move(*response));
    }
    co_return out;
}

}  // namespace chat::federation
