#include <chat/events/event_hashes.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/sha256.hpp>
#include <chat/events/redaction.hpp>
#include <chat/json/base64.hpp>

#include "support/spec_vectors.hpp"

namespace chat {
namespace {

using nlohmann::json;

crypto::SigningKey spec_key() {
    const auto& v = test::spec_vectors()["signing_key"];
    // The spec's seed is not canonical base64 (non-zero trailing bits); the key file
    // parser accepts it as Synapse does.
    auto key = crypto::SigningKey::parse("ed25519 1 " + v["seed_base64"].get<std::string>());
    EXPECT_TRUE(key);
    return *key;
}

const json& event_vectors() { return test::spec_vectors()["event_signing"]["vectors"]; }

// The versions a published vector applies to: both reproduce only with the v1-v10
// redaction rules, and one carrying an `event_id` field is a v1/v2 event.
std::vector<const RoomVersion*> versions_for(const json& vector) {
    std::vector<const RoomVersion*> out;
    bool has_event_id = vector["input"].contains("event_id");
    for (const auto& v : RoomVersion::all()) {
        if (v.redaction_rules == RedactionRules::r11) continue;
        if (has_event_id && !v.event_id_in_pdu()) continue;
        out.push_back(&v);
    }
    return out;
}

std::string b64(const std::string& bytes) { return chat::json::base64_encode(bytes); }

TEST(EventSigning, PublishedVectorsAreByteExact) {
    ASSERT_EQ(event_vectors().size(), 2u);
    const auto key = spec_key();
    for (const auto& vec : event_vectors()) {
        const auto versions = versions_for(vec);
        ASSERT_FALSE(versions.empty());
        for (const auto* v : versions) {
            SCOPED_TRACE("room version " + std::string(v->id) + ", input " + vec["input"].dump());

            auto preimage = content_hash_preimage(vec["input"], *v);
            ASSERT_TRUE(preimage);
            EXPECT_EQ(*preimage, vec["derived_content_hash_preimage"].get<std::string>());
            auto hash = content_hash(vec["input"], *v);
            ASSERT_TRUE(hash);
            EXPECT_EQ(b64(*hash), vec["expected_hashes_sha256"].get<std::string>());

            json event = vec["input"];
            ASSERT_TRUE(sign_event(event, "domain", key, *v));
            EXPECT_EQ(event, vec["expected_signed"]);
            EXPECT_EQ(event["signatures"]["domain"]["ed25519:1"].get<std::string>(),
                      vec["expected_signature"].get<std::string>());

            const json& published = vec["expected_signed"];
            auto signed_bytes = reference_hash_preimage(published, *v);
            ASSERT_TRUE(signed_bytes);
            EXPECT_EQ(*signed_bytes, vec["derived_redacted_signature_preimage"].get<std::string>());
            EXPECT_TRUE(verify_event_signature(published, "domain", key.verify_key(), *v));
            EXPECT_TRUE(check_content_hash(published, *v));
        }
    }
}

// sign_event's id comes from the bytes it signed; it must be the id every
// other server computes from the published event.
TEST(EventSigning, TheIdSignEventGivesIsTheComputedEventIdInEveryVersion) {
    const auto key = crypto::SigningKey::generate("1");
    for (const auto& v : RoomVersion::all()) {
        SCOPED_TRACE(std::string(v.id));
        json event = {{"type", "m.room.message"},
                      {"room_id", "!r:domain"},
                      {"sender", "@a:domain"},
                      {"content", {{"body", "caf\u00e9"}, {"n", 3}}},
                      {"origin_server_ts", 1},
                      {"depth", 2},
                      {"prev_events", json::array()},
                      {"auth_events", json::array()},
                      {"unsigned", {{"age", 4}}}};
        if (v.event_id_in_pdu()) event["event_id"] = "$legacy:domain";
        std::string id;
        ASSERT_TRUE(sign_event(event, "domain", key, v, &id));
        auto computed = compute_event_id(event, v);
        ASSERT_TRUE(computed);
        EXPECT_EQ(id, *computed);
        EXPECT_TRUE(verify_event_signature(event, "domain", key.verify_key(), v));
    }
}

// sign_event writes the signed bytes straight from the event, without the
// redacted copy §6.4 describes. Ed25519 is deterministic, so its signature
// must be the very one made over redact() of the event with its new hashes,
// for every version and every kind of content the redaction rules treat
// apart, whether the event came with a `hashes` member (as ours do) or not.
TEST(EventSigning, SignEventSignsExactlyTheRedactedEventInEveryVersion) {
    const auto key = crypto::SigningKey::generate("1");
    const std::vector<json> events = {
        json::parse(R"({"type":"m.room.message","content":{"body":"hi","x":{"y":1}},
                        "foo":"dropped","unsigned":{"age":4}})"),
        json::parse(R"({"type":"m.room.member","state_key":"@b:domain",
                        "content":{"membership":"join","displayname":"B",
                                   "join_authorised_via_users_server":"@c:domain",
                                   "third_party_invite":{"signed":{"token":"t"},
                                                         "display_name":"x"}}})"),
        json::parse(R"({"type":"m.room.power_levels","state_key":"",
                        "content":{"ban":50,"events":{"m.room.name":50},"events_default":0,
                                   "invite":0,"kick":50,"notifications":{"room":50},
                                   "redact":50,"state_default":50,
                                   "users":{"@a:domain":100},"users_default":0}})"),
        json::parse(R"({"type":"m.room.create","state_key":"",
                        "content":{"creator":"@a:domain","room_version":"9",
                                   "m.federate":true}})"),
        json::parse(R"({"type":"m.room.join_rules","state_key":"",
                        "content":{"join_rule":"restricted","allow":[],"x":1}})"),
        json::parse(R"({"type":"m.room.redaction","redacts":"$x:domain",
                        "content":{"redacts":"$x:domain","reason":"r"}})"),
        json::parse(R"({"type":"m.room.aliases","state_key":"domain",
                        "content":{"aliases":["#a:domain"]}})"),
        json::parse(R"({"type":"m.room.history_visibility","state_key":"",
                        "content":{"history_visibility":"shared","x":1}})"),
        json::parse(R"({"type":"m.room.member","state_key":"@b:domain","membership":"join",
                        "origin":"domain","prev_state":[],
                        "content":{"membership":"join"}})"),
        json::parse(R"({"type":"m.room.message","content":5})"),
        json::parse(R"({"type":"m.room.message"})"),
        json::parse(R"({"type":7,"content":{"a":1}})"),
        json::parse(R"({"type":"m.room.message","content":{"body":"b"},
                        "signatures":{"other.example":{"ed25519:k":"c2ln"}}})"),
    };
    for (const auto& v : RoomVersion::all()) {
        for (const auto& base : events) {
            SCOPED_TRACE(std::string(v.id) + " " + base.dump());
            json event = base;
            event["room_id"] = "!r:domain";
            event["sender"] = "@a:domain";
            event["origin_server_ts"] = 1;
            event["depth"] = 2;
            event["prev_events"] = json::array();
            event["auth_events"] = json::array();
            if (v.event_id_in_pdu()) event["event_id"] = "$legacy:domain";
            // The reference: §6.4 step by step, on a redacted copy.
            json expected = event;
            expected["hashes"] = {{"sha256", b64(*content_hash(event, v))}};
            json redacted = redact(expected, v);
            if (!v.event_id_in_pdu()) redacted.erase("event_id");
            ASSERT_TRUE(crypto::sign_json(redacted, "domain", key, canonical_numbers(v)));
            expected["signatures"] = redacted["signatures"];

            json without_hashes = event;
            json with_hashes = event;
            with_hashes["hashes"] = json::object();
            for (json* signed_event : {&without_hashes, &with_hashes}) {
                std::string id;
                ASSERT_TRUE(sign_event(*signed_event, "domain", key, v, &id));
                EXPECT_EQ(*signed_event, expected);
                EXPECT_EQ(id, *compute_event_id(expected, v));
                EXPECT_TRUE(verify_event_signature(*signed_event, "domain", key.verify_key(), v));
            }
        }
    }
}

