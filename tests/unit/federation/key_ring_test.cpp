#include <chat/federation/keys/key_ring.hpp>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chat/crypto/json_signing.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/sqlite.hpp>

namespace chat::federation {
namespace {

template <typename T>
Task<std::optional<T>> optional_of(Task<T> task) {
    co_return co_await std::move(task);
}

// Runs `task` to completion on a private io_context in this thread.
template <typename T>
T run(Task<T> task) {
    boost::asio::io_context io;
    auto result = boost::asio::co_spawn(io, optional_of(std::move(task)), boost::asio::use_future);
    io.run();
    return std::move(*result.get());
}

class FixedClock final : public Clock {
public:
    std::int64_t now_ms() const override { return now; }
    std::int64_t now = 1'000'000'000;
};

ServerName name(std::string_view text) { return *ServerName::parse(text); }

// Key responses served from memory, counting requests.
class FakeFetcher final : public KeyFetcher {
public:
    Task<Result<nlohmann::json>> fetch_server_keys(ServerName server) override {
        ++direct_calls;
        if (slow) {  // long enough for a second lookup to arrive meanwhile
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
            timer.expires_after(std::chrono::milliseconds(50));
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        auto found = direct.find(std::string(server.str()));
        if (found == direct.end())
            co_return make_error(Errc::remote_unavailable, "down");
        co_return found->second;
    }
    Task<Result<nlohmann::json>> query_notary(ServerName notary, nlohmann::json body) override {
        ++notary_calls;
        last_notary_body = body;
        auto found = notary_answers.find(std::string(notary.str()));
        if (found == notary_answers.end()) co_return make_error(Errc::remote_unavailable, "down");
        co_return found->second;
    }
    std::map<std::string, nlohmann::json> direct;
    std::map<std::string, nlohmann::json> notary_answers;
    nlohmann::json last_notary_body;
    int direct_calls = 0;
    bool slow = false;
    int notary_calls = 0;
};

class KeyRingTest : public ::testing::Test {
protected:
    KeyRingTest()
        : path_(std::filesystem::temp_directory_path() /
                ("key-ring-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db")),
          store_(open()), pool_(2), db_(*store_, pool_) {}
    ~KeyRingTest() override {
        pool_.join();
        store_.reset();
        std::error_code ignored;
        for (auto suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(path_.string() + suffix, ignored);
    }

    std::unique_ptr<store::Store> open() {
        std::filesystem::remove(path_);
        auto opened = store::open_sqlite(path_.string());
        EXPECT_TRUE(opened);
        return std::move(*opened);
    }

    std::unique_ptr<KeyRing> ring(KeyRingOptions options = {}) {
        return std::make_unique<KeyRing>(name("us.org"), own_, db_, fetcher_, clock_,
                                         std::move(options));
    }

    // b.org's key response, valid for `validity` ms from now.
    nlohmann::json b_keys(std::int64_t validity, std::vector<OldVerifyKey> olds = {}) {
        return *make_server_keys(name("b.org"), b_key_, olds, clock_.now + validity);
    }

    std::filesystem::path path_;
    std::unique_ptr<store::Store> store_;
    BlockingPool pool_;
    DbExecutor db_;
    FixedClock clock_;
    FakeFetcher fetcher_;
    crypto::SigningKey own_ = crypto::SigningKey::generate("us");
    crypto::SigningKey b_key_ = crypto::SigningKey::generate("b1");
};

TEST_F(KeyRingTest, FetchesOnceThenServesFromMemoryAndStore) {
    fetcher_.direct["b.org"] = b_keys(3600 * 1000);
    auto keys = ring();
    auto key = run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now));
    ASSERT_TRUE(key) << key.error().detail;
    EXPECT_EQ(key->public_key(), b_key_.verify_key().public_key());
    ASSERT_TRUE(run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now)));
    EXPECT_EQ(fetcher_.direct_calls, 1);

    // A new ring (a restart) finds it in the store.
    auto restarted = ring();
    ASSERT_TRUE(run(restarted->verify_key(name("b.org"), "ed25519:b1", clock_.now)));
    EXPECT_EQ(fetcher_.direct_calls, 1);
}

TEST_F(KeyRingTest, RefetchesWhenTheCachedKeyIsTooOldAndRateLimits) {
    fetcher_.direct["b.org"] = b_keys(1000);
    auto keys = ring(KeyRingOptions{.min_refetch_interval_ms = 5000});
    ASSERT_TRUE(run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now)));
    // Needed after valid_until_ts, but fetched too recently: not asked again.
    auto later = run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now + 2000));
    ASSERT_FALSE(later);
    EXPECT_EQ(later.error().code, Errc::not_found);
    EXPECT_EQ(fetcher_.direct_calls, 1);

    clock_.now += 6000;
    fetcher_.direct["b.org"] = b_keys(3600 * 1000);
    ASSERT_TRUE(run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now)));
    EXPECT_EQ(fetcher_.direct_calls, 2);
    // Unknown key ids do not hammer the server either.
    EXPECT_FALSE(run(keys->verify_key(name("b.org"), "ed25519:nope", clock_.now)));
    EXPECT_EQ(fetcher_.direct_calls, 2);
}

TEST_F(KeyRingTest, ConcurrentLookupsShareOneFetch) {
    fetcher_.direct["b.org"] = b_keys(3600 * 1000);
    fetcher_.slow = true;
    auto keys = ring();
    const auto b = name("b.org");
    boost::asio::io_context io;
    auto first = boost::asio::co_spawn(
        io, optional_of(keys->verify_key(b, "ed25519:b1", clock_.now)), boost::asio::use_future);
    auto second = boost::asio::co_spawn(
        io, optional_of(keys->verify_key(b, "ed25519:b1", clock_.now)), boost::asio::use_future);
    io.run();
    EXPECT_TRUE(*first.get());
    EXPECT_TRUE(*second.get());
    EXPECT_EQ(fetcher_.direct_calls, 1);
}

