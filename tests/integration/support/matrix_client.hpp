#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat::test {

// One HTTP answer: status and body (parsed when it is JSON, else null with
// the raw text kept).
struct Answer {
    int status = 0;  // 0: no answer at all (connection failed, timeout)
    nlohmann::json body;
    std::string text;

    std::string errcode() const { return body.is_object() ? body.value("errcode", "") : ""; }
};

// A minimal Matrix client for integration tests: JSON over HTTP to one
// chatd on 127.0.0.1, with an access token once logged in. Each call opens
// its own connection (cpp-httplib), so one client may be used from several
// threads. Paths are given from "/_matrix/..." on; ids in paths must be
// escaped by the caller (escape()).
class MatrixClient {
public:
    explicit MatrixClient(std::uint16_t port, std::string access_token = {})
        : port_(port), token_(std::move(access_token)) {}

    Answer get(std::string_view path, int timeout_seconds = 10) const;
    Answer post(std::string_view path, const nlohmann::json& body) const;
    Answer put(std::string_view path, const nlohmann::json& body) const;
    Answer del(std::string_view path, const nlohmann::json& body = nlohmann::json::object()) const;
    // A body sent as given (malformed JSON tests).
    Answer send_raw(std::string_view method, std::string_view path, std::string body) const;

    // Registers `localpart` with m.login.dummy and keeps the token. Throws
    // std::runtime_error (with the answer) when registration fails.
    static MatrixClient registered(std::uint16_t port, std::string_view localpart,
                                   std::string_view password = "correct horse battery");

    // Helpers that throw std::runtime_error with the answer on failure.
    std::string create_room(const nlohmann::json& body = nlohmann::json::object()) const;
    std::string send_text(const std::string& room_id, std::string_view text) const;
    void join(const std::string& room_id) const;
    void invite(const std::string& room_id, const std::string& user_id) const;
    // GET /sync (since, timeout in ms, extra query such as "&full_state=true").
    Answer sync(const std::optional<std::string>& since = {}, int timeout_ms = 0,
                std::string_view extra_query = {}) const;

    const std::string& user_id() const noexcept { return user_id_; }
    const std::string& device_id() const noexcept { return device_id_; }
    const std::string& token() const noexcept { return token_; }
    void set_token(std::string token) { token_ = std::move(token); }

private:
    std::uint16_t port_;
    std::string token_;
    std::string user_id_;
    std::string device_id_;
    mutable std::uint64_t txn_counter_ = 0;
};

// Percent-encodes a path segment ("!a:b" -> "%21a%3Ab").
std::string escape(std::string_view segment);

}  // namespace chat::test
