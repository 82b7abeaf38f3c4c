#include "app/signing_key_file.hpp"

#include <random>
#include <string>
#include <system_error>

namespace chat::daemon {

namespace {

// Key versions only need to differ between the keys one server ever has;
// "a_" and four letters or digits, as Synapse names them.
std::string new_key_version() {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device random;
    std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
    std::string version = "a_";
    for (int i = 0; i < 4; ++i)
        version.push_back(kAlphabet[pick(random)]);
    return version;
}

}  // namespace

Result<LoadedSigningKey> load_or_generate_signing_key(const std::filesystem::path& path) {
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    if (ec) return make_error(Errc::crypto, "signing key " + path.string() + ": " + ec.message());

    if (exists) {
        auto key = chat::crypto::SigningKey::load(path);
        if (!key)
            return make_error(Errc::crypto, "signing key " + path.string() + ": " +
                                                key.error().message + " (the file is kept as is)");
        return LoadedSigningKey{std::move(*key), false};
    }

    auto key = chat::crypto::SigningKey::generate(new_key_version());
    if (auto saved = key.save(path); !saved)
        return make_error(Errc::crypto, "cannot save signing key " + path.string() + ": " +
                                            saved.error().message + " " + saved.error().detail);
    return LoadedSigningKey{std::move(key), true};
}

}  // namespace chat::daemon
