#include "api/client/rooms_create.hpp"

#include <nlohmann/json.hpp>

#include <chat/core/room_alias.hpp>
#include <chat/events/room_version.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/txn.hpp>

#include "api/client/body_fields.hpp"
#include "auth/authenticate.hpp"
#include "http/error_response.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// createRoom's body: RoomService options, plus whether the room goes into
// the public directory (`visibility`), which is ours, not RoomService's.
struct CreateRequest {
    rooms::CreateRoomOptions options;
    bool listed = false;
};

// Everything here is client input; RoomService checks the rest (the state it
// builds must pass the auth rules).
Result<CreateRequest> read_options(const nlohmann::json& body, const UserId& creator) {
    rooms::CreateRoomOptions options{.creator = creator};

    auto visibility = optional_string(body, "visibility");
    if (!visibility) return visibility.error();
    if (*visibility && **visibility != "public" && **visibility != "private")
        return make_error(Errc::invalid_param, "'visibility' must be public or private");
    const bool listed = *visibility && **visibility == "public";

    auto preset = optional_string(body, "preset");
    if (!preset) return preset.error();
    if (!*preset)
        options.preset = listed ? rooms::Preset::public_chat : rooms::Preset::private_chat;
    else if (**preset == "private_chat")
        options.preset = rooms::Preset::private_chat;
    else if (**preset == "trusted_private_chat")
        options.preset = rooms::Preset::trusted_private_chat;
    else if (**preset == "public_chat")
        options.preset = rooms::Preset::public_chat;
    else
        return make_error(Errc::invalid_param, "Unknown preset");

    auto version = optional_string(body, "room_version");
    if (!version) return version.error();
    if (*version) {
        auto found = RoomVersion::get(**version);
        if (!found) return found.error();
        options.version = *found;
    }

    auto name = optional_string(body, "name");
    if (!name) return name.error();
    options.name = std::move(*name);
    auto topic = optional_string(body, "topic");
    if (!topic) return topic.error();
    options.topic = std::move(*topic);

    auto invite = optional_string_list(body, "invite");
    if (!invite) return invite.error();
    for (const auto& text : *invite) {
        auto user = UserId::parse(text);
        if (!user) return make_error(Errc::invalid_param, "Invalid user ID in 'invite': " + text);
        options.invite.push_back(std::move(*user));
    }

    auto is_direct = optional_bool(body, "is_direct");
    if (!is_direct) return is_direct.error();
    options.is_direct = is_direct->value_or(false);

    if (auto it = body.find("initial_state"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) return make_error(Errc::bad_json, "'initial_state' must be a list");
        for (const auto& entry : *it) options.initial_state.push_back(entry);
    }
    auto overrides = optional_object(body, "power_level_content_override");
    if (!overrides) return overrides.error();
    if (*overrides) options.power_level_content_override = std::move(**overrides);
    auto creation = optional_object(body, "creation_content");
    if (!creation) return creation.error();
    if (*creation) options.creation_content = std::move(**creation);
    return CreateRequest{std::move(options), listed};
}

// `room_alias_name` as the alias "#<name>:<our server>"; none when absent.
// The name is a localpart only: a ':' would move the split between localpart
// and server name, and whitespace makes aliases that cannot be typed or
// shared (both refused as Synapse does). Errors: invalid_param.
Result<std::optional<RoomAlias>> read_alias_name(const nlohmann::json& body,
                                                 std::string_view server_name) {
    auto name = optional_string(body, "room_alias_name");
    if (!name) return name.error();
    if (!*name) return std::optional<RoomAlias>();
    if ((*name)->empty() || (*name)->find_first_of(": \t\n\r\v\f") != std::string::npos)
        return make_error(Errc::invalid_param, "Invalid characters in room alias");
    auto alias = RoomAlias::parse("#" + **name + ":" + std::string(server_name));
    if (!alias) return make_error(Errc::invalid_param, "Invalid room alias name");
    return std::optional<RoomAlias>(std::move(*alias));
}

// createRoom answers a taken alias with 400 M_ROOM_IN_USE (spec createRoom),
// where PUT /directory/room answers 409 for the same error.
Reply alias_taken() {
    return error_reply(HttpError{400, "M_ROOM_IN_USE", "Room alias already taken"});
}

}  // namespace

// POST /_matrix/client/v3/createRoom
// Blocks a DB thread: the whole room is created in one transaction.
Task<Result<Reply>> post_create_room(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    auto parsed = read_options(*body, request.requester().user_id);
    if (!parsed) co_return parsed.error();
    const auto& options = parsed->options;

    const auto& services = request.services();
    auto alias = read_alias_name(*body, services.server_name);
    if (!alias) co_return alias.error();
    if (*alias) {
        // Checked before the room exists, so that a taken alias costs no room.
        auto taken = co_await services.db->read("check_room_alias", [&](store::ReadTxn& txn) {
            return txn.aliases().get(**alias);
        });
        if (!taken) co_return taken.error();
        if (*taken) co_return alias_taken();
    }

    auto created = co_await services.db->run([&] { return services.rooms->create_room(options); });
    if (!created) co_return created.error();
    const bool listed = parsed->listed;
    if (listed || *alias) {
        // The alias, and the listing in the public room directory (GET
        // /publicRooms). Someone may have taken the alias since the check
        // above: the room then stays, unnamed and unlisted, as in Synapse.
        auto published = co_await services.db->write("publish_room", [&](store::WriteTxn& txn)
                                                                         -> Result<void> {
            if (*alias)
                if (auto put = txn.aliases().put(**alias, created->room_id, options.creator); !put)
                    return put;
            if (listed) return txn.rooms().set_visibility(created->room_id, "public");
            return ok();
        });
        if (!published && published.error().code == Errc::room_in_use) co_return alias_taken();
        if (!published) co_return published.error();
    }
    if (*alias) {
        auto sent = co_await services.db->run([&] {
            return services.rooms->send_state(options.creator, created->room_id,
                                              "m.room.canonical_alias", "",
                                              {{"alias", std::string((*alias)->str())}});
        });
        if (!sent) co_return sent.error();
    }
    co_return Reply::json({{"room_id", std::string(created->room_id.str())}});
}

}  // namespace chat::daemon