TEST(EventSigning, PublishedVectorGivesTheDerivedReferenceHashAndEventIds) {
    const auto& vec = event_vectors()[0];
    ASSERT_FALSE(vec["input"].contains("event_id"));
    const json& published = vec["expected_signed"];

    auto ref = reference_hash(published, RoomVersion::v3);
    ASSERT_TRUE(ref);
    EXPECT_EQ(b64(*ref), vec["derived_reference_hash_sha256_base64"].get<std::string>());

    auto v3_id = compute_event_id(published, RoomVersion::v3);
    ASSERT_TRUE(v3_id);
    EXPECT_EQ(*v3_id, vec["derived_event_id_if_room_v3"].get<std::string>());
    for (const auto* v : {&RoomVersion::v4, &RoomVersion::v5, &RoomVersion::v6,
                          &RoomVersion::v7, &RoomVersion::v8, &RoomVersion::v9,
                          &RoomVersion::v10}) {
        auto id = compute_event_id(published, *v);
        ASSERT_TRUE(id) << v->id;
        EXPECT_EQ(*id, vec["derived_event_id_if_room_v4_to_v10"].get<std::string>()) << v->id;
    }
}

TEST(EventSigning, PublishedSignaturesDoNotVerifyWithV11Redaction) {
    const auto key = spec_key().verify_key();
    for (const auto& vec : event_vectors()) {
        for (const auto* v : {&RoomVersion::v11, &RoomVersion::v12}) {
            auto result = verify_event_signature(vec["expected_signed"], "domain", key, *v);
            ASSERT_FALSE(result) << v->id;
            EXPECT_EQ(result.error().code, Errc::forbidden);
            // The difference is exactly the `origin` key that v11 redaction drops.
            auto preimage = reference_hash_preimage(vec["expected_signed"], *v);
            ASSERT_TRUE(preimage);
            EXPECT_EQ(preimage->find("\"origin\":"), std::string::npos);
        }
    }
}

