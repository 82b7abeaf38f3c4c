#include "support/matrix_client.hpp"

#include <stdexcept>

#include <httplib.h>

namespace chat::test {

namespace {

Answer to_answer(const httplib::Result& result) {
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.text = result->body;
    answer.body = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (answer.body.is_discarded()) answer.body = nullptr;
    return answer;
}

std::runtime_error failure(std::string_view what, const Answer& answer) {
    return std::runtime_error(std::string(what) + " failed: " + std::to_string(answer.status) +
                              " " + answer.text);
}

}  // namespace

std::string escape(std::string_view segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : segment) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

Answer MatrixClient::send_raw(std::string_view method, std::string_view path,
                              std::string body) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    std::string p(path);
    if (method == "GET") return to_answer(client.Get(p, headers));
    if (method == "POST") return to_answer(client.Post(p, headers, body, "application/json"));
    if (method == "PUT") return to_answer(client.Put(p, headers, body, "application/json"));
    if (method == "DELETE") return to_answer(client.Delete(p, headers, body, "application/json"));
    throw std::invalid_argument("send_raw: unknown method");
}

Answer MatrixClient::get(std::string_view path, int timeout_seconds) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(timeout_seconds, 0);
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    return to_answer(client.Get(std::string(path), headers));
}

Answer MatrixClient::post(std::string_view path, const nlohmann::json& body) const {
    return send_raw("POST", path, body.dump());
}

Answer MatrixClient::put(std::string_view path, const nlohmann::json& body) const {
    return send_raw("PUT", path, body.dump());
}

Answer MatrixClient::del(std::string_view path, const nlohmann::json& body) const {
    return send_raw("DELETE", path, body.dump());
}

MatrixClient MatrixClient::registered(std::uint16_t port, std::string_view localpart,
                                      std::string_view password) {
    MatrixClient client(port);
    auto answer = client.post("/_matrix/client/v3/register",
                              {{"username", localpart},
                               {"password", password},
                               {"auth", {{"type", "m.login.dummy"}}}});
    if (answer.status != 200) throw failure("register " + std::string(localpart), answer);
    client.token_ = answer.body.value("access_token", "");
    client.user_id_ = answer.body.value("user_id", "");
    client.device_id_ = answer.body.value("device_id", "");
    return client;
}

std::string MatrixClient::create_room(const nlohmann::json& body) const {
    auto answer = post("/_matrix/client/v3/createRoom", body);
    if (answer.status != 200) throw failure("createRoom", answer);
    return answer.body.value("room_id", "");
}

std::string MatrixClient::send_text(const std::string& room_id, std::string_view text) const {
    auto path = "/_matrix/client/v3/rooms/" + escape(room_id) + "/send/m.room.message/t" +
                std::to_string(++txn_counter_) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    auto answer = put(path, {{"msgtype", "m.text"}, {"body", text}});
    if (answer.status != 200) throw failure("send", answer);
    return answer.body.value("event_id", "");
}

void MatrixClient::join(const std::string& room_id) const {
    auto answer = post("/_matrix/client/v3/join/" + escape(room_id), nlohmann::json::object());
    if (answer.status != 200) throw failure("join", answer);
}

void MatrixClient::invite(const std::string& room_id, const std::string& user_id) const {
    auto answer = post("/_matrix/client/v3/rooms/" + escape(room_id) + "/invite",
                       {{"user_id", user_id}});
    if (answer.status != 200) throw failure("invite", answer);
}

Answer MatrixClient::sync(const std::optional<std::string>& since, int timeout_ms,
                          std::string_view extra_query) const {
    std::string path = "/_matrix/client/v3/sync?timeout=" + std::to_string(timeout_ms);
    if (since) path += "&since=" + escape(*since);
    path += extra_query;
    return get(path, timeout_ms / 1000 + 30);
}

}  // namespace chat::test
