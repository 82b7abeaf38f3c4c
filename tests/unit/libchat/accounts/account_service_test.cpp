#include <chat/accounts/account_service.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "support/ticking_clock.hpp"

namespace chat::accounts {
namespace {

using nlohmann::json;

UserId user(const char* id) { return UserId::parse(id).value(); }

class AccountServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("account_service_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        store_ = store::open_sqlite((dir_ / "chat.db").string(),
                                    {.synchronous = store::Synchronous::off})
                     .value();
        const auto server = ServerName::parse("a.test").value();
        rooms_ = std::make_unique<rooms::RoomService>(
            *store_, server, crypto::SigningKey::generate("t"), notifier_, clock_);
        accounts_ = std::make_unique<AccountService>(*store_, server, clock_, *rooms_);
    }
    void TearDown() override {
        accounts_.reset();
        rooms_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // Registers `localpart` with `password` and logs in a first device.
    Session registered(const std::string& localpart, const std::string& password = "secret") {
        auto r = accounts_->register_user({.localpart = localpart, .password = password});
        EXPECT_TRUE(r) << r.error().message;
        EXPECT_TRUE(r->session);
        return *r->session;
    }
    // Registers `localpart` without a password or device (no argon2id: fast).
    UserId registered_quietly(const std::string& localpart) {
        auto r = accounts_->register_user({.localpart = localpart, .inhibit_login = true});
        EXPECT_TRUE(r) << r.error().message;
        return r->user_id;
    }

    std::optional<std::string> membership_of(const RoomId& room, const UserId& u) {
        auto row = store_->read("m", [&](store::ReadTxn& t) { return t.members().get(u, room); });
        if (!row || !*row) return std::nullopt;
        return (*row)->membership;
    }
    // The content of `u`'s current m.room.member event in `room`.
    json member_content(const RoomId& room, const UserId& u) {
        auto content = store_->read("mc", [&](store::ReadTxn& t) -> Result<json> {
            auto id = t.current_state().entry(room, "m.room.member", u.str());
            if (!id) return id.error();
            if (!*id) return make_error(Errc::not_found, "no member event");
            auto ev = t.events().get(**id);
            if (!ev) return ev.error();
            if (!*ev) return make_error(Errc::not_found, "member event not stored");
            return (*ev)->json["content"];
        });
        EXPECT_TRUE(content) << content.error().message;
        return content ? *content : json();
    }
    std::int64_t devices_of(const UserId& u) {
        auto n = store_->read("n", [&](store::ReadTxn& t) -> Result<std::int64_t> {
            auto devices = t.devices().list(u);
            if (!devices) return devices.error();
            return static_cast<std::int64_t>(devices->size());
        });
        return n.value_or(-1);
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    sync::InProcessNotifier notifier_;
    test::TickingClock clock_;
    std::unique_ptr<rooms::RoomService> rooms_;
    std::unique_ptr<AccountService> accounts_;
};

void expect_error(const Result<void>& r, Errc code) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
}
template <typename T>
void expect_error(const Result<T>& r, Errc code) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
}

// ---- registration

TEST_F(AccountServiceTest, RegistersLowerCasedNameAndLogsInAFirstDevice) {
    auto r = accounts_->register_user({.localpart = "Alice",
                                       .password = "secret",
                                       .device_id = "PHONE",
                                       .initial_device_display_name = "Alice's phone"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->user_id, user("@alice:a.test"));
    ASSERT_TRUE(r->session);
    EXPECT_EQ(r->session->device_id, "PHONE");
    EXPECT_GE(r->session->access_token.size(), 40u);

    auto who = accounts_->authenticate(r->session->access_token);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->user_id, r->user_id);
    EXPECT_EQ(who->device_id, "PHONE");
    EXPECT_FALSE(who->admin);
    EXPECT_FALSE(who->guest);

    auto device = accounts_->get_device(r->user_id, "PHONE");
    ASSERT_TRUE(device);
    EXPECT_EQ(device->display_name, "Alice's phone");
    // The profile starts with the localpart as the name, as in Synapse.
    auto profile = accounts_->get_profile(r->user_id);
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->displayname, "alice");
    EXPECT_FALSE(profile->avatar_url);
}