TEST(EventSigning, V11SignaturesRoundTrip) {
    json event = event_vectors()[0]["input"];
    const auto key = spec_key();
    ASSERT_TRUE(sign_event(event, "domain", key, RoomVersion::v11));
    EXPECT_NE(event["signatures"]["domain"]["ed25519:1"],
              event_vectors()[0]["expected_signature"]);
    EXPECT_TRUE(verify_event_signature(event, "domain", key.verify_key(), RoomVersion::v11));
    EXPECT_FALSE(verify_event_signature(event, "domain", key.verify_key(), RoomVersion::v10));
}

TEST(EventSigning, RedactedCopyStillVerifiesButFailsTheContentHash) {
    const auto& vec = event_vectors()[1];
    const auto key = spec_key().verify_key();
    json altered = vec["expected_signed"];
    altered["content"]["body"] = "something else";
    // The signature covers only the redacted form (§6.5 step 1)...
    EXPECT_TRUE(verify_event_signature(altered, "domain", key, RoomVersion::v1));
    // ...and the content hash catches the change (§6.5 step 5).
    EXPECT_FALSE(check_content_hash(altered, RoomVersion::v1));

    json redacted = redact(vec["expected_signed"], RoomVersion::v1);
    EXPECT_TRUE(verify_event_signature(redacted, "domain", key, RoomVersion::v1));
    EXPECT_FALSE(check_content_hash(redacted, RoomVersion::v1));
}

TEST(EventSigning, TamperingWithASignedFieldBreaksTheSignature) {
    const auto key = spec_key().verify_key();
    for (const char* field : {"origin_server_ts", "sender", "room_id", "hashes"}) {
        json event = event_vectors()[0]["expected_signed"];
        event[field] = field == std::string("origin_server_ts") ? json(1000001) : json("x");
        auto result = verify_event_signature(event, "domain", key, RoomVersion::v10);
        ASSERT_FALSE(result) << field;
        EXPECT_EQ(result.error().code, Errc::forbidden);
    }
    json unsigned_change = event_vectors()[0]["expected_signed"];
    unsigned_change["unsigned"]["age"] = 99;
    EXPECT_TRUE(verify_event_signature(unsigned_change, "domain", key, RoomVersion::v10));
}

TEST(EventSigning, VerifyRefusesMissingWrongAndUndecodableSignatures) {
    const auto key = spec_key();
    json event = event_vectors()[0]["expected_signed"];

    auto other = crypto::SigningKey::generate("1").verify_key();
    EXPECT_FALSE(verify_event_signature(event, "domain", other, RoomVersion::v10));
    EXPECT_FALSE(verify_event_signature(event, "other.example", key.verify_key(),
                                        RoomVersion::v10));
    json bad_b64 = event;
    bad_b64["signatures"]["domain"]["ed25519:1"] = "@@@";
    EXPECT_FALSE(verify_event_signature(bad_b64, "domain", key.verify_key(), RoomVersion::v10));
    EXPECT_FALSE(verify_event_signature(json::array(), "domain", key.verify_key(),
                                        RoomVersion::v10));
}

TEST(EventSigning, SignEventKeepsOtherServersSignatures) {
    json event = event_vectors()[0]["input"];
    event["signatures"] = {{"other.example", {{"ed25519:x", "c2ln"}}}};
    ASSERT_TRUE(sign_event(event, "domain", spec_key(), RoomVersion::v10));
    EXPECT_EQ(event["signatures"]["other.example"]["ed25519:x"], "c2ln");
    EXPECT_EQ(event["signatures"]["domain"]["ed25519:1"],
              event_vectors()[0]["expected_signature"]);
}

