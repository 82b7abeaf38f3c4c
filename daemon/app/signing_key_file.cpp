#include "app/signing_key_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
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

    // Written beside the path, then linked into place: link() fails if the
    // path exists, so when two workers start together on a new data_dir
    // exactly one key wins and the other worker loads it.
    auto key = chat::crypto::SigningKey::generate(new_key_version());
    auto temporary = path;
    temporary += ".new." + std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
    if (auto saved = key.save(temporary); !saved)
        return make_error(Errc::crypto, "cannot save signing key " + temporary.string() + ": " +
                                            saved.error().message + " " + saved.error().detail);
    const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    std::filesystem::remove(temporary, ec);
    if (linked) return LoadedSigningKey{std::move(key), true};
    if (link_errno != EEXIST)
        return make_error(Errc::crypto, "cannot save signing key " + path.string() + ": " +
                                            std::strerror(link_errno));
    auto theirs = chat::crypto::SigningKey::load(path);
    if (!theirs)
        return make_error(Errc::crypto, "signing key " + path.string() + ": " +
                                            theirs.error().message + " (the file is kept as is)");
    return LoadedSigningKey{std::move(*theirs), false};
}

}  // namespace chat::daemon