TEST_F(AccountServiceTest, StoresOnlyAnArgon2idHashOfThePassword) {
    registered("alice", "correct horse");
    auto row =
        store_->read("u", [](store::ReadTxn& t) { return t.users().get(user("@alice:a.test")); });
    ASSERT_TRUE(row && *row);
    ASSERT_TRUE((*row)->password_hash);
    EXPECT_TRUE((*row)->password_hash->starts_with("$argon2id$"));
    EXPECT_EQ((*row)->password_hash->find("correct horse"), std::string::npos);
}

TEST_F(AccountServiceTest, GeneratesANumericLocalpartWhenNoneIsGiven) {
    auto a = accounts_->register_user({.inhibit_login = true});
    auto b = accounts_->register_user({.guest = true});
    ASSERT_TRUE(a && b);
    for (const auto& id : {a->user_id, b->user_id}) {
        EXPECT_FALSE(id.localpart().empty());
        EXPECT_TRUE(std::all_of(id.localpart().begin(), id.localpart().end(), [](char c) {
            return c >= '0' && c <= '9';
        })) << id.str();
        EXPECT_EQ(id.server(), "a.test");
    }
    EXPECT_NE(a->user_id, b->user_id);
    // inhibit_login: an account and nothing else.
    EXPECT_FALSE(a->session);
    EXPECT_EQ(devices_of(a->user_id), 0);
    ASSERT_TRUE(b->session);
    auto guest = accounts_->authenticate(b->session->access_token);
    ASSERT_TRUE(guest);
    EXPECT_TRUE(guest->guest);
}

TEST_F(AccountServiceTest, RefusesInvalidAndReservedNames) {
    for (const char* bad :
         {"", "has space", "caf\xc3\xa9", "a:b", "_bridge_bot", "12345", "@alice"})
        expect_error(accounts_->check_available(bad), Errc::invalid_username);
    expect_error(accounts_->check_available(std::string(250, 'a')), Errc::invalid_username);
    expect_error(accounts_->register_user({.localpart = "has space", .inhibit_login = true}),
                 Errc::invalid_username);
    expect_error(accounts_->register_user({.localpart = "42", .inhibit_login = true}),
                 Errc::invalid_username);
    EXPECT_TRUE(accounts_->check_available("alice.smith-1=x/y+z_"));
}

TEST_F(AccountServiceTest, TakenNamesAreInUseWhateverTheirCase) {
    EXPECT_TRUE(accounts_->check_available("alice"));
    registered_quietly("alice");
    expect_error(accounts_->check_available("alice"), Errc::user_in_use);
    expect_error(accounts_->check_available("ALICE"), Errc::user_in_use);
    expect_error(accounts_->register_user({.localpart = "Alice", .inhibit_login = true}),
                 Errc::user_in_use);
    EXPECT_TRUE(accounts_->check_available("bob"));
}

TEST_F(AccountServiceTest, DeactivatedNamesStayTaken) {
    auto alice = registered_quietly("alice");
    ASSERT_TRUE(accounts_->deactivate(alice, false));
    expect_error(accounts_->check_available("alice"), Errc::user_in_use);
}

TEST_F(AccountServiceTest, RefusesBadRegistrationFields) {
    expect_error(accounts_->register_user({.localpart = "a", .password = ""}), Errc::invalid_param);
    expect_error(accounts_->register_user({.localpart = "a", .device_id = "has space"}),
                 Errc::invalid_param);
    expect_error(accounts_->register_user({.localpart = "a", .device_id = ""}),
                 Errc::invalid_param);
    expect_error(accounts_->register_user(
                     {.localpart = "a", .initial_device_display_name = std::string(101, 'x')}),
                 Errc::invalid_param);
    expect_error(
        accounts_->register_user(
            {.localpart = "a", .displayname = std::string(257, 'x'), .inhibit_login = true}),
        Errc::invalid_param);
    // Nothing was created by the refused attempts.
    EXPECT_TRUE(accounts_->check_available("a"));
}

TEST_F(AccountServiceTest, AdminFlagReachesTheRequester) {
    auto r = accounts_->register_user({.localpart = "root", .admin = true});
    ASSERT_TRUE(r && r->session);
    auto who = accounts_->authenticate(r->session->access_token);
    ASSERT_TRUE(who);
    EXPECT_TRUE(who->admin);
}

