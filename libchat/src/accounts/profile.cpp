// Profiles (spec client-server.md §4): displayname and avatar_url, carried into the user's
// member events by RoomService::update_member_profile.

#include <chat/accounts/account_service.hpp>

#include "accounts/validation.hpp"

namespace chat::accounts {

Result<Profile> AccountService::get_profile(const UserId& user) {
    if (user.server() != server_name_.str())
        return make_error(Errc::not_found, "Profile not found.");
    auto row =
        store_.read("get_profile", [&](store::ReadTxn& txn) { return txn.users().get(user); });
    if (!row) return row.error();
    if (!*row) return make_error(Errc::not_found, "Profile not found.");
    return Profile{.displayname = std::move((*row)->displayname),
                   .avatar_url = std::move((*row)->avatar_url)};
}

Result<RoomUpdates> AccountService::set_displayname(const UserId& user,
                                                    std::optional<std::string> displayname) {
    if (displayname && displayname->empty()) displayname.reset();  // "" clears, as in Synapse
    if (auto valid = detail::check_displayname(displayname); !valid) return valid.error();
    if (user.server() != server_name_.str()) return make_error(Errc::not_found, "Unknown user.");
    auto set = store_.write("set_displayname", [&](store::WriteTxn& txn) {
        return txn.users().set_displayname(user, displayname);
    });
    if (!set) return set.error();
    return update_member_events(user);
}

Result<RoomUpdates> AccountService::set_avatar_url(const UserId& user,
                                                   std::optional<std::string> avatar_url) {
    if (avatar_url && avatar_url->empty()) avatar_url.reset();
    if (avatar_url)
        if (auto valid = detail::check_avatar_url(*avatar_url); !valid) return valid.error();
    if (user.server() != server_name_.str()) return make_error(Errc::not_found, "Unknown user.");
    auto set = store_.write("set_avatar_url", [&](store::WriteTxn& txn) {
        return txn.users().set_avatar_url(user, avatar_url);
    });
    if (!set) return set.error();
    return update_member_events(user);
}

Result<RoomUpdates> AccountService::update_member_events(const UserId& user) {
    // If the rooms cannot even be listed, the error goes to the client although the profile
    // is saved: setting it again is harmless and sends the member events then.
    auto joined = store_.read("joined_rooms", [&](store::ReadTxn& txn) {
        return txn.members().rooms_for_user(user, "join");
    });
    if (!joined) return joined.error();
    RoomUpdates updates;
    for (const auto& row : *joined) {
        auto sent = rooms_.update_member_profile(user, row.room_id);
        if (!sent)
            updates.failed.emplace_back(row.room_id, std::move(sent).error());
        else if (*sent)
            updates.sent.push_back(std::move(**sent));
    }
    return updates;
}

}  // namespace chat::accounts
