#include "api/federation/keys.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include <chat/federation/keys/key_ring.hpp>

#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Servers one POST /key/v2/query may name: each may cost a fetch.
constexpr std::size_t kMaxNotaryServers = 50;

// Appends the responses for `server` (valid until at least `minimum`) to `out`.
Task<Result<void>> add_responses(const Request& request, ServerName server, std::int64_t minimum,
                                 nlohmann::json& out) {
    auto responses = co_await request.services().key_ring->responses_for(server, minimum);
    if (!responses) co_return responses.error();
    for (auto& response : *responses) out.push_back(std::move(response));
    co_return ok();
}

}  // namespace

Task<Result<Reply>> get_key_server(Request& request) {
    auto keys = request.services().key_ring->own_keys();
    if (!keys) co_return keys.error();
    co_return Reply::json(*keys);
}

Task<Result<Reply>> get_key_query(Request& request) {
    auto server = ServerName::parse(request.path_param("serverName"));
    if (!server) co_return make_error(Errc::invalid_param, "Invalid server name");
    std::int64_t minimum = request.services().clock->now_ms();
    if (auto text = request.query("minimum_valid_until_ts")) {
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), minimum);
        if (ec != std::errc{} || end != text->data() + text->size())
            co_return make_error(Errc::invalid_param, "minimum_valid_until_ts must be an integer");
    }
    nlohmann::json list = nlohmann::json::array();
    auto added = co_await add_responses(request, std::move(*server), minimum, list);
    if (!added) co_return added.error();
    co_return Reply::json({{"server_keys", std::move(list)}});
}

Task<Result<Reply>> post_key_query(Request& request) {
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto servers = body->find("server_keys");
    if (servers == body->end() || !servers->is_object())
        co_return make_error(Errc::bad_json, "'server_keys' must be an object");
    if (servers->size() > kMaxNotaryServers)
        co_return make_error(Errc::limit_exceeded, "Too many servers in one key query");
    const auto now = request.services().clock->now_ms();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, keys] : servers->items()) {
        auto server = ServerName::parse(name);
        if (!server) continue;  // no keys for a name that cannot exist
        // The strictest minimum asked for any of the server's keys.
        std::int64_t minimum = now;
        if (keys.is_object()) {
            for (const auto& [key_id, criteria] : keys.items()) {
                if (!criteria.is_object()) continue;
                auto wanted = criteria.find("minimum_valid_until_ts");
                if (wanted != criteria.end() && wanted->is_number_integer())
                    minimum = std::max(minimum, wanted->get<std::int64_t>());
            }
        }
        auto added = co_await add_responses(request, std::move(*server), minimum, list);
        if (!added) co_return added.error();
    }
    co_return Reply::json({{"server_keys", std::move(list)}});
}

}  // namespace chat::daemon
