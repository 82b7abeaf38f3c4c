#include <chat/accounts/account_service.hpp>

#include <utility>

#include <chat/crypto/password.hpp>
#include <chat/crypto/random.hpp>

#include "accounts/validation.hpp"

namespace chat::accounts {
namespace {

// 43 characters of [A-Za-z0-9] carry 256 bits: a token cannot be guessed.
constexpr std::size_t kAccessTokenChars = 43;
// Synapse's device ids are 10 upper-case letters; ours add digits, the same shape to users.
constexpr std::size_t kDeviceIdChars = 10;
constexpr std::size_t kGeneratedLocalpartDigits = 10;
// Generated ids that collide are drawn again; this many collisions in a row means the
// generator is broken, not unlucky.
constexpr int kMaxGenerateAttempts = 8;

Error invalid_login() { return make_error(Errc::forbidden, "Invalid username or password."); }
Error unknown_token() { return make_error(Errc::unknown_token, "Unknown access token."); }

std::string generate_device_id() {
    std::string id = crypto::random_alphanumeric(kDeviceIdChars);
    for (auto& c : id)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return id;
}

// Uniform random digits: keep only the digits of random alphanumerics (rejection sampling,
// so no digit is favoured).
std::string generate_numeric_localpart() {
    std::string digits;
    while (digits.size() < kGeneratedLocalpartDigits)
        for (char c : crypto::random_alphanumeric(kGeneratedLocalpartDigits * 4))
            if (c >= '0' && c <= '9' && digits.size() < kGeneratedLocalpartDigits)
                digits.push_back(c);
    // No leading zero, so the id reads as the number it looks like.
    if (digits.front() == '0') digits.front() = '1';
    return digits;
}

// Creates (or, for a named device that exists, reuses and revokes the tokens of) a device
// and issues it a new access token, inside the caller's write transaction.
Result<Session> open_session(store::WriteTxn& txn, const UserId& user,
                             const std::optional<std::string>& device_id,
                             const std::optional<std::string>& display_name, std::int64_t now) {
    std::string device;
    if (device_id) {
        device = *device_id;
        auto created = txn.devices().create({.user_id = user,
                                             .device_id = device,
                                             .display_name = display_name,
                                             .created_ts = now});
        if (!created) return created.error();
        // Spec (login): an existing device keeps its keys but its old tokens stop working.
        if (!*created)
            if (auto revoked = txn.tokens().remove_for_device(user, device); !revoked)
                return revoked.error();
    } else {
        bool created = false;
        for (int attempt = 0; attempt < kMaxGenerateAttempts && !created; ++attempt) {
            device = generate_device_id();
            // A generated id that happens to exist must not take over that device.
            auto made = txn.devices().create({.user_id = user,
                                              .device_id = device,
                                              .display_name = display_name,
                                              .created_ts = now});
            if (!made) return made.error();
            created = *made;
        }
        if (!created)
            return make_error(Errc::internal, "Internal server error.",
                              "could not generate a free device id");
    }
    std::string token = crypto::random_alphanumeric(kAccessTokenChars);
    if (auto added = txn.tokens().add(token, user, device, now); !added) return added.error();
    return Session{
        .user_id = user, .device_id = std::move(device), .access_token = std::move(token)};
}

Result<void> check_session_fields(const std::optional<std::string>& device_id,
                                  const std::optional<std::string>& display_name) {
    if (device_id)
        if (auto valid = detail::check_device_id(*device_id); !valid) return valid.error();
    return detail::check_device_display_name(display_name);
}

}  // namespace

AccountService::AccountService(store::Store& store, ServerName server_name, const Clock& clock,
                               rooms::RoomService& rooms)
    : store_(store), server_name_(std::move(server_name)), clock_(clock), rooms_(rooms) {}

Result<UserId> AccountService::new_user_id(std::string_view localpart) const {
    auto id = UserId::parse("@" + std::string(localpart) + ":" + std::string(server_name_.str()));
    if (!id) return make_error(Errc::invalid_username, "User ID is not valid.", id.error().message);
    return id;
}

Result<void> AccountService::check_available(std::string_view localpart) {
    const std::string lowered = detail::ascii_lower(localpart);
    if (auto valid = detail::check_chosen_localpart(lowered, server_name_); !valid)
        return valid.error();
    auto user_id = new_user_id(lowered);
    if (!user_id) return user_id.error();
    auto existing = store_.read("check_available",
                                [&](store::ReadTxn& txn) { return txn.users().get(*user_id); });
    if (!existing) return existing.error();
    if (*existing) return make_error(Errc::user_in_use, "User ID already taken.");
    return ok();
}

Result<Registered> AccountService::register_user(const Registration& r) {
    std::optional<UserId> chosen;
    if (r.localpart) {
        const std::string lowered = detail::ascii_lower(*r.localpart);
        if (auto valid = detail::check_chosen_localpart(lowered, server_name_); !valid)
            return valid.error();
        auto id = new_user_id(lowered);
        if (!id) return id.error();
        chosen = std::move(*id);
    }
    if (auto valid = detail::check_displayname(r.displayname); !valid) return valid.error();
    if (r.user_type && (r.user_type->empty() || r.user_type->size() > kMaxUserTypeBytes))
        return make_error(Errc::invalid_param, "user_type must be 1 to 255 bytes.");
    if (!r.inhibit_login)
        if (auto valid = check_session_fields(r.device_id, r.initial_device_display_name); !valid)
            return valid.error();

    // Hash before the write transaction: argon2id takes 0.1 s, the writer serves everyone.
    std::optional<std::string> hash;
    if (r.password) {
        if (auto valid = detail::check_password(*r.password); !valid) return valid.error();
        auto hashed = crypto::hash_password(*r.password);
        if (!hashed) return hashed.error();
        hash = std::move(*hashed);
    }

    const auto now = clock_.now_ms();
    return store_.write("register_user", [&](store::WriteTxn& txn) -> Result<Registered> {
        std::optional<UserId> user_id = chosen;
        for (int attempt = 0; !user_id && attempt < kMaxGenerateAttempts; ++attempt) {
            auto candidate = new_user_id(generate_numeric_localpart());
            if (!candidate) return candidate.error();
            auto taken = txn.users().get(*candidate);
            if (!taken) return taken.error();
            if (!*taken) user_id = std::move(*candidate);
        }
        if (!user_id)
            return make_error(Errc::internal, "Internal server error.",
                              "could not generate a free user id");
        // Synapse starts every profile with the localpart as the name; clients show it.
        std::optional<std::string> displayname = r.displayname;
        if (!displayname) displayname = std::string(user_id->localpart());
        if (displayname->empty()) displayname.reset();

        auto created = txn.users().create({.user_id = *user_id,
                                           .password_hash = hash,
                                           .created_ts = now,
                                           .admin = r.admin,
                                           .deactivated = false,
                                           .guest = r.guest,
                                           .user_type = r.user_type,
                                           .displayname = std::move(displayname),
                                           .avatar_url = std::nullopt});
        if (!created) return created.error();  // Errc::user_in_use when taken meanwhile
        Registered out{.user_id = *user_id, .session = std::nullopt};
        if (!r.inhibit_login) {
            auto session =
                open_session(txn, *user_id, r.device_id, r.initial_device_display_name, now);
            if (!session) return session.error();
            out.session = std::move(*session);
        }
        return out;
    });
}

Result<Session> AccountService::login_password(
    const UserId& user, std::string_view password, std::optional<std::string> device_id,
    std::optional<std::string> initial_device_display_name) {
    if (auto valid = check_session_fields(device_id, initial_device_display_name); !valid)
        return valid.error();
    if (user.server() != server_name_.str() || password.empty() ||
        password.size() > crypto::kMaxPasswordBytes)
        return invalid_login();

    // The account and its stored hash; capitals that match nothing are tried lower-cased.
    auto lookup = [&](store::ReadTxn& txn) -> Result<std::optional<store::UserRow>> {
        auto row = txn.users().get(user);
        if (!row || *row) return row;
        const std::string lowered = detail::ascii_lower(user.localpart());
        if (lowered == user.localpart()) return row;
        auto lower_id = new_user_id(lowered);
        if (!lower_id) return std::optional<store::UserRow>{};
        return txn.users().get(*lower_id);
    };
    auto found = store_.read("login_lookup", lookup);
    if (!found) return found.error();
    if (!*found || (*found)->deactivated || !(*found)->password_hash) return invalid_login();
    const store::UserRow& account = **found;
    const std::string checked_hash = *account.password_hash;
    if (!crypto::verify_password(checked_hash, password)) return invalid_login();

    // Old parameters are upgraded while the password is at hand.
    std::optional<std::string> rehashed;
    if (crypto::password_needs_rehash(checked_hash))
        if (auto h = crypto::hash_password(password)) rehashed = std::move(*h);

    const auto now = clock_.now_ms();
    return store_.write("login", [&](store::WriteTxn& txn) -> Result<Session> {
        // Deactivated or given a new password since the check: the check no longer counts.
        auto current = txn.users().get(account.user_id);
        if (!current) return current.error();
        if (!*current || (*current)->deactivated || (*current)->password_hash != checked_hash)
            return invalid_login();
        if (rehashed)
            if (auto set = txn.users().set_password_hash(account.user_id, rehashed); !set)
                return set.error();
        return open_session(txn, account.user_id, device_id, initial_device_display_name, now);
    });
}

Result<Requester> AccountService::authenticate(std::string_view access_token) {
    auto info = store_.read("authenticate",
                            [&](store::ReadTxn& txn) { return txn.tokens().lookup(access_token); });
    if (!info) return info.error();
    if (!*info || (*info)->deactivated) return unknown_token();
    if ((*info)->expires_ts && *(*info)->expires_ts <= clock_.now_ms()) return unknown_token();
    return Requester{.user_id = std::move((*info)->user_id),
                     .device_id = std::move((*info)->device_id),
                     .admin = (*info)->admin,
                     .guest = (*info)->guest};
}

Result<void> AccountService::logout(std::string_view access_token) {
    return store_.write("logout", [&](store::WriteTxn& txn) -> Result<void> {
        auto info = txn.tokens().lookup(access_token);
        if (!info) return info.error();
        if (!*info) return unknown_token();
        // Spec: logging out deletes the device; its tokens go with it.
        auto removed = txn.devices().remove((*info)->user_id, (*info)->device_id);
        if (!removed) return removed.error();
        return ok();
    });
}

Result<void> AccountService::logout_all(const UserId& user) {
    return store_.write("logout_all", [&](store::WriteTxn& txn) -> Result<void> {
        auto removed = txn.devices().remove_all(user);
        if (!removed) return removed.error();
        return ok();
    });
}

Result<void> AccountService::verify_password(const UserId& user, std::string_view password) {
    if (user.server() != server_name_.str() || password.empty() ||
        password.size() > crypto::kMaxPasswordBytes)
        return invalid_login();
    auto found =
        store_.read("verify_password", [&](store::ReadTxn& txn) { return txn.users().get(user); });
    if (!found) return found.error();
    if (!*found || (*found)->deactivated || !(*found)->password_hash) return invalid_login();
    if (!crypto::verify_password(*(*found)->password_hash, password)) return invalid_login();
    return ok();
}

Result<void> AccountService::change_password(const UserId& user, std::string_view new_password,
                                             bool logout_devices,
                                             const std::optional<std::string>& keep_device) {
    if (auto valid = detail::check_password(new_password); !valid) return valid.error();
    auto hash = crypto::hash_password(new_password);
    if (!hash) return hash.error();
    return store_.write("change_password", [&](store::WriteTxn& txn) -> Result<void> {
        auto row = txn.users().get(user);
        if (!row) return row.error();
        if (!*row) return make_error(Errc::not_found, "Unknown user.");
        if ((*row)->deactivated) return make_error(Errc::forbidden, "The account is deactivated.");
        if (auto set = txn.users().set_password_hash(user, *hash); !set) return set.error();
        if (logout_devices)
            if (auto removed = txn.devices().remove_all(user, keep_device); !removed)
                return removed.error();
        return ok();
    });
}

Result<RoomUpdates> AccountService::deactivate(const UserId& user, bool erase) {
    // First the account, in one transaction, so that no token works any more whatever
    // happens in the rooms afterwards.
    auto marked = store_.write("deactivate", [&](store::WriteTxn& txn) -> Result<void> {
        auto row = txn.users().get(user);
        if (!row) return row.error();
        if (!*row) return make_error(Errc::not_found, "Unknown user.");
        for (auto r : {txn.users().set_deactivated(user, true),
                       txn.users().set_password_hash(user, std::nullopt)})
            if (!r) return r.error();
        if (auto removed = txn.devices().remove_all(user); !removed) return removed.error();
        if (erase)
            for (auto r : {txn.users().set_displayname(user, std::nullopt),
                           txn.users().set_avatar_url(user, std::nullopt)})
                if (!r) return r.error();
        return ok();
    });
    if (!marked) return marked.error();

    // Then the rooms: a leave is a join's, an invite's and a knock's undoing alike.
    auto rooms =
        store_.read("deactivate_rooms", [&](store::ReadTxn& txn) -> Result<std::vector<RoomId>> {
            std::vector<RoomId> ids;
            for (std::string_view membership : {"join", "invite", "knock"}) {
                auto rows = txn.members().rooms_for_user(user, membership);
                if (!rows) return rows.error();
                for (auto& row : *rows) ids.push_back(std::move(row.room_id));
            }
            return ids;
        });
    if (!rooms) return rooms.error();
    RoomUpdates updates;
    for (const auto& room_id : *rooms) {
        auto left = rooms_.leave(user, room_id);
        if (left)
            updates.sent.push_back(std::move(*left));
        else
            updates.failed.emplace_back(room_id, std::move(left).error());
    }
    return updates;
}

}  // namespace chat::accounts
