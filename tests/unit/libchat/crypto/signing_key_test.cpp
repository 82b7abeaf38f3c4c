#include <chat/crypto/signing_key.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <chat/json/base64.hpp>

#include "support/spec_vectors.hpp"

namespace chat::crypto {
namespace {

namespace fs = std::filesystem;

const nlohmann::json& key_vector() { return test::spec_vectors()["signing_key"]; }

std::string from_hex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The 32-byte seed, from the hex form of the vector.
std::string spec_seed() { return from_hex(key_vector()["derived_seed_hex"].get<std::string>()); }

SigningKey spec_key() {
    auto key = SigningKey::from_seed("1", spec_seed());
    EXPECT_TRUE(key);
    return *key;
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "chat_signing_key_XXXXXX").string();
        char* made = ::mkdtemp(tmpl.data());
        EXPECT_NE(made, nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;  // two owners would remove the directory twice
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

TEST(SigningKey, SpecSeedDerivesTheExpectedPublicKey) {
    auto key = spec_key();
    EXPECT_EQ(key.key_id(), key_vector()["key_id"].get<std::string>());
    auto verify = key.verify_key();
    EXPECT_EQ(verify.key_id(), "ed25519:1");
    EXPECT_EQ(verify.public_key_base64(),
              key_vector()["derived_public_key_base64"].get<std::string>());
    EXPECT_EQ(verify.public_key_base64(), "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
}

TEST(SigningKey, SpecSeedTextParsesDespiteNonCanonicalTrailingBits) {
    // "...XA1" has non-zero unused bits in its last character; canonically it is "...XA0".
    const std::string published = key_vector()["seed_base64"].get<std::string>();
    ASSERT_TRUE(json::base64_decode(published));  // the decoder ignores the unused bits
    auto key = SigningKey::parse("ed25519 1 " + published);
    ASSERT_TRUE(key) << key.error().detail;
    EXPECT_EQ(key->verify_key().public_key_base64(),
              key_vector()["derived_public_key_base64"].get<std::string>());
    EXPECT_EQ(key->to_file_text(), "ed25519 1 " + json::base64_encode(spec_seed()) + "\n");
    EXPECT_EQ(json::base64_encode(spec_seed()).back(), '0');
}

TEST(SigningKey, FileTextRoundTripsThroughParse) {
    auto key = spec_key();
    const std::string expected = "ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n";
    EXPECT_EQ(key.to_file_text(), expected);

    for (const std::string& text : {expected, expected.substr(0, expected.size() - 1),
                                    expected.substr(0, expected.size() - 1) + "\r\n"}) {
        auto parsed = SigningKey::parse(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(parsed->key_id(), "ed25519:1");
        EXPECT_EQ(parsed->verify_key().public_key(), key.verify_key().public_key());
    }
}

TEST(SigningKey, ParseRefusesGarbage) {
    const std::string seed = key_vector()["seed_base64"].get<std::string>();
    const std::string short_seed = json::base64_encode(std::string(31, 'x'));
    const std::vector<std::string> bad = {
        "",
        "\n",
        "ed25519",
        "ed25519 1",
        "ed25519 1 ",
        "curve25519 1 " + seed,
        "ED25519 1 " + seed,
        "ed25519 a-b " + seed,
        "ed25519  1 " + seed,
        "ed25519 1 " + seed + " extra",
        "ed25519 1 " + seed + "\n\n",
        "ed25519 1 " + seed + "\ned25519 2 " + seed,
        "ed25519 1 not*base64",
        "ed25519 1 " + short_seed,
        "ed25519 1 " + seed + "AAAA",
    };
    for (const auto& text : bad) {
        auto parsed = SigningKey::parse(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.error().code, Errc::invalid_param) << text;
        // The seed must never reach the logs.
        EXPECT_EQ(parsed.error().detail.find(seed), std::string::npos) << text;
    }
}

TEST(SigningKey, FromSeedRefusesBadSeedsAndVersions) {
    EXPECT_FALSE(SigningKey::from_seed("1", std::string(31, 'a')));
    EXPECT_FALSE(SigningKey::from_seed("1", std::string(33, 'a')));
    EXPECT_FALSE(SigningKey::from_seed("", std::string(32, 'a')));
    EXPECT_FALSE(SigningKey::from_seed("a:b", std::string(32, 'a')));
    EXPECT_TRUE(SigningKey::from_seed("a_B9", std::string(32, 'a')));
}

TEST(SigningKey, SaveThenLoadGivesTheSameKeyWithMode0600) {
    TempDir dir;
    auto path = dir.path() / "signing.key";
    auto key = SigningKey::generate("a_1");
    ASSERT_TRUE(key.save(path));

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto loaded = SigningKey::load(path);
    ASSERT_TRUE(loaded) << loaded.error().detail;
    EXPECT_EQ(loaded->key_id(), "ed25519:a_1");
    EXPECT_EQ(loaded->to_file_text(), key.to_file_text());
    // Ed25519 is deterministic: the same key gives the same signature.
    EXPECT_EQ(loaded->sign("message"), key.sign("message"));

    // Nothing but the key file is left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1u);
}

TEST(SigningKey, SaveReplacesAnOpenlyReadableFileWithA0600One) {
    TempDir dir;
    auto path = dir.path() / "signing.key";
    write_file(path, "old");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write |
                              fs::perms::group_read | fs::perms::others_read);
    auto key = spec_key();
    ASSERT_TRUE(key.save(path));

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto loaded = SigningKey::load(path);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->verify_key().public_key(), key.verify_key().public_key());
}

TEST(SigningKey, SaveIntoAMissingDirectoryIsAStorageError) {
    TempDir dir;
    auto saved = spec_key().save(dir.path() / "no" / "such" / "signing.key");
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error().code, Errc::storage);
}

TEST(SigningKey, LoadOfAMissingFileIsNotFound) {
    TempDir dir;
    auto loaded = SigningKey::load(dir.path() / "absent.key");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, Errc::not_found);
}

TEST(SigningKey, LoadRefusesGarbageFiles) {
    TempDir dir;
    const std::string seed = key_vector()["seed_base64"].get<std::string>();
    const std::vector<std::string> bad = {
        "garbage",
        "",
        std::string(10000, 'A'),
        "ed25519 1 " + seed + "\n" + std::string(5000, ' '),
        std::string("ed25519 1 \0", 11) + seed,
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        auto path = dir.path() / ("bad" + std::to_string(i) + ".key");
        write_file(path, bad[i]);
        auto loaded = SigningKey::load(path);
        ASSERT_FALSE(loaded) << i;
        EXPECT_EQ(loaded.error().code, Errc::invalid_param) << i;
    }
}

TEST(SigningKey, LoadOfADirectoryFails) {
    TempDir dir;
    auto loaded = SigningKey::load(dir.path());
    EXPECT_FALSE(loaded);
}

TEST(SigningKey, GeneratedKeysAreDistinct) {
    auto a = SigningKey::generate("a");
    auto b = SigningKey::generate("a");
    EXPECT_NE(a.verify_key().public_key(), b.verify_key().public_key());
    EXPECT_NE(a.to_file_text(), b.to_file_text());
}

TEST(SigningKey, CopiesSignLikeTheOriginal) {
    auto key = spec_key();
    SigningKey copy(key);
    auto other = SigningKey::generate("other");
    other = key;
    EXPECT_EQ(copy.sign("x"), key.sign("x"));
    EXPECT_EQ(other.sign("x"), key.sign("x"));
    EXPECT_EQ(other.key_id(), "ed25519:1");
}

TEST(VerifyKey, AcceptsOnlyItsOwnSignatureOfTheSameMessage) {
    auto key = spec_key();
    auto verify = key.verify_key();
    auto sig = key.sign("hello");
    ASSERT_EQ(sig.size(), 64u);
    EXPECT_TRUE(verify.verify("hello", sig));
    EXPECT_FALSE(verify.verify("hello!", sig));

    auto flipped = sig;
    flipped[10] = static_cast<char>(flipped[10] ^ 1);
    EXPECT_FALSE(verify.verify("hello", flipped));
    EXPECT_FALSE(verify.verify("hello", sig.substr(0, 63)));
    EXPECT_FALSE(verify.verify("hello", sig + "x"));
    EXPECT_FALSE(verify.verify("hello", ""));

    auto stranger = SigningKey::generate("1").verify_key();
    EXPECT_FALSE(stranger.verify("hello", sig));

    EXPECT_TRUE(verify.verify("", key.sign("")));
}

TEST(VerifyKey, FromBase64ValidatesKeyIdAndKey) {
    const std::string pk = key_vector()["derived_public_key_base64"].get<std::string>();
    auto good = VerifyKey::from_base64("ed25519:1", pk);
    ASSERT_TRUE(good);
    EXPECT_EQ(good->key_id(), "ed25519:1");
    EXPECT_EQ(good->public_key_base64(), pk);
    EXPECT_TRUE(good->verify("m", spec_key().sign("m")));

    for (const char* id : {"ed25519:", "ed25519", "curve25519:1", "ed25519:a-b", "ed25519:a:b",
                           "ED25519:1", ""}) {
        auto bad = VerifyKey::from_base64(id, pk);
        ASSERT_FALSE(bad) << id;
        EXPECT_EQ(bad.error().code, Errc::invalid_param);
    }
    for (const std::string& key : {std::string("!!!"), pk.substr(0, 42), pk + "AA",
                                   json::base64_encode(std::string(31, 'k'))}) {
        auto bad = VerifyKey::from_base64("ed25519:1", key);
        ASSERT_FALSE(bad) << key;
        EXPECT_EQ(bad.error().code, Errc::invalid_param);
    }
    EXPECT_FALSE(VerifyKey::from_bytes("ed25519:1", std::string(33, 'k')));
    EXPECT_TRUE(VerifyKey::from_bytes("ed25519:1", std::string(32, 'k')));
}

}  // namespace
}  // namespace chat::crypto
