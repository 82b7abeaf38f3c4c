#include <chat/federation/client/x_matrix.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/json/base64.hpp>

#include "support/spec_vectors.hpp"

namespace chat::federation {
namespace {

crypto::SigningKey spec_key() {
    const auto& key = test::spec_vectors()["signing_key"];
    auto seed = json::base64_decode(key["seed_base64"].get<std::string>());
    EXPECT_TRUE(seed);
    auto signing = crypto::SigningKey::from_seed("1", *seed);
    EXPECT_TRUE(signing);
    return *signing;
}

ServerName name(std::string_view text) { return *ServerName::parse(text); }

TEST(XMatrix, HeadersMatchTheDerivedSpecVectors) {
    const auto key = spec_key();
    for (const auto& vector : test::spec_vectors()["x_matrix_request_signing_derived"]["vectors"]) {
        const nlohmann::json* content = vector.contains("content") ? &vector["content"] : nullptr;
        auto header = x_matrix_authorization(
            name(vector["origin"].get<std::string>()),
            name(vector["destination"].get<std::string>()), key,
            vector["method"].get<std::string>(), vector["uri"].get<std::string>(), content);
        ASSERT_TRUE(header);
        EXPECT_EQ(*header, vector["derived_authorization_header"].get<std::string>());
        auto parsed = parse_x_matrix(*header);
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->origin, "domain");
        EXPECT_EQ(parsed->destination, "remote.example");
        EXPECT_EQ(parsed->key, "ed25519:1");
        EXPECT_EQ(parsed->sig, vector["derived_signature"].get<std::string>());
    }
}

TEST(XMatrix, SignedObjectVerifiesWithTheSenderKey) {
    const auto key = spec_key();
    nlohmann::json body = {{"a", 1}};
    auto header = x_matrix_authorization(name("domain"), name("remote.example"), key, "POST",
                                         "/_matrix/x?y=1", &body);
    ASSERT_TRUE(header);
    auto parsed = parse_x_matrix(*header);
    ASSERT_TRUE(parsed);
    auto object = x_matrix_signed_object("POST", "/_matrix/x?y=1", "domain", "remote.example", &body);
    object["signatures"]["domain"][parsed->key] = parsed->sig;
    EXPECT_TRUE(crypto::verify_json(object, "domain", key.verify_key()));
    object["content"]["a"] = 2;  // a tampered body
    EXPECT_FALSE(crypto::verify_json(object, "domain", key.verify_key()));
}

TEST(XMatrix, ParserAcceptsTheSyntaxRfc9110Allows) {
    auto parsed = parse_x_matrix(
        "x-matrix  Key=ed25519:k ,\tORIGIN=\"a.org:8448\", unknown=\"x\",, "
        "destination = b.org , signature=\"ab\\\"c+/\"");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->origin, "a.org:8448");
    EXPECT_EQ(parsed->destination, "b.org");
    EXPECT_EQ(parsed->key, "ed25519:k");
    EXPECT_EQ(parsed->sig, "ab\"c+/");
    auto bare = parse_x_matrix("X-Matrix origin=a.org,key=ed25519:k,sig=abc/+=");
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->destination);
    EXPECT_EQ(bare->sig, "abc/+=");
}

TEST(XMatrix, ParserRefusesMalformedHeaders) {
    for (std::string_view bad : {
             "",
             "Bearer abc",
             "X-Matrix",
             "X-Matrixorigin=a.org,key=ed25519:k,sig=s",
             "X-Matrix key=ed25519:k,sig=s",                       // no origin
             "X-Matrix origin=a.org,sig=s",                        // no key
             "X-Matrix origin=a.org,key=ed25519:k",                // no sig
             "X-Matrix origin=a.org,origin=b.org,key=k,sig=s",    // twice
             "X-Matrix origin=\"a.org,key=k,sig=s",                // unterminated
             "X-Matrix origin=a.org key=k,sig=s",                  // no comma
             "X-Matrix origin=\"a b\",key=k,sig=s",                // not a server name
             "X-Matrix origin=\"a.org\x01\",key=k,sig=s",          // control character
             "X-Matrix =a.org,key=k,sig=s",
         }) {
        auto parsed = parse_x_matrix(bad);
        EXPECT_FALSE(parsed) << bad;
        if (!parsed) {
            EXPECT_EQ(parsed.error().code, Errc::unknown_token) << bad;
        }
    }
    EXPECT_FALSE(parse_x_matrix("X-Matrix origin=a.org,key=k,sig=" +
                                std::string(kMaxXMatrixHeaderBytes, 'a')));
}

}  // namespace
}  // namespace chat::federation