// ---- login and tokens

TEST_F(AccountServiceTest, LogsInWithThePasswordOnANewDevice) {
    auto first = registered("alice", "secret");
    auto login = accounts_->login_password(user("@alice:a.test"), "secret", std::nullopt, "laptop");
    ASSERT_TRUE(login) << login.error().message;
    EXPECT_EQ(login->user_id, user("@alice:a.test"));
    EXPECT_NE(login->device_id, first.device_id);
    EXPECT_NE(login->access_token, first.access_token);
    // Both devices work.
    EXPECT_TRUE(accounts_->authenticate(first.access_token));
    auto who = accounts_->authenticate(login->access_token);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->device_id, login->device_id);
    auto device = accounts_->get_device(login->user_id, login->device_id);
    ASSERT_TRUE(device);
    EXPECT_EQ(device->display_name, "laptop");
}

TEST_F(AccountServiceTest, LoginLowerCasesAnUnknownCapitalisedName) {
    registered("alice", "secret");
    auto login =
        accounts_->login_password(user("@Alice:a.test"), "secret", std::nullopt, std::nullopt);
    ASSERT_TRUE(login) << login.error().message;
    EXPECT_EQ(login->user_id, user("@alice:a.test"));
}

TEST_F(AccountServiceTest, WrongCredentialsAllGiveTheSameRefusal) {
    registered("alice", "secret");
    auto guest = accounts_->register_user({.guest = true});  // no password at all
    ASSERT_TRUE(guest);
    const std::vector<Result<Session>> refusals = {
        accounts_->login_password(user("@alice:a.test"), "wrong", std::nullopt, std::nullopt),
        accounts_->login_password(user("@alice:a.test"), "", std::nullopt, std::nullopt),
        accounts_->login_password(user("@nobody:a.test"), "secret", std::nullopt, std::nullopt),
        accounts_->login_password(user("@alice:b.test"), "secret", std::nullopt, std::nullopt),
        accounts_->login_password(guest->user_id, "", std::nullopt, std::nullopt),
        accounts_->login_password(guest->user_id, "x", std::nullopt, std::nullopt),
    };
    for (const auto& r : refusals) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::forbidden);
        EXPECT_EQ(r.error().message, "Invalid username or password.");
    }
}

TEST_F(AccountServiceTest, DeactivatedAccountsCannotLogIn) {
    auto session = registered("alice", "secret");
    ASSERT_TRUE(accounts_->deactivate(session.user_id, false));
    auto login = accounts_->login_password(session.user_id, "secret", std::nullopt, std::nullopt);
    expect_error(login, Errc::forbidden);
    expect_error(accounts_->verify_password(session.user_id, "secret"), Errc::forbidden);
}

TEST_F(AccountServiceTest, ReusingADeviceIdRevokesThatDevicesOldToken) {
    auto first = registered("alice", "secret");
    auto other = accounts_->login_password(first.user_id, "secret", "TABLET", std::nullopt);
    ASSERT_TRUE(other);
    auto again = accounts_->login_password(first.user_id, "secret", first.device_id, "renamed?");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->device_id, first.device_id);
    expect_error(accounts_->authenticate(first.access_token), Errc::unknown_token);
    EXPECT_TRUE(accounts_->authenticate(again->access_token));
    EXPECT_TRUE(accounts_->authenticate(other->access_token));  // another device: untouched
    // The existing device keeps its name.
    auto device = accounts_->get_device(first.user_id, first.device_id);
    ASSERT_TRUE(device);
    EXPECT_EQ(device->display_name, std::nullopt);
}

TEST_F(AccountServiceTest, UnknownAndExpiredTokensAreRefused) {
    auto session = registered("alice");
    expect_error(accounts_->authenticate(""), Errc::unknown_token);
    expect_error(accounts_->authenticate("not-a-token"), Errc::unknown_token);
    expect_error(accounts_->authenticate(session.access_token + "x"), Errc::unknown_token);
    // Tokens with an expiry (none of ours yet) stop working when it passes.
    const auto now = clock_.now_ms();
    ASSERT_TRUE(store_->write("t", [&](store::WriteTxn& t) -> Result<void> {
        if (auto r = t.tokens().add("expired", session.user_id, session.device_id, 1, now - 1); !r)
            return r.error();
        return t.tokens().add("fresh", session.user_id, session.device_id, 1, now + 3'600'000);
    }));
    expect_error(accounts_->authenticate("expired"), Errc::unknown_token);
    EXPECT_TRUE(accounts_->authenticate("fresh"));
}

