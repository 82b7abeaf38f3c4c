#include <chat/federation/keys/server_keys.hpp>

#include <gtest/gtest.h>

#include <chat/crypto/json_signing.hpp>

namespace chat::federation {
namespace {

ServerName name(std::string_view text) { return *ServerName::parse(text); }

TEST(ServerKeys, OurResponseIsSelfSignedAndParses) {
    auto key = crypto::SigningKey::generate("a1");
    auto old = crypto::SigningKey::generate("old");
    std::vector<OldVerifyKey> olds = {{old.key_id(), old.verify_key().public_key_base64(), 77}};
    auto response = make_server_keys(name("a.org"), key, olds, 1000);
    ASSERT_TRUE(response);
    EXPECT_EQ((*response)["valid_until_ts"], 1000);
    EXPECT_EQ((*response)["old_verify_keys"][old.key_id()]["expired_ts"], 77);
    EXPECT_TRUE(crypto::verify_json(*response, "a.org", key.verify_key()));

    auto parsed = parse_server_keys(*response, name("a.org"));
    ASSERT_TRUE(parsed) << parsed.error().detail;
    ASSERT_EQ(parsed->keys.size(), 2u);
    EXPECT_EQ(parsed->keys[0].key.key_id(), key.key_id());
    EXPECT_FALSE(parsed->keys[0].expired_ts);
    EXPECT_EQ(parsed->keys[1].key.key_id(), old.key_id());
    EXPECT_EQ(parsed->keys[1].expired_ts, 77);
    EXPECT_EQ(parsed->valid_until_ts, 1000);
}

TEST(ServerKeys, RefusesOtherNamesBadSignaturesAndShapes) {
    auto key = crypto::SigningKey::generate("a1");
    auto response = *make_server_keys(name("a.org"), key, {}, 1000);

    auto other = parse_server_keys(response, name("b.org"));
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, Errc::forbidden);

    auto tampered = response;
    tampered["valid_until_ts"] = 99999;
    auto bad_sig = parse_server_keys(tampered, name("a.org"));
    ASSERT_FALSE(bad_sig);
    EXPECT_EQ(bad_sig.error().code, Errc::forbidden);

    // Signed by a key that is not among its verify_keys: not self-signed.
    auto stranger = crypto::SigningKey::generate("zz");
    auto unsigned_response = response;
    unsigned_response.erase("signatures");
    ASSERT_TRUE(crypto::sign_json(unsigned_response, "a.org", stranger));
    EXPECT_FALSE(parse_server_keys(unsigned_response, name("a.org")));

    auto no_until = response;
    no_until.erase("valid_until_ts");
    auto shape = parse_server_keys(no_until, name("a.org"));
    ASSERT_FALSE(shape);
    EXPECT_EQ(shape.error().code, Errc::bad_json);
    EXPECT_FALSE(parse_server_keys(nlohmann::json::array(), name("a.org")));
}

}  // namespace
}  // namespace chat::federation
