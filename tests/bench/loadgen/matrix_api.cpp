#include "loadgen/matrix_api.hpp"

#include <utility>

namespace loadgen {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kSyncMargin{15'000};

ApiResult to_api_result(HttpResult http_result) {
    ApiResult result{.status = http_result.status};
    if (http_result.status == 0) {
        result.error = std::move(http_result.error);
        return result;
    }
    result.body = json::parse(http_result.body, nullptr, /*allow_exceptions=*/false);
    if (http_result.status / 100 != 2) {
        std::string code = result.body.is_object() && result.body.contains("errcode") &&
                                   result.body["errcode"].is_string()
                               ? " " + result.body["errcode"].get<std::string>()
                               : "";
        result.error = "http " + std::to_string(http_result.status) + code;
    } else if (result.body.is_discarded() || !result.body.is_object()) {
        result.error = "bad json";
    }
    return result;
}

}  // namespace

awaitable<ApiResult> call(HttpPool* pool, ApiCall request) {
    std::string text = request.body.is_null() ? std::string() : request.body.dump();
    std::string target = "/_matrix/client/v3" + request.path;
    auto answer = co_await pool->request(request.method, std::move(target), std::move(text),
                                         std::move(request.token), request.timeout);
    co_return to_api_result(std::move(answer));
}

awaitable<ApiResult> register_user(Client& client, std::string username, std::string password) {
    ApiCall request{.method = http::verb::post, .path = "/register"};
    request.body = {{"username", username},
                    {"password", password},
                    {"initial_device_display_name", "loadgen"}};
    auto first = co_await call(client.pool.get(), request);
    if (first.status == 401) {
        // The user-interactive dance: the 401 names a session; a server that
        // offers none may still take m.login.dummy without one.
        json auth = {{"type", "m.login.dummy"}};
        if (first.body.is_object() && first.body.contains("session"))
            auth["session"] = first.body["session"];
        request.body["auth"] = std::move(auth);
        first = co_await call(client.pool.get(), request);
    }
    if (!first.ok()) co_return first;
    if (!first.body["user_id"].is_string() || !first.body["access_token"].is_string()) {
        first.error = "bad json";
        co_return first;
    }
    client.user_id = first.body["user_id"].get<std::string>();
    client.access_token = first.body["access_token"].get<std::string>();
    co_return first;
}

awaitable<ApiResult> create_room(Client& client, std::string name) {
    ApiCall request{.method = http::verb::post, .path = "/createRoom",
                    .token = client.access_token};
    request.body = {{"preset", "public_chat"}, {"name", std::move(name)}};
    co_return co_await call(client.pool.get(), std::move(request));
}

awaitable<ApiResult> join_room(Client& client, std::string room_id) {
    ApiCall request{.method = http::verb::post, .path = "/join/" + url_encode(room_id),
                    .body = json::object(), .token = client.access_token};
    co_return co_await call(client.pool.get(), std::move(request));
}

awaitable<ApiResult> send_message(Client& client, std::string room_id, std::string txn_id,
                                  json content) {
    ApiCall request{.method = http::verb::put,
                    .path = "/rooms/" + url_encode(room_id) + "/send/m.room.message/" +
                            url_encode(txn_id),
                    .body = std::move(content),
                    .token = client.access_token};
    co_return co_await call(client.pool.get(), std::move(request));
}

awaitable<ApiResult> upload_filter(Client& client, json filter) {
    ApiCall request{.method = http::verb::post,
                    .path = "/user/" + url_encode(client.user_id) + "/filter",
                    .body = std::move(filter),
                    .token = client.access_token};
    co_return co_await call(client.pool.get(), std::move(request));
}

awaitable<ApiResult> sync(Client& client, std::string since, std::string filter_id,
                          std::chrono::milliseconds long_poll) {
    ApiCall request{.method = http::verb::get,
                    .path = "/sync?timeout=" + std::to_string(long_poll.count()),
                    .token = client.access_token,
                    .timeout = long_poll + kSyncMargin};
    if (!since.empty()) request.path += "&since=" + url_encode(since);
    if (!filter_id.empty()) request.path += "&filter=" + url_encode(filter_id);
    co_return co_await call(client.pool.get(), std::move(request));
}

}  // namespace loadgen