TEST_F(AccountServiceTest, TokensOfADeactivatedAccountAreRefusedEvenIfLeftBehind) {
    auto session = registered("alice");
    // Only the flag, as a half-finished deactivation or an admin tool might leave it.
    ASSERT_TRUE(store_->write(
        "d", [&](store::WriteTxn& t) { return t.users().set_deactivated(session.user_id, true); }));
    expect_error(accounts_->authenticate(session.access_token), Errc::unknown_token);
}

TEST_F(AccountServiceTest, LogoutRevokesTheTokenAndDeletesItsDevice) {
    auto first = registered("alice", "secret");
    auto second = accounts_->login_password(first.user_id, "secret", std::nullopt, std::nullopt);
    ASSERT_TRUE(second);
    ASSERT_TRUE(accounts_->logout(first.access_token));
    expect_error(accounts_->authenticate(first.access_token), Errc::unknown_token);
    expect_error(accounts_->get_device(first.user_id, first.device_id), Errc::not_found);
    EXPECT_TRUE(accounts_->authenticate(second->access_token));
    expect_error(accounts_->logout(first.access_token), Errc::unknown_token);
}

TEST_F(AccountServiceTest, LogoutAllRevokesEveryTokenOfTheUserOnly) {
    auto first = registered("alice", "secret");
    auto second = accounts_->login_password(first.user_id, "secret", std::nullopt, std::nullopt);
    auto bob = registered("bob", "secret");
    ASSERT_TRUE(second);
    ASSERT_TRUE(accounts_->logout_all(first.user_id));
    expect_error(accounts_->authenticate(first.access_token), Errc::unknown_token);
    expect_error(accounts_->authenticate(second->access_token), Errc::unknown_token);
    EXPECT_EQ(devices_of(first.user_id), 0);
    EXPECT_TRUE(accounts_->authenticate(bob.access_token));
    // The account itself still works.
    EXPECT_TRUE(accounts_->login_password(first.user_id, "secret", std::nullopt, std::nullopt));
}

// ---- passwords

TEST_F(AccountServiceTest, VerifiesPasswordsForInteractiveAuth) {
    auto session = registered("alice", "secret");
    EXPECT_TRUE(accounts_->verify_password(session.user_id, "secret"));
    expect_error(accounts_->verify_password(session.user_id, "Secret"), Errc::forbidden);
    expect_error(accounts_->verify_password(user("@nobody:a.test"), "secret"), Errc::forbidden);
}

TEST_F(AccountServiceTest, ChangingThePasswordWithLogoutKeepsOnlyTheRequestersDevice) {
    auto first = registered("alice", "old");
    auto second = accounts_->login_password(first.user_id, "old", std::nullopt, std::nullopt);
    ASSERT_TRUE(second);
    ASSERT_TRUE(accounts_->change_password(first.user_id, "new", true, first.device_id));
    EXPECT_TRUE(accounts_->authenticate(first.access_token));
    expect_error(accounts_->authenticate(second->access_token), Errc::unknown_token);
    expect_error(accounts_->get_device(first.user_id, second->device_id), Errc::not_found);
    expect_error(accounts_->login_password(first.user_id, "old", std::nullopt, std::nullopt),
                 Errc::forbidden);
    EXPECT_TRUE(accounts_->verify_password(first.user_id, "new"));
}

TEST_F(AccountServiceTest, ChangingThePasswordWithoutLogoutKeepsEveryDevice) {
    auto first = registered("alice", "old");
    auto second = accounts_->login_password(first.user_id, "old", std::nullopt, std::nullopt);
    ASSERT_TRUE(second);
    ASSERT_TRUE(accounts_->change_password(first.user_id, "new", false, std::nullopt));
    EXPECT_TRUE(accounts_->authenticate(first.access_token));
    EXPECT_TRUE(accounts_->authenticate(second->access_token));
}

