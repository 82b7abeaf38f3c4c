#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "loadgen/http_pool.hpp"

namespace loadgen {

// The answer to one Client-Server API call. `error` is empty on a 2xx with a
// JSON body, else a short kind for the error table: "timeout", "connect",
// "io", "http 429 M_LIMIT_EXCEEDED", "bad json".
struct ApiResult {
    int status = 0;
    nlohmann::json body;
    std::string error;

    bool ok() const { return error.empty(); }
};

// One simulated user: its token and its own connection pool.
struct Client {
    std::string user_id;
    std::string access_token;
    std::unique_ptr<HttpPool> pool;
};

constexpr std::chrono::milliseconds kRequestTimeout{30'000};

// One request under /_matrix/client/v3.
struct ApiCall {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path;     // after /v3, with its query string
    nlohmann::json body;  // null: no body
    std::string token;    // empty: none
    std::chrono::milliseconds timeout = kRequestTimeout;
};

// Sends `request` through `pool`. Callers build the ApiCall as a named local
// first: GCC 12 mishandles temporaries built inside a co_await expression.
boost::asio::awaitable<ApiResult> call(HttpPool* pool, ApiCall request);

// POST /register with the user-interactive dance of the spec: first without
// `auth` (a 401 names the session and flows), then with m.login.dummy.
// Fills client.user_id and client.access_token.
boost::asio::awaitable<ApiResult> register_user(Client& client, std::string username,
                                                std::string password);

// POST /createRoom with the public_chat preset, so members join by room id.
boost::asio::awaitable<ApiResult> create_room(Client& client, std::string name);

boost::asio::awaitable<ApiResult> join_room(Client& client, std::string room_id);

// PUT /rooms/{roomId}/send/m.room.message/{txnId}.
boost::asio::awaitable<ApiResult> send_message(Client& client, std::string room_id,
                                               std::string txn_id, nlohmann::json content);

// POST /user/{userId}/filter; the result body holds filter_id.
boost::asio::awaitable<ApiResult> upload_filter(Client& client, nlohmann::json filter);

// GET /sync?since=&timeout=&filter=. The HTTP timeout is the long-poll plus a margin.
boost::asio::awaitable<ApiResult> sync(Client& client, std::string since, std::string filter_id,
                                       std::chrono::milliseconds long_poll);

}  // namespace loadgen
