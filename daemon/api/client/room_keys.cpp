#include "api/client/room_keys.hpp"

#include <nlohmann/json.hpp>

#include <chat/e2ee/key_backup.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

using nlohmann::json;

// Which keys a /room_keys/keys request names.
enum class Scope { all, room, session };

struct Target {
    std::optional<std::string> room_id;
    std::optional<std::string> session_id;
};

Target target_of(const Request& request, Scope scope) {
    Target t;
    if (scope != Scope::all) t.room_id = std::string(request.path_param("roomId"));
    if (scope == Scope::session) t.session_id = std::string(request.path_param("sessionId"));
    return t;
}

Result<std::string> version_query(const Request& request) {
    auto version = request.query("version");
    if (!version) return make_error(Errc::missing_param, "The 'version' query parameter is required");
    return *version;
}

Task<Result<Reply>> get_version(Request& request, std::optional<std::string> text) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    std::optional<std::int64_t> number;
    if (text) {
        auto parsed = e2ee::parse_backup_version(*text);
        if (!parsed) co_return parsed.error();
        number = *parsed;
    }
    const auto& services = request.services();
    auto row = co_await services.db->read("room_keys_version", [&](store::ReadTxn& txn) {
        return txn.key_backup().version(request.requester().user_id, number);
    });
    if (!row) co_return row.error();
    // js-sdk reads exactly 404 M_NOT_FOUND as "no backup".
    if (!*row || (*row)->deleted) co_return make_error(Errc::not_found, "No current backup version");
    co_return Reply::json(e2ee::version_json(**row));
}

Task<Result<Reply>> get_keys(Request& request, Scope scope) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto version = version_query(request);
    if (!version) co_return version.error();
    auto number = e2ee::parse_backup_version(*version);
    if (!number) co_return number.error();
    const auto target = target_of(request, scope);
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto rows = co_await services.db->read(
        "room_keys_get", [&](store::ReadTxn& txn) -> Result<std::vector<store::BackupKeyRow>> {
            auto row = txn.key_backup().version(user, *number);
            if (!row) return row.error();
            if (!*row || (*row)->deleted)
                return make_error(Errc::not_found, "Unknown backup version");
            return txn.key_backup().keys(user, *number, target.room_id, target.session_id);
        });
    if (!rows) co_return rows.error();
    if (scope == Scope::session) {
        if (rows->empty()) co_return make_error(Errc::not_found, "No key for this session");
        co_return Reply::json(rows->front().data);
    }
    json rooms = json::object();
    for (auto& row : *rows) rooms[row.room_id]["sessions"][row.session_id] = std::move(row.data);
    if (scope == Scope::room) {
        json sessions = json::object();
        if (target.room_id && rooms.contains(*target.room_id))
            sessions = std::move(rooms[*target.room_id]["sessions"]);
        co_return Reply::json(json{{"sessions", std::move(sessions)}});
    }
    co_return Reply::json(json{{"rooms", std::move(rooms)}});
}

Task<Result<Reply>> put_keys(Request& request, Scope scope) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto version = version_query(request);
    if (!version) co_return version.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    const auto target = target_of(request, scope);
    // Every scope becomes the {room: {"sessions": {...}}} shape.
    json rooms;
    if (scope == Scope::all) {
        auto it = body->find("rooms");
        if (it == body->end()) co_return make_error(Errc::missing_param, "Missing 'rooms'");
        rooms = *it;
    } else if (scope == Scope::room) {
        auto it = body->find("sessions");
        if (it == body->end()) co_return make_error(Errc::missing_param, "Missing 'sessions'");
        rooms = json{{*target.room_id, json{{"sessions", *it}}}};
    } else {
        rooms = json{{*target.room_id, json{{"sessions", json{{*target.session_id, *body}}}}}};
    }
    const auto& services = request.services();
    auto written = co_await services.db->write("room_keys_put", [&](store::WriteTxn& txn) {
        return e2ee::put_backup_keys(txn, request.requester().user_id, *version, rooms);
    });
    if (!written) co_return written.error();
    if (written->wrong_version_current) {
        json error = {{"errcode", "M_WRONG_ROOM_KEYS_VERSION"},
                      {"error", "Wrong backup version."},
                      {"current_version", *written->wrong_version_current}};
        co_return Reply::json(error, 403);
    }
    co_return Reply::json(written->body);
}

