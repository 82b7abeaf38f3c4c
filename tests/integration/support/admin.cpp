#include "support/admin.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <chat/accounts/shared_secret.hpp>

namespace chat::test {

MatrixClient registered_admin(std::uint16_t port, std::string_view localpart,
                              std::string_view secret) {
    MatrixClient anonymous(port);
    auto nonce = anonymous.get("/_synapse/admin/v1/register");
    if (nonce.status != 200) throw std::runtime_error("nonce: " + nonce.text);
    const auto n = nonce.body["nonce"].get<std::string>();
    const std::string password = "admin-password";
    auto mac = accounts::shared_secret_mac(secret, n, localpart, password, true);
    auto made = anonymous.post("/_synapse/admin/v1/register", {{"nonce", n},
                                                                {"username", localpart},
                                                                {"password", password},
                                                                {"admin", true},
                                                                {"mac", mac}});
    if (made.status != 200) throw std::runtime_error("shared-secret register: " + made.text);
    return MatrixClient(port, made.body["access_token"].get<std::string>());
}

nlohmann::json wait_for_deletion(const MatrixClient& admin, const std::string& delete_id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    nlohmann::json last;
    while (std::chrono::steady_clock::now() < deadline) {
        auto status = admin.get("/_synapse/admin/v2/rooms/delete_status/" + delete_id);
        last = status.body;
        if (status.status != 200) return last;
        const auto state = last.value("status", std::string());
        if (state == "complete" || state == "failed") return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return last;
}

}  // namespace chat::test