TEST_F(AccountServiceTest, ChangingThePasswordRefusesBadInput) {
    auto alice = registered_quietly("alice");
    expect_error(accounts_->change_password(alice, "", false, std::nullopt), Errc::invalid_param);
    expect_error(accounts_->change_password(user("@nobody:a.test"), "pw", false, std::nullopt),
                 Errc::not_found);
    ASSERT_TRUE(accounts_->deactivate(alice, false));
    expect_error(accounts_->change_password(alice, "pw", false, std::nullopt), Errc::forbidden);
}

// ---- deactivation

TEST_F(AccountServiceTest, DeactivationRevokesEverythingAndLeavesRooms) {
    auto alice = registered("alice", "secret");
    auto bob = registered_quietly("bob");
    auto joined =
        rooms_->create_room({.creator = alice.user_id, .preset = rooms::Preset::public_chat});
    auto invited = rooms_->create_room({.creator = bob, .invite = {alice.user_id}});
    auto knocked = rooms_->create_room({.creator = bob, .preset = rooms::Preset::private_chat});
    ASSERT_TRUE(joined && invited && knocked);
    ASSERT_TRUE(rooms_->send_state(bob, knocked->room_id, "m.room.join_rules", "",
                                   {{"join_rule", "knock"}}));
    ASSERT_TRUE(rooms_->knock(alice.user_id, knocked->room_id));
    ASSERT_TRUE(accounts_->set_avatar_url(alice.user_id, "mxc://a.test/avatar"));

    auto done = accounts_->deactivate(alice.user_id, false);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_TRUE(done->failed.empty());
    EXPECT_EQ(done->sent.size(), 3u);
    EXPECT_EQ(membership_of(joined->room_id, alice.user_id), "leave");
    EXPECT_EQ(membership_of(invited->room_id, alice.user_id), "leave");  // invite rejected
    EXPECT_EQ(membership_of(knocked->room_id, alice.user_id), "leave");  // knock withdrawn
    expect_error(accounts_->authenticate(alice.access_token), Errc::unknown_token);
    EXPECT_EQ(devices_of(alice.user_id), 0);
    auto row = store_->read("u", [&](store::ReadTxn& t) { return t.users().get(alice.user_id); });
    ASSERT_TRUE(row && *row);
    EXPECT_TRUE((*row)->deactivated);
    EXPECT_FALSE((*row)->password_hash);
    // Without erase the profile stays.
    auto profile = accounts_->get_profile(alice.user_id);
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->displayname, "alice");
    EXPECT_EQ(profile->avatar_url, "mxc://a.test/avatar");
    // Again: nothing left to leave, and nothing fails.
    auto again = accounts_->deactivate(alice.user_id, false);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->sent.empty());
    EXPECT_TRUE(again->failed.empty());
}

TEST_F(AccountServiceTest, DeactivationWithEraseClearsTheProfile) {
    auto alice = registered_quietly("alice");
    ASSERT_TRUE(accounts_->set_avatar_url(alice, "mxc://a.test/avatar"));
    ASSERT_TRUE(accounts_->deactivate(alice, true));
    auto profile = accounts_->get_profile(alice);
    ASSERT_TRUE(profile);
    EXPECT_FALSE(profile->displayname);
    EXPECT_FALSE(profile->avatar_url);
    expect_error(accounts_->deactivate(user("@nobody:a.test"), false), Errc::not_found);
}

// ---- devices

