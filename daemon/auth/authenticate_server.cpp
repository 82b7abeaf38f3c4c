#include "auth/authenticate_server.hpp"

#include <cctype>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/events/server_acl.hpp>
#include <chat/federation/client/x_matrix.hpp>
#include <chat/federation/keys/key_ring.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/json/parse.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

namespace {

// More X-Matrix headers than this are not looked at: each may cost a key fetch.
constexpr std::size_t kMaxAuthorizationHeaders = 4;

bool is_x_matrix(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    constexpr std::string_view kScheme = "x-matrix";
    if (value.size() <= kScheme.size()) return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return false;
    return value[kScheme.size()] == ' ' || value[kScheme.size()] == '\t';
}

}  // namespace

Task<Result<ServerName>> authenticate_server(Request& request) {
    const auto& services = request.services();
    std::vector<std::string_view> headers;
    for (const auto& header : request.headers())
        if (header_name_equal(header.name, "Authorization") && is_x_matrix(header.value))
            headers.push_back(header.value);
    if (headers.empty())
        co_return make_error(Errc::missing_token, "Missing X-Matrix Authorization header");
    if (headers.size() > kMaxAuthorizationHeaders) headers.resize(kMaxAuthorizationHeaders);

    // The signature covers the parsed body; numbers as sent (PDUs of room
    // versions 1-5 may hold any).
    std::optional<nlohmann::json> content;
    if (!request.body().empty()) {
        auto parsed = json::parse(request.body(),
                                  json::ParseOptions{.numbers = json::Numbers::lenient});
        if (!parsed) co_return parsed.error();
        if (!parsed->is_object())
            co_return make_error(Errc::bad_json, "Request body must be a JSON object");
        content = std::move(*parsed);
    }

    Error failure = make_error(Errc::unknown_token, "Invalid X-Matrix Authorization header");
    for (auto header : headers) {
        auto auth = federation::parse_x_matrix(header);
        if (!auth) {
            failure = auth.error();
            continue;
        }
        if (auth->destination && *auth->destination != services.server_name) {
            failure = make_error(Errc::unknown_token, "X-Matrix destination is not this server",
                                 "destination " + *auth->destination);
            continue;
        }
        auto origin = ServerName::parse(auth->origin);  // checked by parse_x_matrix
        if (!origin) continue;
        auto object = federation::x_matrix_signed_object(
            to_string(request.method()), request.target(), auth->origin, services.server_name,
            content ? &*content : nullptr);
        object["signatures"][auth->origin][auth->key] = auth->sig;
        // Requests are signed with current keys: valid now.
        auto key = co_await services.key_ring->verify_key(*origin, auth->key,
                                                          services.clock->now_ms());
        if (!key) {
            failure = key.error().code == Errc::remote_unavailable
                          ? key.error()
                          : make_error(Errc::unknown_token, "Unknown X-Matrix key",
                                       auth->origin + " " + auth->key + ": " + key.error().detail);
            continue;
        }
        auto verified = crypto::verify_json(object, auth->origin, *key, json::Numbers::lenient);
        if (!verified) {
            failure = make_error(Errc::unknown_token, "X-Matrix signature does not verify",
                                 auth->origin + " " + auth->key);
            continue;
        }
        co_return std::move(*origin);
    }
    co_return failure;
}

Reply server_auth_error_reply(const Error& error) {
    switch (error.code) {
    case Errc::missing_token:
    case Errc::unknown_token:
    case Errc::remote_unavailable:
        return error_reply(HttpError{401, "M_UNAUTHORIZED", error.message});
    default: return error_reply(error);
    }
}

Result<void> check_server_acl(const std::optional<nlohmann::json>& acl_content,
                              const ServerName& origin) {
    if (!acl_content) return ok();
    if (events::server_allowed_by_acl(*acl_content, origin)) return ok();
    return make_error(Errc::forbidden, "Server is banned from this room",
                      std::string(origin.str()) + " denied by m.room.server_acl");
}

Task<Result<void>> check_room_acl(const Request& request, const RoomId& room_id,
                                  const ServerName& origin) {
    const auto& services = request.services();
    auto acl = co_await services.db->read(
        "server_acl", [&](store::ReadTxn& txn) -> Result<std::optional<nlohmann::json>> {
            auto id = txn.current_state().entry(room_id, "m.room.server_acl", "");
            if (!id) return id.error();
            if (!*id) return std::optional<nlohmann::json>();
            auto event = txn.events().get(**id);
            if (!event) return event.error();
            if (!*event) return std::optional<nlohmann::json>();
            auto content = (*event)->json.find("content");
            // An ACL event without content denies everyone (no `allow`).
            if (content == (*event)->json.end())
                return std::optional<nlohmann::json>(nlohmann::json::object());
            return std::optional<nlohmann::json>(*content);
        });
    if (!acl) co_return acl.error();
    co_return check_server_acl(*acl, origin);
}

}  // namespace chat::daemon
