#include <chat/crypto/json_signing.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/json/base64.hpp>

#include "support/spec_vectors.hpp"

namespace chat::crypto {
namespace {

using nlohmann::json;

SigningKey spec_key() {
    const auto& v = test::spec_vectors()["signing_key"];
    // The spec's seed is not canonical base64 (non-zero trailing bits); the key file
    // parser accepts it as Synapse does.
    auto key = SigningKey::parse("ed25519 1 " + v["seed_base64"].get<std::string>());
    EXPECT_TRUE(key);
    return *key;
}

const std::string kServer = "domain";

// A signed object to tamper with in the refusal tests.
json signed_sample() {
    json object = {{"one", 1}, {"two", "Two"}, {"unsigned", {{"age_ts", 5}}}};
    EXPECT_TRUE(sign_json(object, kServer, spec_key()));
    return object;
}

TEST(JsonSigning, PublishedVectorsAreByteExact) {
    const auto& vectors = test::spec_vectors()["json_signing"]["vectors"];
    ASSERT_EQ(vectors.size(), 2u);
    auto key = spec_key();
    for (const auto& v : vectors) {
        auto bytes = signing_bytes(v["input"]);
        ASSERT_TRUE(bytes);
        EXPECT_EQ(*bytes, v["derived_signed_bytes"].get<std::string>());

        json object = v["input"];
        ASSERT_TRUE(sign_json(object, kServer, key));
        EXPECT_EQ(object["signatures"][kServer]["ed25519:1"].get<std::string>(),
                  v["expected_signature"].get<std::string>());
        EXPECT_EQ(object, v["expected_signed"]);

        EXPECT_TRUE(verify_json(v["expected_signed"], kServer, key.verify_key()));
        auto published_key = VerifyKey::from_base64(
            "ed25519:1",
            test::spec_vectors()["signing_key"]["derived_public_key_base64"].get<std::string>());
        ASSERT_TRUE(published_key);
        EXPECT_TRUE(verify_json(v["expected_signed"], kServer, *published_key));
    }
}

TEST(JsonSigning, SigningBytesLeaveOutSignaturesAndUnsignedOnlyAtTopLevel) {
    json object = {{"b", 1},
                   {"signatures", {{"x", {{"ed25519:1", "sig"}}}}},
                   {"unsigned", {{"age", 1}}},
                   {"a", {{"unsigned", true}, {"signatures", false}}}};
    auto bytes = signing_bytes(object);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, R"({"a":{"signatures":false,"unsigned":true},"b":1})");
}

TEST(JsonSigning, SignKeepsOtherSignaturesAndUnsigned) {
    json object = {{"a", 1},
                   {"signatures", {{"other.example", {{"ed25519:x", "c2ln"}}},
                                   {kServer, {{"ed25519:old", "b2xk"}}}}},
                   {"unsigned", {{"age_ts", 7}}}};
    ASSERT_TRUE(sign_json(object, kServer, spec_key()));
    EXPECT_EQ(object["signatures"]["other.example"]["ed25519:x"], "c2ln");
    EXPECT_EQ(object["signatures"][kServer]["ed25519:old"], "b2xk");
    EXPECT_TRUE(object["signatures"][kServer].contains("ed25519:1"));
    EXPECT_EQ(object["unsigned"], json({{"age_ts", 7}}));
    EXPECT_TRUE(verify_json(object, kServer, spec_key().verify_key()));
}

TEST(JsonSigning, RelaysMayAddUnsignedAndSignatures) {
    auto object = signed_sample();
    object["unsigned"]["age"] = 1234;
    object["signatures"]["relay.example"] = {{"ed25519:r", "AAAA"}};
    EXPECT_TRUE(verify_json(object, kServer, spec_key().verify_key()));
}

TEST(JsonSigning, SignRefusesMalformedObjectsAndLeavesThemAlone) {
    auto key = spec_key();
    for (json bad : {json::array(), json("text"), json({{"signatures", "x"}}),
                     json({{"signatures", {{kServer, 1}}}}), json({{"f", 1.5}})}) {
        const json before = bad;
        auto result = sign_json(bad, kServer, key);
        ASSERT_FALSE(result) << before.dump();
        EXPECT_EQ(result.error().code, Errc::bad_json);
        EXPECT_EQ(bad, before);
    }
}

TEST(JsonSigning, VerifyRefusesATamperedObject) {
    auto object = signed_sample();
    object["two"] = "Three";
    auto result = verify_json(object, kServer, spec_key().verify_key());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::forbidden);