TEST(EventSigning, SignEventRefusesMalformedEventsAndLeavesThemAlone) {
    for (json bad : {json::array(), json({{"type", "X"}, {"signatures", "nope"}}),
                     json({{"type", "X"}, {"content", {{"f", 0.5}}}})}) {
        const json before = bad;
        auto result = sign_event(bad, "domain", spec_key(), RoomVersion::v10);
        ASSERT_FALSE(result) << before.dump();
        EXPECT_EQ(result.error().code, Errc::bad_json);
        EXPECT_EQ(bad, before);
    }
}

TEST(EventSigning, V1ToV5EventsWithNonCanonicalNumbersStillHashAndSign) {
    json event = event_vectors()[0]["input"];
    event["content"] = {{"pl", 50.5}, {"big", 9007199254740993LL}};
    const auto key = spec_key();
    ASSERT_TRUE(sign_event(event, "domain", key, RoomVersion::v5));
    EXPECT_TRUE(verify_event_signature(event, "domain", key.verify_key(), RoomVersion::v5));
    EXPECT_TRUE(check_content_hash(event, RoomVersion::v5));
    EXPECT_TRUE(compute_event_id(event, RoomVersion::v5));

    auto strict = content_hash(event, RoomVersion::v6);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, Errc::bad_json);
    EXPECT_FALSE(check_content_hash(event, RoomVersion::v6));
}

TEST(EventIds, V1AndV2UseTheEventIdField) {
    const json& with_id = event_vectors()[1]["expected_signed"];
    for (const auto* v : {&RoomVersion::v1, &RoomVersion::v2}) {
        auto id = compute_event_id(with_id, *v);
        ASSERT_TRUE(id);
        EXPECT_EQ(*id, "$0:domain");
        auto missing = compute_event_id(event_vectors()[0]["expected_signed"], *v);
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error().code, Errc::bad_json);
    }
}

TEST(EventIds, V3UsesTheStandardAlphabetAndV4TheUrlSafeOne) {
    // Find an event whose reference hash encodes with '+' or '/', so the formats differ.
    json event = event_vectors()[0]["expected_signed"];
    bool found = false;
    for (int depth = 1; depth < 200 && !found; ++depth) {
        event["depth"] = depth;
        auto v3 = compute_event_id(event, RoomVersion::v3);
        auto v4 = compute_event_id(event, RoomVersion::v4);
        ASSERT_TRUE(v3 && v4);
        ASSERT_EQ(v3->size(), 44u);
        ASSERT_EQ((*v3)[0], '$');
        if (v3->find_first_of("+/") == std::string::npos) {
            EXPECT_EQ(*v3, *v4);
            continue;
        }
        found = true;
        EXPECT_EQ(v4->find_first_of("+/"), std::string::npos);
        std::string translated = *v3;
        for (auto& c : translated) c = c == '+' ? '-' : c == '/' ? '_' : c;
        EXPECT_EQ(*v4, translated);
        auto ref = reference_hash(event, RoomVersion::v3);
        ASSERT_TRUE(ref);
        EXPECT_EQ(*v3, "$" + b64(*ref));
    }
    EXPECT_TRUE(found);
}

TEST(EventIds, ALocallyKeptEventIdIsIgnoredFromV3) {
    const json& published = event_vectors()[0]["expected_signed"];
    json with_id = published;
    with_id["event_id"] = "$8yif6p8EqgoSten2BLje9ntKm720NyFLWQv9tn8memc";

    EXPECT_EQ(*compute_event_id(with_id, RoomVersion::v4),
              *compute_event_id(published, RoomVersion::v4));
    EXPECT_EQ(*content_hash(with_id, RoomVersion::v4), *content_hash(published, RoomVersion::v4));
    EXPECT_TRUE(check_content_hash(with_id, RoomVersion::v4));
    EXPECT_TRUE(
        verify_event_signature(with_id, "domain", spec_key().verify_key(), RoomVersion::v4));
    // In v1/v2 the field is part of the event, so it changes the hash.
    EXPECT_NE(*content_hash(with_id, RoomVersion::v1), *content_hash(published, RoomVersion::v1));
    EXPECT_FALSE(check_content_hash(with_id, RoomVersion::v1));
}

