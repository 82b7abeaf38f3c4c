#include <chat/accounts/shared_secret.hpp>

#include <chat/crypto/hmac.hpp>

namespace chat::accounts {

std::string shared_secret_mac(std::string_view secret, std::string_view nonce,
                              std::string_view username, std::string_view password, bool admin,
                              std::optional<std::string_view> user_type) {
    std::string message;
    message.append(nonce).push_back('\0');
    message.append(username).push_back('\0');
    message.append(password).push_back('\0');
    message.append(admin ? "admin" : "notadmin");
    // Synapse adds the user type only when one is given, so older clients' MACs still match.
    if (user_type) message.append(1, '\0').append(*user_type);

    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : crypto::hmac_sha1(secret, message)) {
        hex.push_back(kHex[c >> 4]);
        hex.push_back(kHex[c & 0xF]);
    }
    return hex;
}

bool check_shared_secret_mac(std::string_view secret, std::string_view nonce,
                             std::string_view username, std::string_view password, bool admin,
                             std::string_view mac_hex, std::optional<std::string_view> user_type) {
    if (secret.empty()) return false;
    // Lower-case hex only, as Synapse compares it: a MAC is produced by a program, not typed.
    return crypto::constant_time_equal(
        shared_secret_mac(secret, nonce, username, password, admin, user_type), mac_hex);
}

}  // namespace chat::accounts