Task<Result<Reply>> delete_keys(Request& request, Scope scope) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto version = version_query(request);
    if (!version) co_return version.error();
    const auto target = target_of(request, scope);
    const auto& services = request.services();
    auto removed = co_await services.db->write("room_keys_delete", [&](store::WriteTxn& txn) {
        return e2ee::delete_backup_keys(txn, request.requester().user_id, *version,
                                        target.room_id, target.session_id);
    });
    if (!removed) co_return removed.error();
    co_return Reply::json(*removed);
}

Result<std::pair<std::string, json>> version_body(const json& body) {
    auto algorithm = required_string(body, "algorithm");
    if (!algorithm) return algorithm.error();
    auto auth_data = body.find("auth_data");
    if (auth_data == body.end()) return make_error(Errc::missing_param, "Missing 'auth_data'");
    if (!auth_data->is_object()) return make_error(Errc::bad_json, "'auth_data' must be an object");
    return std::pair{std::move(*algorithm), *auth_data};
}

}  // namespace

Task<Result<Reply>> post_room_keys_version(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto fields = version_body(*body);
    if (!fields) co_return fields.error();
    const auto& services = request.services();
    auto created = co_await services.db->write("room_keys_create", [&](store::WriteTxn& txn) {
        return txn.key_backup().create_version(request.requester().user_id, fields->first,
                                               fields->second);
    });
    if (!created) co_return created.error();
    co_return Reply::json(json{{"version", std::to_string(*created)}});
}

Task<Result<Reply>> get_room_keys_current_version(Request& request) {
    co_return co_await get_version(request, std::nullopt);
}

Task<Result<Reply>> get_room_keys_version(Request& request) {
    std::optional<std::string> text(std::string(request.path_param("version")));
    co_return co_await get_version(request, std::move(text));
}

// Only auth_data may change; the algorithm (and a `version` in the body)
// must match what is stored.
Task<Result<Reply>> put_room_keys_version(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto number = e2ee::parse_backup_version(request.path_param("version"));
    if (!number) co_return number.error();
    auto body = request.json_object();
    if (!body) co_return body.error();
    auto fields = version_body(*body);
    if (!fields) co_return fields.error();
    auto named = optional_string(*body, "version");
    if (!named) co_return named.error();
    if (*named && **named != request.path_param("version"))
        co_return make_error(Errc::invalid_param, "'version' does not match the path");
    const auto& services = request.services();
    const auto& user = request.requester().user_id;
    auto updated = co_await services.db->write("room_keys_update", [&](store::WriteTxn& txn) -> Result<void> {
        auto row = txn.key_backup().version(user, *number);
        if (!row) return row.error();
        if (!*row || (*row)->deleted) return make_error(Errc::not_found, "Unknown backup version");
        if ((*row)->algorithm != fields->first)
            return make_error(Errc::invalid_param, "The algorithm cannot change");
        return txn.key_backup().set_auth_data(user, *number, fields->second);
    });
    if (!updated) co_return updated.error();
    co_return Reply::json(json::object());
}

Task<Result<Reply>> delete_room_keys_version(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto number = e2ee::parse_backup_version(request.path_param("version"));
    if (!number) co_return number.error();
    const auto& services = request.services();
    auto deleted = co_await services.db->write("room_keys_delete_version", [&](store::WriteTxn& txn) {
        return txn.key_backup().delete_version(request.requester().user_id, *number);
    });
    if (!deleted) co_return deleted.error();
    if (!*deleted) co_return make_error(Errc::not_found, "Unknown backup version");
    co_return Reply::json(json::object());
}

Task<Result<Reply>> get_room_keys_all(Request& r) { co_return co_await get_keys(r, Scope::all); }
Task<Result<Reply>> put_room_keys_all(Request& r) { co_return co_await put_keys(r, Scope::all); }
Task<Result<Reply>> delete_room_keys_all(Request& r) { co_return co_await delete_keys(r, Scope::all); }
Task<Result<Reply>> get_room_keys_room(Request& r) { co_return co_await get_keys(r, Scope::room); }
Task<Result<Reply>> put_room_keys_room(Request& r) { co_return co_await put_keys(r, Scope::room); }
Task<Result<Reply>> delete_room_keys_room(Request& r) { co_return co_await delete_keys(r, Scope::room); }
Task<Result<Reply>> get_room_keys_session(Request& r) {
    co_return co_await get_keys(r, Scope::session);
}
Task<Result<Reply>> put_room_keys_session(Request& r) {
    co_return co_await put_keys(r, Scope::session);
}
Task<Result<Reply>> delete_room_keys_session(Request& r) {
    co_return co_await delete_keys(r, Scope::session);
}

}  // namespace chat::daemon