TEST(EventIds, V12RoomIdIsTheCreateEventsReferenceHash) {
    json create = {
        {"type", "m.room.create"},
        {"sender", "@alice:a.test"},
        {"state_key", ""},
        {"content",
         {{"room_version", "12"}, {"additional_creators", json::array({"@bob:b.test"})}}},
        {"prev_events", json::array()},
        {"auth_events", json::array()},
        {"depth", 1},
        {"origin_server_ts", 1700000000000LL},
        {"unsigned", {{"age", 3}}},
    };
    const auto key = spec_key();
    ASSERT_TRUE(sign_event(create, "a.test", key, RoomVersion::v12));
    ASSERT_TRUE(create["hashes"]["sha256"].is_string());

    // The preimage written out by hand from §6.3: redacted (v11+ create keeps all content),
    // no signatures, no unsigned.
    const std::string expected_preimage =
        R"({"auth_events":[],"content":{"additional_creators":["@bob:b.test"],)"
        R"("room_version":"12"},"depth":1,"hashes":{"sha256":")" +
        create["hashes"]["sha256"].get<std::string>() +
        R"("},"origin_server_ts":1700000000000,"prev_events":[],"sender":"@alice:a.test",)"
        R"("state_key":"","type":"m.room.create"})";
    auto preimage = reference_hash_preimage(create, RoomVersion::v12);
    ASSERT_TRUE(preimage);
    EXPECT_EQ(*preimage, expected_preimage);

    auto room_id = room_id_from_create_event(create, RoomVersion::v12);
    ASSERT_TRUE(room_id);
    EXPECT_EQ(*room_id, "!" + chat::json::base64_url_encode(crypto::sha256(expected_preimage)));
    EXPECT_EQ(room_id->size(), 44u);
    EXPECT_EQ(room_id->find(':'), std::string::npos);
    auto event_id = compute_event_id(create, RoomVersion::v12);
    ASSERT_TRUE(event_id);
    EXPECT_EQ(room_id->substr(1), event_id->substr(1));

    // Content is covered in v12 (redaction keeps all create content), unsigned is not.
    json other = create;
    other["content"]["additional_creators"] = json::array();
    EXPECT_NE(*room_id_from_create_event(other, RoomVersion::v12), *room_id);
    json aged = create;
    aged["unsigned"]["age"] = 1000;
    EXPECT_EQ(*room_id_from_create_event(aged, RoomVersion::v12), *room_id);
}

TEST(EventIds, RoomIdFromCreateEventRefusesOtherVersionsAndTypes) {
    json create = {{"type", "m.room.create"}, {"sender", "@a:a.test"}, {"content", json::object()}};
    auto v11 = room_id_from_create_event(create, RoomVersion::v11);
    ASSERT_FALSE(v11);
    EXPECT_EQ(v11.error().code, Errc::invalid_param);

    json message = create;
    message["type"] = "m.room.message";
    auto wrong_type = room_id_from_create_event(message, RoomVersion::v12);
    ASSERT_FALSE(wrong_type);
    EXPECT_EQ(wrong_type.error().code, Errc::invalid_param);
    EXPECT_FALSE(room_id_from_create_event(json::array(), RoomVersion::v12));
}

TEST(ContentHash, AddContentHashKeepsOtherAlgorithms) {
    json event = event_vectors()[0]["input"];
    event["hashes"] = {{"sha512", "eA"}};
    ASSERT_TRUE(add_content_hash(event, RoomVersion::v10));
    EXPECT_EQ(event["hashes"]["sha256"], event_vectors()[0]["expected_hashes_sha256"]);
    EXPECT_EQ(event["hashes"]["sha512"], "eA");
    EXPECT_TRUE(check_content_hash(event, RoomVersion::v10));
}

TEST(ContentHash, CheckIsFalseForMissingOrMalformedHashes) {
    json event = event_vectors()[0]["expected_signed"];
    ASSERT_TRUE(check_content_hash(event, RoomVersion::v10));
    for (json hashes : {json(nullptr), json("x"), json::object(), json({{"sha256", 5}}),
                        json({{"sha256", "!!"}}), json({{"sha256", "AAAA"}})}) {
        json bad = event;
        if (hashes.is_null())
            bad.erase("hashes");
        else
            bad["hashes"] = hashes;
        EXPECT_FALSE(check_content_hash(bad, RoomVersion::v10)) << hashes.dump();
    }
    EXPECT_FALSE(check_content_hash(json::array(), RoomVersion::v10));
}

TEST(ContentHash, CanonicalNumbersFollowTheVersion) {
    EXPECT_EQ(canonical_numbers(RoomVersion::v5), chat::json::Numbers::lenient);
    EXPECT_EQ(canonical_numbers(RoomVersion::v6), chat::json::Numbers::strict);
    EXPECT_EQ(canonical_numbers(RoomVersion::v12), chat::json::Numbers::strict);
}

}  // namespace
}  // namespace chat
