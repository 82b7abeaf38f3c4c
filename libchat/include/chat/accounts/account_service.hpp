#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <chat/core/clock.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/server_name.hpp>
#include <chat/core/user_id.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/devices.hpp>
#include <chat/store/store.hpp>

namespace chat::accounts {

// Bounds on what clients may store (Synapse's limits, so that accounts move between servers).
inline constexpr std::size_t kMaxDisplaynameBytes = 256;
inline constexpr std::size_t kMaxAvatarUrlBytes = 1000;
inline constexpr std::size_t kMaxDeviceIdBytes = 255;
inline constexpr std::size_t kMaxDeviceDisplayNameBytes = 100;
inline constexpr std::size_t kMaxUserTypeBytes = 255;

// A new account (POST /register, the admin API, shared-secret registration). Every field is
// untrusted client input; register_user() checks it.
struct Registration {
    // The requested localpart: ASCII-lower-cased, then it must pass validate_new_localpart,
    // must not start with '_' (kept for bridges) and must not be all digits (kept for
    // generated ids). None: a numeric localpart is generated, as Synapse does.
    std::optional<std::string> localpart;
    // None: the account has no password (guests; logging in needs another method).
    std::optional<std::string> password;
    // Used unless inhibit_login; none: generated.
    std::optional<std::string> device_id;
    std::optional<std::string> initial_device_display_name;
    // The profile's displayname; none: the localpart, as Synapse does.
    std::optional<std::string> displayname;
    std::optional<std::string> user_type;  // "bot", "support", ...; none for a regular user
    bool inhibit_login = false;            // create the account only: no device, no token
    bool admin = false;
    bool guest = false;
};

// A logged-in device: what /login and /register answer.
struct Session {
    UserId user_id;
    std::string device_id;
    std::string access_token;  // shown once; the store keeps only its hash
};

struct Registered {
    UserId user_id;
    std::optional<Session> session;  // none with inhibit_login
};

// Who sent a request, from its access token.
struct Requester {
    UserId user_id;
    std::string device_id;
    bool admin = false;
    bool guest = false;
};

// The profile fields of the spec before v1.16 (GET /profile/{userId}).
struct Profile {
    std::optional<std::string> displayname;
    std::optional<std::string> avatar_url;  // an mxc:// URI
};

using Device = store::DeviceRow;

// What an account change did in the user's rooms (profile changes: new m.room.member events;
// deactivation: leaves). A room where it failed is listed with the error, for the caller's
// logs: the account change itself stands, as in Synapse, because one broken room must not
// block a rename or a deactivation.
struct RoomUpdates {
    std::vector<rooms::SentEvent> sent;
    std::vector<std::pair<RoomId, Error>> failed;
};

// The accounts of this server's users: registration, password login and access tokens,
// password changes, deactivation, devices and profiles. What the daemon's /register, /login,
// /logout, /account/*, /devices and /profile endpoints call (spec client-server.md §2-§4).
//
// Every call blocks: SQLite, and argon2id (about 0.1 s of CPU and 64 MiB) where a password is
// hashed or checked, so run them on the blocking pool, never on a network thread. Password
// hashing happens outside write transactions, so it never holds up the store's writer.
// Thread-safe: the service has no mutable state of its own.
//
// Errors common to all calls: Errc::storage (the store failed) and Errc::internal.
class AccountService {
public:
    // `rooms` carries profile changes and deactivations into rooms; `clock` stamps
    // creation times and decides token expiry. All four must outlive the service.
    AccountService(store::Store& store, ServerName server_name, const Clock& clock,
                   rooms::RoomService& rooms);

    const ServerName& server_name() const noexcept { return server_name_; }

    // GET /register/available: whether register_user() would accept `localpart` now (it
    // reserves nothing). Untrusted input, lower-cased first. Errors: Errc::invalid_username
    // (grammar, length, reserved forms), Errc::user_in_use (taken, deactivated accounts
    // included: their ids are never issued again).
    Result<void> check_available(std::string_view localpart);

    // Creates an account and, unless inhibit_login, a device and an access token. The
    // password, if any, is hashed with argon2id. Errors: Errc::invalid_username,
    // Errc::user_in_use, Errc::invalid_param (empty or over-long password, device id,
    // display names, avatar, user_type).
    Result<Registered> register_user(const Registration& registration);

