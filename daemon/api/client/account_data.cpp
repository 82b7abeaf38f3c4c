#include "api/client/account_data.hpp"

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/push/push_rules_store.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/txn.hpp>

#include "api/client/path_params.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Types the server manages itself: clients may not set them through the
// account data API (spec: 405 M_BAD_JSON would be wrong; Synapse answers
// 400 M_BAD_JSON for m.fully_read and m.push_rules).
bool server_managed(std::string_view type) {
    return type == "m.fully_read" || type == "m.push_rules";
}

// Account data is private: only its owner reads or writes it.
Task<Result<UserId>> owner(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    if (*user != request.requester().user_id)
        co_return make_error(Errc::forbidden, "Cannot access another user's account data");
    co_return std::move(*user);
}

Task<Result<Reply>> read(Request& request, std::optional<RoomId> room_id, std::string type) {
    auto user = co_await owner(request);
    if (!user) co_return user.error();
    const auto& services = request.services();
    if (!room_id && type == "m.push_rules") {
        // Not stored as account data: the ruleset is built from the user's
        // push rule changes, as sync serves it (push_rules_store.hpp).
        auto event = co_await services.db->read("get_push_rules", [&](store::ReadTxn& txn) {
            return push::push_rules_account_data(txn, *user);
        });
        if (!event) co_return event.error();
        co_return Reply::json(std::move((*event)["content"]));
    }
    auto row = co_await services.db->read("get_account_data", [&](store::ReadTxn& txn) {
        return txn.account_data().get(*user, room_id, type);
    });
    if (!row) co_return row.error();
    // Deleting stores {} (spec: clients see an empty object as deleted).
    if (!*row || (*row)->content.empty())
        co_return make_error(Errc::not_found, "Account data not found");
    co_return Reply::json((*row)->content);
}

Task<Result<Reply>> write(Request& request, std::optional<RoomId> room_id, std::string type,
                          nlohmann::json content) {
    auto user = co_await owner(request);
    if (!user) co_return user.error();
    if (server_managed(type))
        co_return make_error(Errc::bad_json, "Cannot set " + type + " through this API");
    const auto& services = request.services();
    auto written = co_await services.db->run([&] {
        return services.rooms->set_account_data(*user, room_id, type, std::move(content));
    });
    if (!written) co_return written.error();
    co_return Reply::json(nlohmann::json::object());
}

// The room's m.tag content, {"tags": {...}} when absent.
Task<Result<nlohmann::json>> current_tags(Request& request, const UserId& user,
                                          const RoomId& room_id) {
    const auto& services = request.services();
    auto row = co_await services.db->read("get_room_tags", [&](store::ReadTxn& txn) {
        return txn.account_data().get(user, room_id, "m.tag");
    });
    if (!row) co_return row.error();
    nlohmann::json content = {{"tags", nlohmann::json::object()}};
    if (*row && (*row)->content.is_object() && (*row)->content.contains("tags") &&
        (*row)->content["tags"].is_object())
        content["tags"] = (*row)->content["tags"];
    co_return content;
}

}  // namespace

Task<Result<Reply>> get_account_data(Request& request) {
    co_return co_await read(request, std::nullopt, std::string(request.path_param("type")));
}

Task<Result<Reply>> put_account_data(Request& request) {
    auto content = request.json_object(false, /*allow_fractions=*/true);
    if (!content) co_return content.error();
    co_return co_await write(request, std::nullopt, std::string(request.path_param("type")),
                             std::move(*content));
}

Task<Result<Reply>> get_room_account_data(Request& request) {
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    co_return co_await read(request, std::move(*room_id), std::string(request.path_param("type")));
}

Task<Result<Reply>> put_room_account_data(Request& request) {
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto content = request.json_object(false, /*allow_fractions=*/true);
    if (!content) co_return content.error();
    co_return co_await write(request, std::move(*room_id), std::string(request.path_param("type")),
                             std::move(*content));
}

Task<Result<Reply>> get_room_tags(Request& request) {
    auto user = co_await owner(request);
    if (!user) co_return user.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto tags = co_await current_tags(request, *user, *room_id);
    if (!tags) co_return tags.error();
    co_return Reply::json(*tags);
}

// Tags live in one m.tag account data object per room: read, changed and
// written back. Two devices changing the same room's tags at the same instant
// may lose one change (the last write wins); each change still reaches sync.
Task<Result<Reply>> put_room_tag(Request& request) {
    auto user = co_await owner(request);
    if (!user) co_return user.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto body = request.json_object(false, /*allow_fractions=*/true);
    if (!body) co_return body.error();
    if (auto order = body->find("order"); order != body->end() && !order->is_number())
        co_return make_error(Errc::bad_json, "'order' must be a number");
    auto tags = co_await current_tags(request, *user, *room_id);
    if (!tags) co_return tags.error();
    (*tags)["tags"][std::string(request.path_param("tag"))] = *body;
    co_return co_await write(request, std::move(*room_id), "m.tag", std::move(*tags));
}

Task<Result<Reply>> delete_room_tag(Request& request) {
    auto user = co_await owner(request);
    if (!user) co_return user.error();
    auto room_id = room_param(request);
    if (!room_id) co_return room_id.error();
    auto tags = co_await current_tags(request, *user, *room_id);
    if (!tags) co_return tags.error();
    (*tags)["tags"].erase(std::string(request.path_param("tag")));
    co_return co_await write(request, std::move(*room_id), "m.tag", std::move(*tags));
}

}  // namespace chat::daemon
