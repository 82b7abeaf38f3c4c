#include "routing/client_routes.hpp"

#include <string>

#include "api/client/account_data.hpp"
#include "api/client/accounts.hpp"
#include "api/client/capabilities.hpp"
#include "api/client/devices.hpp"
#include "api/client/directory.hpp"
#include "api/client/keys.hpp"
#include "api/client/openid.hpp"
#include "api/client/presence.hpp"
#include "api/client/profile.hpp"
#include "api/client/receipts.hpp"
#include "api/client/push_rules.hpp"
#include "api/client/pushers.hpp"
#include "api/client/registration_tokens.hpp"
#include "api/client/relations.hpp"
#include "api/client/reports.hpp"
#include "api/client/room_keys.hpp"
#include "api/client/rooms_create.hpp"
#include "api/client/rooms_membership.hpp"
#include "api/client/rooms_read.hpp"
#include "api/client/rooms_send.hpp"
#include "api/client/search.hpp"
#include "api/client/sync.hpp"
#include "api/client/typing.hpp"
#include "api/client/versions.hpp"
#include "api/client/well_known.hpp"
#include "api/media/media.hpp"
#include "routing/router.hpp"

namespace chat::daemon {

namespace {

// Registers `path` under /_matrix/client/v3 and under the legacy r0 prefix,
// which matrix-nio and other older clients still call (issue 4 point 9).
void add_v3(Router& router, Method method, std::string_view path, Handler handler) {
    router.add(method, std::string("/_matrix/client/v3") + std::string(path), handler);
    router.add(method, std::string("/_matrix/client/r0") + std::string(path), handler);
}

}  // namespace

void add_client_routes(Router& router) {
    using enum Method;
    router.add(get, "/.well-known/matrix/client", get_well_known_client);
    router.add(get, "/_matrix/client/versions", get_versions);

    add_v3(router, get, "/capabilities", get_capabilities);

    // Accounts: api/client/accounts.cpp, devices.cpp, profile.cpp
    add_v3(router, post, "/register", post_register);
    add_v3(router, get, "/register/available", get_register_available);
    router.add(get, "/_synapse/admin/v1/register", get_shared_secret_nonce);
    router.add(post, "/_synapse/admin/v1/register", post_shared_secret_register);
    // Registration tokens (v1.2, /v1 only): api/client/registration_tokens.cpp
    router.add(get, "/_matrix/client/v1/register/m.login.registration_token/validity",
               get_registration_token_validity);
    add_v3(router, get, "/login", get_login);
    add_v3(router, post, "/login", post_login);
    add_v3(router, post, "/logout", post_logout);
    add_v3(router, post, "/logout/all", post_logout_all);
    add_v3(router, get, "/account/whoami", get_whoami);
    add_v3(router, post, "/account/password", post_account_password);
    add_v3(router, post, "/account/deactivate", post_account_deactivate);
    add_v3(router, get, "/account/3pid", get_account_3pid);
    for (auto path : {"/account/3pid", "/account/3pid/add", "/account/3pid/bind",
                      "/account/3pid/delete", "/account/3pid/unbind",
                      "/account/3pid/email/requestToken", "/account/3pid/msisdn/requestToken",
                      "/register/email/requestToken", "/register/msisdn/requestToken",
                      "/account/password/email/requestToken",
                      "/account/password/msisdn/requestToken"})
        add_v3(router, post, path, post_account_3pid_refused);
    add_v3(router, get, "/devices", get_devices);
    add_v3(router, get, "/devices/{deviceId}", get_device);
    add_v3(router, put, "/devices/{deviceId}", put_device);
    add_v3(router, delete_, "/devices/{deviceId}", delete_device);
    add_v3(router, post, "/delete_devices", post_delete_devices);
    add_v3(router, get, "/profile/{userId}", get_profile);
    add_v3(router, get, "/profile/{userId}/displayname", get_profile_displayname);
    add_v3(router, put, "/profile/{userId}/displayname", put_profile_displayname);
    add_v3(router, get, "/profile/{userId}/avatar_url", get_profile_avatar_url);
    add_v3(router, put, "/profile/{userId}/avatar_url", put_profile_avatar_url);

    // Sync and filters: api/client/sync.cpp
    add_v3(router, get, "/sync", get_sync);
    add_v3(router, post, "/user/{userId}/filter", post_filter);
    add_v3(router, get, "/user/{userId}/filter/{filterId}", get_filter);

    // Account data and tags: api/client/account_data.cpp
    add_v3(router, get, "/user/{userId}/account_data/{type}", get_account_data);
    add_v3(router, put, "/user/{userId}/account_data/{type}", put_account_data);
    add_v3(router, get, "/user/{userId}/rooms/{roomId}/account_data/{type}", get_room_account_data);
    add_v3(router, put, "/user/{userId}/rooms/{roomId}/account_data/{type}", put_room_account_data);
    add_v3(router, get, "/user/{userId}/rooms/{roomId}/tags", get_room_tags);
    add_v3(router, put, "/user/{userId}/rooms/{roomId}/tags/{tag}", put_room_tag);
    add_v3(router, delete_, "/user/{userId}/rooms/{roomId}/tags/{tag}", delete_room_tag);

    // Push rules: api/client/push_rules.cpp. The spec writes the first two
    // with a trailing '/', which the router accepts.
    add_v3(router, get, "/pushrules", get_push_rules);
    add_v3(router, get, "/pushrules/global", get_push_rules_global);
    add_v3(router, get, "/pushrules/global/{kind}/{ruleId}", get_push_rule);
    add_v3(router, put, "/pushrules/global/{kind}/{ruleId}", put_push_rule);
    add_v3(router, delete_, "/pushrules/global/{kind}/{ruleId}", delete_push_rule);
    add_v3(router, get, "/pushrules/global/{kind}/{ruleId}/enabled", get_push_rule_enabled);
    add_v3(router, put, "/pushrules/global/{kind}/{ruleId}/enabled", put_push_rule_enabled);
    add_v3(router, get, "/pushrules/global/{kind}/{ruleId}/actions", get_push_rule_actions);
    add_v3(router, put, "/pushrules/global/{kind}/{ruleId}/actions", put_push_rule_actions);

    // Pushers and notifications: api/client/pushers.cpp
    add_v3(router, get, "/pushers", get_pushers);
    add_v3(router, post, "/pushers/set", post_pushers_set);
    add_v3(router, get, "/notifications", get_notifications);

    // Rooms: api/client/rooms_*.cpp
    add_v3(router, post, "/createRoom", post_create_room);
    add_v3(router, post, "/join/{roomIdOrAlias}", post_join);
    add_v3(router, post, "/knock/{roomIdOrAlias}", post_knock);
    add_v3(router, post, "/rooms/{roomId}/join", post_room_join);
    add_v3(router, post, "/rooms/{roomId}/invite", post_room_invite);
    add_v3(router, post, "/rooms/{roomId}/leave", post_room_leave);
    add_v3(router, post, "/rooms/{roomId}/forget", post_room_forget);
    add_v3(router, post, "/rooms/{roomId}/kick", post_room_kick);
    add_v3(router, post, "/rooms/{roomId}/ban", post_room_ban);
    add_v3(router, post, "/rooms/{roomId}/unban", post_room_unban);
    add_v3(router, put, "/rooms/{roomId}/send/{eventType}/{txnId}", put_room_send);
    add_v3(router, put, "/rooms/{roomId}/state/{eventType}", put_room_state_empty_key);
    add_v3(router, put, "/rooms/{roomId}/state/{eventType}/{stateKey}", put_room_state);
    add_v3(router, put, "/rooms/{roomId}/redact/{eventId}/{txnId}", put_room_redact);
    add_v3(router, get, "/joined_rooms", get_joined_rooms);
    add_v3(router, get, "/rooms/{roomId}/state", get_room_state);
    add_v3(router, get, "/rooms/{roomId}/state/{eventType}", get_room_state_event_empty_key);
    add_v3(router, get, "/rooms/{roomId}/state/{eventType}/{stateKey}", get_room_state_event);
    add_v3(router, get, "/rooms/{roomId}/members", get_room_members);
    add_v3(router, get, "/rooms/{roomId}/joined_members", get_room_joined_members);
    add_v3(router, get, "/rooms/{roomId}/event/{eventId}", get_room_event);
    add_v3(router, get, "/rooms/{roomId}/messages", get_room_messages);
    add_v3(router, get, "/rooms/{roomId}/context/{eventId}", get_room_context);

    // Aliases and the room directory: api/client/directory.cpp
    add_v3(router, put, "/directory/room/{roomAlias}", put_directory_room);
    add_v3(router, get, "/directory/room/{roomAlias}", get_directory_room);
    add_v3(router, delete_, "/directory/room/{roomAlias}", delete_directory_room);
    add_v3(router, get, "/rooms/{roomId}/aliases", get_room_aliases);
    add_v3(router, get, "/directory/list/room/{roomId}", get_directory_list_room);
    add_v3(router, put, "/directory/list/room/{roomId}", put_directory_list_room);
    add_v3(router, get, "/publicRooms", get_public_rooms);
    add_v3(router, post, "/publicRooms", post_public_rooms);
    // Relations and threads: api/client/relations.cpp. Added in v1.3/v1.4
    // under /v1 only: they never had an r0 or v3 path.
    router.add(get, "/_matrix/client/v1/rooms/{roomId}/relations/{eventId}", get_relations);
    router.add(get, "/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}",
               get_relations_by_rel_type);
    router.add(get, "/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}",
               get_relations_by_rel_and_event_type);
    router.add(get, "/_matrix/client/v1/rooms/{roomId}/threads", get_threads);

    // Reporting content: api/client/reports.cpp
    add_v3(router, post, "/rooms/{roomId}/report/{eventId}", post_report_event);
    add_v3(router, post, "/rooms/{roomId}/report", post_report_room);
    add_v3(router, post, "/users/{userId}/report", post_report_user);
    // Search, user directory, OpenID: api/client/search.cpp, openid.cpp
    add_v3(router, post, "/search", post_search);
    add_v3(router, post, "/user_directory/search", post_user_directory_search);
    add_v3(router, post, "/user/{userId}/openid/request_token", post_openid_request_token);

    // Receipts, read markers, typing, presence (issue 5): api/client/receipts.cpp,
    // typing.cpp, presence.cpp
    add_v3(router, post, "/rooms/{roomId}/receipt/{receiptType}/{eventId}", post_receipt);
    add_v3(router, post, "/rooms/{roomId}/read_markers", post_read_markers);
    add_v3(router, put, "/rooms/{roomId}/typing/{userId}", put_typing);
    add_v3(router, get, "/presence/{userId}/status", get_presence);
    add_v3(router, put, "/presence/{userId}/status", put_presence);
    // Content repository: api/media/media_upload.cpp, media_download.cpp,
    // media_admin.cpp. Uploads receive their body as a file.
    router.add(post, "/_matrix/media/v3/upload", post_media_upload, BodyKind::to_file);
    router.add(put, "/_matrix/media/v3/upload/{serverName}/{mediaId}", put_media_upload,
               BodyKind::to_file);
    router.add(post, "/_matrix/media/v1/create", post_media_create);
    router.add(get, "/_matrix/client/v1/media/config", get_media_config);
    router.add(get, "/_matrix/client/v1/media/download/{serverName}/{mediaId}",
               get_media_download);
    router.add(get, "/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}",
               get_media_download);
    router.add(get, "/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}",
               get_media_thumbnail);
    router.add(get, "/_matrix/media/v3/config", get_legacy_media_config);
    router.add(get, "/_matrix/media/v3/download/{serverName}/{mediaId}",
               get_legacy_media_download);
    router.add(get, "/_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}",
               get_legacy_media_download);
    router.add(get, "/_matrix/media/v3/thumbnail/{serverName}/{mediaId}",
               get_legacy_media_thumbnail);
    // The same under r0, which matrix-nio (0.20) and other older clients call.
    router.add(post, "/_matrix/media/r0/upload", post_media_upload, BodyKind::to_file);
    router.add(put, "/_matrix/media/r0/upload/{serverName}/{mediaId}", put_media_upload,
               BodyKind::to_file);
    router.add(get, "/_matrix/media/r0/config", get_legacy_media_config);
    router.add(get, "/_matrix/media/r0/download/{serverName}/{mediaId}",
               get_legacy_media_download);
    router.add(get, "/_matrix/media/r0/download/{serverName}/{mediaId}/{fileName}",
               get_legacy_media_download);
    router.add(get, "/_matrix/media/r0/thumbnail/{serverName}/{mediaId}",
               get_legacy_media_thumbnail);
    router.add(post, "/_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}",
               post_admin_media_quarantine);
    router.add(delete_, "/_synapse/admin/v1/media/{serverName}/{mediaId}", delete_admin_media);
    router.add(get, "/_synapse/admin/v1/users/{userId}/media", get_admin_user_media);
    // End-to-end encryption: api/client/keys.cpp (keys, sendToDevice), room_keys.cpp
    add_v3(router, post, "/keys/upload", post_keys_upload);
    add_v3(router, post, "/keys/query", post_keys_query);
    add_v3(router, post, "/keys/claim", post_keys_claim);
    add_v3(router, get, "/keys/changes", get_keys_changes);
    add_v3(router, post, "/keys/device_signing/upload", post_keys_device_signing_upload);
    add_v3(router, post, "/keys/signatures/upload", post_keys_signatures_upload);
    add_v3(router, put, "/sendToDevice/{eventType}/{txnId}", put_send_to_device);
    add_v3(router, post, "/room_keys/version", post_room_keys_version);
    add_v3(router, get, "/room_keys/version", get_room_keys_current_version);
    add_v3(router, get, "/room_keys/version/{version}", get_room_keys_version);
    add_v3(router, put, "/room_keys/version/{version}", put_room_keys_version);
    add_v3(router, delete_, "/room_keys/version/{version}", delete_room_keys_version);
    add_v3(router, get, "/room_keys/keys", get_room_keys_all);
    add_v3(router, put, "/room_keys/keys", put_room_keys_all);
    add_v3(router, delete_, "/room_keys/keys", delete_room_keys_all);
    add_v3(router, get, "/room_keys/keys/{roomId}", get_room_keys_room);
    add_v3(router, put, "/room_keys/keys/{roomId}", put_room_keys_room);
    add_v3(router, delete_, "/room_keys/keys/{roomId}", delete_room_keys_room);
    add_v3(router, get, "/room_keys/keys/{roomId}/{sessionId}", get_room_keys_session);
    add_v3(router, put, "/room_keys/keys/{roomId}/{sessionId}", put_room_keys_session);
    add_v3(router, delete_, "/room_keys/keys/{roomId}/{sessionId}", delete_room_keys_session);
}

}  // namespace chat::daemon