    auto added = signed_sample();
    added["three"] = 3;
    EXPECT_FALSE(verify_json(added, kServer, spec_key().verify_key()));
}

TEST(JsonSigning, VerifyRefusesAWrongKey) {
    auto object = signed_sample();
    auto stranger = SigningKey::generate("1").verify_key();  // same key id, other key
    auto result = verify_json(object, kServer, stranger);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::forbidden);
}

TEST(JsonSigning, VerifyRefusesMissingSignatures) {
    auto verify = spec_key().verify_key();
    std::vector<json> missing;
    auto no_signatures = signed_sample();
    no_signatures.erase("signatures");
    missing.push_back(no_signatures);
    auto other_entity = signed_sample();
    other_entity["signatures"] = {{"elsewhere", other_entity["signatures"][kServer]}};
    missing.push_back(other_entity);
    auto other_key_id = signed_sample();
    auto sig = other_key_id["signatures"][kServer]["ed25519:1"];
    other_key_id["signatures"][kServer] = {{"ed25519:2", sig}};
    missing.push_back(other_key_id);
    auto not_objects = signed_sample();
    not_objects["signatures"] = json::array();
    missing.push_back(not_objects);
    auto entity_not_object = signed_sample();
    entity_not_object["signatures"][kServer] = "sig";
    missing.push_back(entity_not_object);
    auto sig_not_string = signed_sample();
    sig_not_string["signatures"][kServer]["ed25519:1"] = 5;
    missing.push_back(sig_not_string);
    missing.push_back(json::array());

    for (const auto& object : missing) {
        auto result = verify_json(object, kServer, verify);
        ASSERT_FALSE(result) << object.dump();
        EXPECT_EQ(result.error().code, Errc::forbidden) << object.dump();
    }
}

TEST(JsonSigning, VerifyRefusesUndecodableSignatures) {
    auto verify = spec_key().verify_key();
    for (const char* bad : {"not base64!", "", "AAAA", "K8280/U9SSy9IVtjBuVeLr+Hp"}) {
        auto object = signed_sample();
        object["signatures"][kServer]["ed25519:1"] = bad;
        auto result = verify_json(object, kServer, verify);
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error().code, Errc::forbidden) << bad;
    }
}

TEST(JsonSigning, LenientNumbersSignWhatStrictRefuses) {
    json object = {{"pl", 50.5}, {"big", 9007199254740993LL}};
    auto strict = signing_bytes(object);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, Errc::bad_json);

    auto key = spec_key();
    ASSERT_TRUE(sign_json(object, kServer, key, chat::json::Numbers::lenient));
    EXPECT_TRUE(verify_json(object, kServer, key.verify_key(), chat::json::Numbers::lenient));
    auto strict_verify = verify_json(object, kServer, key.verify_key());
    ASSERT_FALSE(strict_verify);
    EXPECT_EQ(strict_verify.error().code, Errc::bad_json);
}

TEST(JsonSigning, SignatureKeyIdsListsOnlyEd25519Keys) {
    json object = {{"signatures",
                    {{kServer, {{"ed25519:a", "x"}, {"curve25519:b", "y"}, {"ed25519:c", 3},
                                {"ed25519:d", "z"}}}}}};
    EXPECT_EQ(signature_key_ids(object, kServer),
              (std::vector<std::string>{"ed25519:a", "ed25519:d"}));
    EXPECT_TRUE(signature_key_ids(object, "other").empty());
    EXPECT_TRUE(signature_key_ids(json::array(), kServer).empty());
    EXPECT_TRUE(signature_key_ids(json({{"signatures", 1}}), kServer).empty());
}

}  // namespace
}  // namespace chat::crypto