TEST_F(AccountServiceTest, ListsRenamesAndDeletesDevices) {
    auto first = registered("alice", "secret");
    auto second = accounts_->login_password(first.user_id, "secret", "BBB", "two");
    auto third = accounts_->login_password(first.user_id, "secret", "CCC", "three");
    ASSERT_TRUE(second && third);

    auto listed = accounts_->list_devices(first.user_id);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 3u);
    EXPECT_TRUE(
        std::is_sorted(listed->begin(), listed->end(),
                       [](const Device& a, const Device& b) { return a.device_id < b.device_id; }));

    ASSERT_TRUE(accounts_->rename_device(first.user_id, "BBB", "renamed"));
    EXPECT_EQ(accounts_->get_device(first.user_id, "BBB")->display_name, "renamed");
    ASSERT_TRUE(accounts_->rename_device(first.user_id, "BBB", std::nullopt));
    EXPECT_EQ(accounts_->get_device(first.user_id, "BBB")->display_name, std::nullopt);
    expect_error(accounts_->rename_device(first.user_id, "BBB", std::string(101, 'x')),
                 Errc::invalid_param);
    expect_error(accounts_->rename_device(first.user_id, "NOPE", "x"), Errc::not_found);

    // Deleting a device revokes its token, and only its token.
    auto deleted = accounts_->delete_device(first.user_id, "BBB");
    ASSERT_TRUE(deleted);
    EXPECT_TRUE(*deleted);
    expect_error(accounts_->authenticate(second->access_token), Errc::unknown_token);
    EXPECT_TRUE(accounts_->authenticate(first.access_token));
    auto twice = accounts_->delete_device(first.user_id, "BBB");
    ASSERT_TRUE(twice);
    EXPECT_FALSE(*twice);

    const std::vector<std::string> many = {"CCC", first.device_id, "NOPE"};
    auto removed = accounts_->delete_devices(first.user_id, many);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 2);
    expect_error(accounts_->authenticate(third->access_token), Errc::unknown_token);
    expect_error(accounts_->authenticate(first.access_token), Errc::unknown_token);
    EXPECT_TRUE(accounts_->list_devices(first.user_id)->empty());
}

TEST_F(AccountServiceTest, DevicesOfOtherUsersAreNotFound) {
    auto alice = registered("alice");
    auto bob = registered_quietly("bob");
    expect_error(accounts_->get_device(bob, alice.device_id), Errc::not_found);
    auto deleted = accounts_->delete_device(bob, alice.device_id);
    ASSERT_TRUE(deleted);
    EXPECT_FALSE(*deleted);
    EXPECT_TRUE(accounts_->authenticate(alice.access_token));
}

// ---- profiles

TEST_F(AccountServiceTest, ProfileChangesReachEveryJoinedRoom) {
    auto alice = registered_quietly("alice");
    auto bob = registered_quietly("bob");
    auto one = rooms_->create_room({.creator = alice});
    auto two = rooms_->create_room({.creator = bob, .preset = rooms::Preset::public_chat});
    auto left = rooms_->create_room({.creator = bob, .preset = rooms::Preset::public_chat});
    auto invited = rooms_->create_room({.creator = bob, .invite = {alice}});
    ASSERT_TRUE(one && two && left && invited);
    ASSERT_TRUE(rooms_->join(alice, two->room_id));
    ASSERT_TRUE(rooms_->join(alice, left->room_id));
    ASSERT_TRUE(rooms_->leave(alice, left->room_id));

    auto renamed = accounts_->set_displayname(alice, "Alice Liddell");
    ASSERT_TRUE(renamed) << renamed.error().message;
    EXPECT_TRUE(renamed->failed.empty());
    ASSERT_EQ(renamed->sent.size(), 2u);
    for (const auto& sent : renamed->sent) {
        EXPECT_EQ(sent.event->type(), "m.room.member");
        EXPECT_EQ(sent.event->state_key(), std::string(alice.str()));
        EXPECT_EQ(sent.event->content().value("membership", ""), "join");
        EXPECT_EQ(sent.event->content().value("displayname", ""), "Alice Liddell");
    }
    EXPECT_EQ(member_content(one->room_id, alice)["displayname"], "Alice Liddell");
    EXPECT_EQ(member_content(two->room_id, alice)["displayname"], "Alice Liddell");
    // Rooms left or only invited to are not touched.
    EXPECT_EQ(membership_of(left->room_id, alice), "leave");
    EXPECT_EQ(membership_of(invited->room_id, alice), "invite");
    EXPECT_EQ(member_content(invited->room_id, alice)["displayname"], "alice");
    EXPECT_EQ(member_content(two->room_id, bob)["displayname"], "bob");

    auto avatar = accounts_->set_avatar_url(alice, "mxc://a.test/abc_DEF-123");
    ASSERT_TRUE(avatar);
    EXPECT_EQ(avatar->sent.size(), 2u);
    json content = member_content(one->room_id, alice);
    EXPECT_EQ(content["avatar_url"], "mxc://a.test/abc_DEF-123");
    EXPECT_EQ(content["displayname"], "Alice Liddell");

    // Clearing removes the field from the member event.
    ASSERT_TRUE(accounts_->set_displayname(alice, ""));
    content = member_content(one->room_id, alice);
    EXPECT_FALSE(content.contains("displayname"));
    EXPECT_EQ(content["avatar_url"], "mxc://a.test/abc_DEF-123");
    auto profile = accounts_->get_profile(alice);
    ASSERT_TRUE(profile);
    EXPECT_FALSE(profile->displayname);
    EXPECT_EQ(profile->avatar_url, "mxc://a.test/abc_DEF-123");
}