TEST_F(KeyRingTest, OldKeysOnlyBeforeTheyExpired) {
    auto old = crypto::SigningKey::generate("b0");
    fetcher_.direct["b.org"] =
        b_keys(3600 * 1000, {{old.key_id(), old.verify_key().public_key_base64(), clock_.now - 10}});
    auto keys = ring();
    EXPECT_TRUE(run(keys->verify_key(name("b.org"), "ed25519:b0", clock_.now - 100)));
    auto after = run(keys->verify_key(name("b.org"), "ed25519:b0", clock_.now));
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, Errc::not_found);
    // Room versions 1-4: validity ignored.
    EXPECT_TRUE(run(keys->verify_key(name("b.org"), "ed25519:b0", 0)));
}

TEST_F(KeyRingTest, RefusesResponsesForAnotherServerOrBadlySigned) {
    fetcher_.direct["b.org"] = *make_server_keys(name("c.org"), b_key_, {}, clock_.now + 5000);
    auto keys = ring();
    EXPECT_FALSE(run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now)));
    auto tampered = b_keys(5000);
    tampered["verify_keys"]["ed25519:b1"]["key"] =
        crypto::SigningKey::generate("b1").verify_key().public_key_base64();
    fetcher_.direct["d.org"] = tampered;
    fetcher_.direct["d.org"]["server_name"] = "d.org";
    EXPECT_FALSE(run(keys->verify_key(name("d.org"), "ed25519:b1", clock_.now)));
}

TEST_F(KeyRingTest, FallsBackToANotaryWhoseSignatureIsChecked) {
    auto notary_key = crypto::SigningKey::generate("n1");
    auto response = b_keys(3600 * 1000);
    ASSERT_TRUE(crypto::sign_json(response, "notary.org", notary_key));
    fetcher_.notary_answers["notary.org"] = {{"server_keys", {response}}};
    KeyRingOptions options;
    options.notaries.push_back({name("notary.org"), {notary_key.verify_key()}});
    auto keys = ring(options);
    auto key = run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now));
    ASSERT_TRUE(key) << key.error().detail;
    EXPECT_EQ(fetcher_.direct_calls, 1);
    EXPECT_EQ(fetcher_.notary_calls, 1);
    EXPECT_EQ(fetcher_.last_notary_body["server_keys"]["b.org"]["ed25519:b1"]
                                       ["minimum_valid_until_ts"],
              clock_.now);

    // A notary answer without the notary's own signature is not trusted.
    fetcher_.notary_answers["notary.org"] = {{"server_keys", {b_keys(3600 * 1000)}}};
    auto refused = run(keys->verify_key(name("e.org"), "ed25519:b1", clock_.now));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::not_found);
}

TEST_F(KeyRingTest, UnreachableWithoutNotariesMeansRetryLater) {
    auto keys = ring();
    auto key = run(keys->verify_key(name("b.org"), "ed25519:b1", clock_.now));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, Errc::remote_unavailable);
}

TEST_F(KeyRingTest, VerifySignedByChecksTheServersSignature) {
    fetcher_.direct["b.org"] = b_keys(3600 * 1000);
    auto keys = ring();
    nlohmann::json object = {{"hello", "world"}};
    ASSERT_TRUE(crypto::sign_json(object, "b.org", b_key_));
    EXPECT_TRUE(run(keys->verify_signed_by(object, name("b.org"), clock_.now)));

    auto tampered = object;
    tampered["hello"] = "there";
    auto bad = run(keys->verify_signed_by(tampered, name("b.org"), clock_.now));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::forbidden);

    auto not_signed = run(keys->verify_signed_by(object, name("c.org"), clock_.now));
    ASSERT_FALSE(not_signed);
    EXPECT_EQ(not_signed.error().code, Errc::forbidden);
}

TEST_F(KeyRingTest, OwnKeysNeedNoFetchAndNotaryAnswersCarryOurSignature) {
    auto keys = ring(KeyRingOptions{.own_validity_ms = 7200 * 1000});
    auto own = keys->own_keys();
    ASSERT_TRUE(own);
    EXPECT_EQ((*own)["valid_until_ts"], clock_.now + 7200 * 1000);
    EXPECT_TRUE(parse_server_keys(*own, name("us.org")));
    EXPECT_TRUE(run(keys->verify_key(name("us.org"), own_.key_id(), clock_.now)));
    EXPECT_EQ(fetcher_.direct_calls, 0);

    fetcher_.direct["b.org"] = b_keys(3600 * 1000);
    auto answers = run(keys->responses_for(name("b.org"), clock_.now));
    ASSERT_TRUE(answers);
    ASSERT_EQ(answers->size(), 1u);
    EXPECT_TRUE(crypto::verify_json(answers->front(), "us.org", own_.verify_key()));
    EXPECT_TRUE(crypto::verify_json(answers->front(), "b.org", b_key_.verify_key()));
    // Cached now: a second answer does not fetch again, even with b.org down.
    fetcher_.direct.erase("b.org");
    auto again = run(keys->responses_for(name("b.org"), clock_.now));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->size(), 1u);
    EXPECT_EQ(fetcher_.direct_calls, 1);
    auto nobody = run(keys->responses_for(name("x.org"), clock_.now));
    ASSERT_TRUE(nobody);
    EXPECT_TRUE(nobody->empty());
}

}  // namespace
}  // namespace chat::federation