    // POST /login with m.login.password. `user` may be remote or unknown: both, a wrong
    // password, an account without a password and a deactivated account all give the same
    // Errc::forbidden ("Invalid username or password."), so that the answer tells nothing
    // about which accounts exist. A localpart with capitals that matches no account is tried
    // lower-cased (clients send what users type). `device_id` names the device to log in: an
    // existing one is reused and its earlier access tokens are revoked; none: a new device.
    // `initial_device_display_name` names a device this call creates. Errors also:
    // Errc::invalid_param (device id or display name too long).
    Result<Session> login_password(const UserId& user, std::string_view password,
                                   std::optional<std::string> device_id,
                                   std::optional<std::string> initial_device_display_name);

    // The requester behind an access token, for every authenticated request: one indexed
    // read, no hashing beyond SHA-256 of the token. Untrusted input. Errors:
    // Errc::unknown_token for an unknown, revoked or expired token or a deactivated account.
    Result<Requester> authenticate(std::string_view access_token);

    // POST /logout: revokes the token and deletes its device (and so the device's other
    // tokens). Errors: Errc::unknown_token.
    Result<void> logout(std::string_view access_token);
    // POST /logout/all: deletes every device and token of `user`.
    Result<void> logout_all(const UserId& user);

    // Checks `password` for the m.login.password stage of user-interactive auth. Errors:
    // Errc::forbidden for a wrong password, an account without one, or an unknown or
    // deactivated account.
    Result<void> verify_password(const UserId& user, std::string_view password);

    // POST /account/password: sets a new password (argon2id). With `logout_devices`, every
    // device but `keep_device` (the requester's) is deleted with its tokens. Errors:
    // Errc::invalid_param (empty or over-long password), Errc::not_found (unknown user),
    // Errc::forbidden (deactivated account).
    Result<void> change_password(const UserId& user, std::string_view new_password,
                                 bool logout_devices,
                                 const std::optional<std::string>& keep_device);

    // POST /account/deactivate: marks the account deactivated (its id stays taken), clears its
    // password, deletes its devices and tokens, with `erase` clears its profile, then leaves
    // every room it is joined to and rejects its invites and knocks through the RoomService.
    // The account is deactivated even if some room refuses the leave (listed in the result).
    // Calling it again finishes leaving rooms. Errors: Errc::not_found (unknown user).
    Result<RoomUpdates> deactivate(const UserId& user, bool erase);

    // GET /devices: ordered by device id.
    Result<std::vector<Device>> list_devices(const UserId& user);
    // GET /devices/{deviceId}. Errors: Errc::not_found (not a device of `user`).
    Result<Device> get_device(const UserId& user, std::string_view device_id);
    // PUT /devices/{deviceId}; none clears the name. Errors: Errc::not_found,
    // Errc::invalid_param (name over kMaxDeviceDisplayNameBytes).
    Result<void> rename_device(const UserId& user, std::string_view device_id,
                               std::optional<std::string> display_name);
    // DELETE /devices/{deviceId}: deletes the device and its tokens. False when there was no
    // such device (the endpoint still answers 200).
    Result<bool> delete_device(const UserId& user, std::string_view device_id);
    // POST /delete_devices: in one transaction; returns how many existed.
    Result<std::int64_t> delete_devices(const UserId& user,
                                        std::span<const std::string> device_ids);

    // GET /profile/{userId} for a local user. Errors: Errc::not_found (unknown or remote user;
    // remote profiles are a federation query).
    Result<Profile> get_profile(const UserId& user);
    // PUT /profile/{userId}/displayname. None or "" clears it. The new value goes into the
    // user's m.room.member event in every room they are joined to (a new join event each).
    // Errors: Errc::not_found (unknown user), Errc::invalid_param (over
    // kMaxDisplaynameBytes).
    Result<RoomUpdates> set_displayname(const UserId& user, std::optional<std::string> displayname);
    // PUT /profile/{userId}/avatar_url, like set_displayname. None or "" clears it; otherwise
    // it must be an mxc://<server-name>/<media-id> URI of at most kMaxAvatarUrlBytes.
    // Errors: Errc::not_found, Errc::invalid_param.
    Result<RoomUpdates> set_avatar_url(const UserId& user, std::optional<std::string> avatar_url);

private:
    Result<UserId> new_user_id(std::string_view localpart) const;
    Result<RoomUpdates> update_member_events(const UserId& user);

    store::Store& store_;
    ServerName server_name_;
    const Clock& clock_;
    rooms::RoomService& rooms_;
};

}  // namespace chat::accounts