TEST_F(AccountServiceTest, SettingTheSameProfileAgainSendsNothing) {
    auto alice = registered_quietly("alice");
    ASSERT_TRUE(rooms_->create_room({.creator = alice}));
    auto first = accounts_->set_displayname(alice, "Alice");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->sent.size(), 1u);
    auto same = accounts_->set_displayname(alice, "Alice");
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->sent.empty());
}

TEST_F(AccountServiceTest, NewMembershipsCarryTheCurrentProfile) {
    auto alice = registered_quietly("alice");
    auto bob = registered_quietly("bob");
    ASSERT_TRUE(accounts_->set_displayname(bob, "Bob the Builder"));
    ASSERT_TRUE(accounts_->set_avatar_url(bob, "mxc://a.test/bob"));
    ASSERT_TRUE(accounts_->set_displayname(alice, "Alice"));

    auto room = rooms_->create_room({.creator = alice, .invite = {bob}});
    ASSERT_TRUE(room);
    EXPECT_EQ(member_content(room->room_id, alice)["displayname"], "Alice");  // creator's join
    json invite = member_content(room->room_id, bob);
    EXPECT_EQ(invite["membership"], "invite");
    EXPECT_EQ(invite["displayname"], "Bob the Builder");
    EXPECT_EQ(invite["avatar_url"], "mxc://a.test/bob");

    ASSERT_TRUE(rooms_->join(bob, room->room_id));
    json join = member_content(room->room_id, bob);
    EXPECT_EQ(join["membership"], "join");
    EXPECT_EQ(join["displayname"], "Bob the Builder");
    EXPECT_EQ(join["avatar_url"], "mxc://a.test/bob");

    // Leaves carry no profile; a member event naming its own displayname keeps it.
    ASSERT_TRUE(rooms_->leave(bob, room->room_id));
    EXPECT_FALSE(member_content(room->room_id, bob).contains("displayname"));
    ASSERT_TRUE(rooms_->send_state(alice, room->room_id, "m.room.member", std::string(alice.str()),
                                   {{"membership", "join"}, {"displayname", "Al (here)"}}));
    json own = member_content(room->room_id, alice);
    EXPECT_EQ(own["displayname"], "Al (here)");
    EXPECT_FALSE(own.contains("avatar_url"));  // alice has none
}

TEST_F(AccountServiceTest, RefusesBadProfileValues) {
    auto alice = registered_quietly("alice");
    expect_error(accounts_->set_displayname(alice, std::string(257, 'x')), Errc::invalid_param);
    EXPECT_TRUE(accounts_->set_displayname(alice, std::string(256, 'x')));
    for (const char* bad : {"http://a.test/x", "mxc://", "mxc://a.test", "mxc://a.test/",
                            "mxc://a.test/../etc", "mxc://bad host/x", "mxc://a.test/x/y"})
        expect_error(accounts_->set_avatar_url(alice, bad), Errc::invalid_param);
    expect_error(accounts_->set_avatar_url(alice, "mxc://a.test/" + std::string(1000, 'x')),
                 Errc::invalid_param);
    expect_error(accounts_->set_displayname(user("@nobody:a.test"), "x"), Errc::not_found);
    expect_error(accounts_->get_profile(user("@nobody:a.test")), Errc::not_found);
    expect_error(accounts_->get_profile(user("@alice:b.test")), Errc::not_found);
    auto profile = accounts_->get_profile(alice);
    ASSERT_TRUE(profile);
    EXPECT_EQ(profile->displayname, std::string(256, 'x'));
    EXPECT_FALSE(profile->avatar_url);
}

}  // namespace
}  // namespace chat::accounts
