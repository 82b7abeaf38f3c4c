// The m.room.member rule (v1-v5 and v12 rule 5, v6-v11 rule 4) in every version:
// joins (first join, invite, knock, restricted, knock_restricted, public), invites
// (with the third-party path), leaves, kicks, unbans, bans, knocks.

#include <chat/auth/auth_rules.hpp>

#include <gtest/gtest.h>

#include <chat/auth/power_levels.hpp>
#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/json/base64.hpp>

#include "auth_test_support.hpp"

namespace chat::auth {
namespace {

using test::allowed;
using test::check_draft;
using test::refused_by;
using test::RoomBuilder;
using test::RuleNo;
using test::versions;

const std::string kAlice = "@alice:a.test";
const std::string kBob = "@bob:b.test";
const std::string kCarol = "@carol:c.test";
const std::string kDave = "@dave:d.test";

RoomBuilder room_with(const RoomVersion& v, const std::string& join_rule,
                      const nlohmann::json& power_levels = nlohmann::json::object()) {
    RoomBuilder room(v);
    room.standard_room(kAlice, join_rule, power_levels);
    return room;
}

// --- 5.1 ---

TEST(AuthMember, StateKeyAndMembershipAreRequired) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        auto no_key = room.draft({.type = "m.room.member", .sender = kBob,
                                  .content = {{"membership", "join"}}});
        EXPECT_TRUE(refused_by(check_draft(room, no_key), *v, RuleNo(*v).member(1)));
        auto no_membership = room.draft({.type = "m.room.member", .sender = kBob,
                                         .state_key = kBob, .content = {{"displayname", "B"}}});
        EXPECT_TRUE(refused_by(check_draft(room, no_membership), *v, RuleNo(*v).member(1)));
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "join")))) << v->id;
    }
}

TEST(AuthMember, UnknownMembershipIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        auto odd = room.draft_membership(kBob, "visiting");
        EXPECT_TRUE(refused_by(check_draft(room, odd), *v, RuleNo(*v).unknown_membership()));
    }
}

// --- Joins ---

TEST(AuthMemberJoin, CreatorsFirstJoinRightAfterCreateIsAllowed) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.create(kAlice);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kAlice, "join")))) << v->id;
        // Anyone else's first join falls through to the join rule (none: invite).
        auto bob = room.draft_membership(kBob, "join");
        EXPECT_TRUE(refused_by(check_draft(room, bob), *v, RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberJoin, CreatorsJoinAfterAnotherEventIsAnOrdinaryJoin) {
    for (const auto* v : versions(1)) {
        RoomBuilder room(*v);
        room.create(kAlice).add({.type = "m.room.message", .sender = kAlice});
        auto join = room.draft_membership(kAlice, "join");
        EXPECT_TRUE(refused_by(check_draft(room, join), *v, RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberJoin, V1ToV10FirstJoinIsTheContentCreators) {
    const std::string carol = "@carol:a.test";
    for (const auto* v : versions(1, 10)) {
        RoomBuilder room(*v);
        room.create(kAlice, {{"creator", carol}});  // sender alice, creator carol
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(carol, "join")))) << v->id;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kAlice, "join")), *v,
                               RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberJoin, V11FirstJoinIsTheCreateSenders) {
    const std::string carol = "@carol:a.test";
    for (const auto* v : versions(11)) {
        RoomBuilder room(*v);
        room.create(kAlice, {{"creator", carol}});  // content.creator means nothing now
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kAlice, "join")))) << v->id;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(carol, "join")), *v,
                               RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberJoin, V12AdditionalCreatorsDoNotMakeTheFirstJoin) {
    const auto& v = RoomVersion::v12;
    RoomBuilder room(v);
    room.create(kAlice, {{"additional_creators", {kCarol}}});
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kCarol, "join")), v,
                           RuleNo(v).join_otherwise()));
    EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kAlice, "join"))));
}

TEST(AuthMemberJoin, SenderMustBeTheTarget) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        auto forced = room.draft_membership(kBob, "join", kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, forced), *v, RuleNo(*v).join(2)));
    }
}

TEST(AuthMemberJoin, BannedUserCannotJoinEvenAPublicRoom) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        room.join(kBob).ban(kBob, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "join")), *v,
                               RuleNo(*v).join(3)));
    }
}

TEST(AuthMemberJoin, InviteRuleAdmitsInvitedAndJoinedUsersOnly) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "invite");
        room.invite(kBob, kAlice);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "join")))) << v->id;
        // A joined user may send a new join (a profile change).
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kAlice, "join")))) << v->id;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kCarol, "join")), *v,
                               RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberJoin, KnockRuleAdmitsInvitedUsersFromV7) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "knock");
        room.invite(kBob, kAlice);
        auto verdict = check_draft(room, room.draft_membership(kBob, "join"));
        if (v->knock) {
            EXPECT_TRUE(allowed(verdict)) << v->id;
        } else {  // before v7 "knock" is a join rule nobody knows
            EXPECT_TRUE(refused_by(verdict, *v, RuleNo(*v).join_otherwise()));
        }
    }
}

TEST(AuthMemberJoin, PublicRuleAdmitsAnyone) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "join")))) << v->id;
    }
}

TEST(AuthMemberJoin, UnknownJoinRuleAdmitsNobodyNotEvenInvitees) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "private");
        room.invite(kBob, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "join")), *v,
                               RuleNo(*v).join_otherwise()));
    }
}

// --- Restricted joins (v8+) and the join_authorised_via_users_server signature ---

const nlohmann::json kAllow = {
    {"allow", {{{"type", "m.room_membership"}, {"room_id", "!space:a.test"}}}}};

// A restricted room where carol (c.test) is joined and may invite.
RoomBuilder restricted_room(const RoomVersion& v, const std::string& rule = "restricted",
                            const nlohmann::json& power_levels = nlohmann::json::object()) {
    RoomBuilder room(v);
    room.standard_room(kAlice, "invite", power_levels);
    room.join_rules(rule, kAlice, kAllow);
    room.invite(kCarol, kAlice).join(kCarol);
    return room;
}

PduPtr authorised_join(const RoomBuilder& room, const std::string& via,
                       const std::string& signer) {
    auto join = room.draft_membership(kBob, "join", kBob,
                                      {{"join_authorised_via_users_server", via}});
    return signer.empty() ? join : test::countersign(join, signer);
}

TEST(AuthMemberRestricted, JoinAuthorisedBySignedJoinedInviterIsAllowed) {
    for (const auto* v : versions(8)) {
        auto room = restricted_room(*v);
        auto join = authorised_join(room, kCarol, "c.test");
        EXPECT_TRUE(allowed(check_draft(room, join, test::test_auth_context()))) << v->id;
    }
}

TEST(AuthMemberRestricted, AuthorisingServersSignatureIsRequired) {
    for (const auto* v : versions(8)) {
        auto room = restricted_room(*v);
        auto unsigned_join = authorised_join(room, kCarol, "");
        EXPECT_TRUE(refused_by(check_draft(room, unsigned_join, test::test_auth_context()), *v,
                               RuleNo(*v).member(2)));
        // Without a way to check signatures the rule cannot pass.
        auto signed_join = authorised_join(room, kCarol, "c.test");
        EXPECT_TRUE(refused_by(check_draft(room, signed_join), *v, RuleNo(*v).member(2)));
        // The wrong server's signature does not count.
        auto wrong = authorised_join(room, kCarol, "d.test");
        EXPECT_TRUE(refused_by(check_draft(room, wrong, test::test_auth_context()), *v,
                               RuleNo(*v).member(2)));
    }
}

TEST(AuthMemberRestricted, SignatureRuleCoversEveryMembership) {
    for (const auto* v : versions(8)) {
        auto room = restricted_room(*v);
        auto leave = room.draft_membership(kCarol, "leave", kCarol,
                                           {{"join_authorised_via_users_server", kAlice}});
        EXPECT_TRUE(refused_by(check_draft(room, leave, test::test_auth_context()), *v,
                               RuleNo(*v).member(2)));
        EXPECT_TRUE(allowed(check_draft(room, test::countersign(leave, "a.test"),
                                        test::test_auth_context())))
            << v->id;
    }
}

TEST(AuthMemberRestricted, BeforeV8TheKeyMeansNothing) {
    for (const auto* v : versions(1, 7)) {
        auto room = room_with(*v, "public");
        auto join = authorised_join(room, kCarol, "");
        EXPECT_TRUE(allowed(check_draft(room, join, test::test_auth_context()))) << v->id;
        // And "restricted" is a join rule nobody knows.
        auto restricted = room_with(*v, "restricted");
        auto signed_join = authorised_join(restricted, kAlice, "a.test");
        EXPECT_TRUE(refused_by(check_draft(restricted, signed_join, test::test_auth_context()),
                               *v, RuleNo(*v).join_otherwise()));
    }
}

TEST(AuthMemberRestricted, InvitedUserJoinsWithoutAnAuthoriser) {
    for (const auto* v : versions(8)) {
        auto room = restricted_room(*v);
        room.invite(kBob, kAlice);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "join")))) << v->id;
    }
}

TEST(AuthMemberRestricted, AuthoriserMustBeNamedJoinedAndAbleToInvite) {
    for (const auto* v : versions(8)) {
        const std::string rule = RuleNo(*v).join(5) + ".2";
        auto room = restricted_room(*v);
        // No authoriser and no invite.
        EXPECT_TRUE(
            refused_by(check_draft(room, room.draft_membership(kBob, "join")), *v, rule));
        // An authoriser who is not in the room.
        auto by_dave = authorised_join(room, kDave, "d.test");
        EXPECT_TRUE(refused_by(check_draft(room, by_dave, test::test_auth_context()), *v, rule));
        // An authoriser below the invite level.
        auto strict = restricted_room(*v, "restricted", {{"invite", 50}});
        auto by_carol = authorised_join(strict, kCarol, "c.test");
        EXPECT_TRUE(
            refused_by(check_draft(strict, by_carol, test::test_auth_context()), *v, rule));
    }
}

TEST(AuthMemberRestricted, KnockRestrictedJoinsFromV10) {
    for (const auto* v : versions(8)) {
        auto room = restricted_room(*v, "knock_restricted");
        auto join = authorised_join(room, kCarol, "c.test");
        auto verdict = check_draft(room, join, test::test_auth_context());
        if (v->knock_restricted) {
            EXPECT_TRUE(allowed(verdict)) << v->id;
        } else {
            EXPECT_TRUE(refused_by(verdict, *v, RuleNo(*v).join_otherwise()));
        }
    }
}

// --- Invites ---

TEST(AuthMemberInvite, JoinedSenderWithInviteLevelMayInvite) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "invite");
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "invite", kAlice))))
            << v->id;
    }
}

TEST(AuthMemberInvite, SenderMustBeJoined) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "invite");
        room.invite(kCarol, kAlice);  // invited, not joined
        auto invite = room.draft_membership(kBob, "invite", kCarol);
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(2)));
    }
}

TEST(AuthMemberInvite, JoinedOrBannedTargetCannotBeInvited) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        room.join(kBob).join(kCarol).ban(kCarol, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "invite", kAlice)),
                               *v, RuleNo(*v).invite(3)));
        EXPECT_TRUE(refused_by(
            check_draft(room, room.draft_membership(kCarol, "invite", kAlice)), *v,
            RuleNo(*v).invite(3)));
    }
}

TEST(AuthMemberInvite, SenderBelowTheInviteLevelIsRefused) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public", {{"invite", 50}});
        room.join(kBob);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kCarol, "invite", kBob)),
                               *v, RuleNo(*v).invite(5)));
    }
}

// --- Third-party invites (5.3.1) ---

// An identity server (id.test) with an Ed25519 key, and the m.room.third_party_invite
// event alice sent for `token`.
struct ThirdParty {
    crypto::SigningKey key = crypto::SigningKey::from_seed("0", std::string(32, '\x07')).value();
    crypto::SigningKey other_key =
        crypto::SigningKey::from_seed("0", std::string(32, '\x08')).value();

    static nlohmann::json invite_event_content(const crypto::SigningKey& k, bool as_list) {
        nlohmann::json content = {{"display_name", "b...@example.org"},
                                  {"key_validity_url", "https://id.test/isvalid"}};
        if (as_list) {
            // URL-safe base64 in public_keys, as the spec allows.
            content["public_keys"] = {
                {{"public_key", json::base64_url_encode(k.verify_key().public_key())}}};
        } else {
            content["public_key"] = k.verify_key().public_key_base64();
        }
        return content;
    }

    // `signed` as the identity server returns it: mxid, token, its signature.
    static nlohmann::json signed_part(const crypto::SigningKey& k, const std::string& mxid,
                                      const std::string& token) {
        nlohmann::json part = {{"mxid", mxid}, {"token", token}, {"sender", kAlice}};
        EXPECT_TRUE(crypto::sign_json(part, "id.test", k));
        return part;
    }

    static PduPtr invite(const RoomBuilder& room, nlohmann::json third_party_invite,
                         const std::string& target = kBob, const std::string& sender = kAlice) {
        return room.draft_membership(target, "invite", sender,
                                     {{"third_party_invite", std::move(third_party_invite)}});
    }
};

RoomBuilder third_party_room(const RoomVersion& v, const ThirdParty& tp, bool as_list = false) {
    auto room = room_with(v, "invite");
    room.state_event("m.room.third_party_invite", "tok",
                     ThirdParty::invite_event_content(tp.key, as_list), kAlice);
    return room;
}

nlohmann::json tpi(const nlohmann::json& signed_part) {
    return {{"display_name", "b...@example.org"}, {"signed", signed_part}};
}

TEST(AuthMemberThirdPartyInvite, SignedByThePublicKeyIsAllowed) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        for (bool as_list : {false, true}) {
            auto room = third_party_room(*v, tp, as_list);
            auto invite =
                ThirdParty::invite(room, tpi(ThirdParty::signed_part(tp.key, kBob, "tok")));
            EXPECT_TRUE(allowed(check_draft(room, invite))) << v->id << " list=" << as_list;
        }
    }
}

TEST(AuthMemberThirdPartyInvite, BannedTargetIsRefused) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        room.join(kBob).ban(kBob, kAlice);
        auto invite = ThirdParty::invite(room, tpi(ThirdParty::signed_part(tp.key, kBob, "tok")));
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(1) + ".1"));
    }
}

TEST(AuthMemberThirdPartyInvite, SignedIsRequired) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        auto invite = ThirdParty::invite(room, {{"display_name", "b...@example.org"}});
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(1) + ".2"));
    }
}

TEST(AuthMemberThirdPartyInvite, SignedNeedsMxidAndToken) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        auto part = ThirdParty::signed_part(tp.key, kBob, "tok");
        part.erase("token");
        EXPECT_TRUE(refused_by(check_draft(room, ThirdParty::invite(room, tpi(part))), *v,
                               RuleNo(*v).invite(1) + ".3"));
        part = ThirdParty::signed_part(tp.key, kBob, "tok");
        part.erase("mxid");
        EXPECT_TRUE(refused_by(check_draft(room, ThirdParty::invite(room, tpi(part))), *v,
                               RuleNo(*v).invite(1) + ".3"));
    }
}

TEST(AuthMemberThirdPartyInvite, MxidMustBeTheTarget) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        auto invite = ThirdParty::invite(
            room, tpi(ThirdParty::signed_part(tp.key, kCarol, "tok")), kBob);
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(1) + ".4"));
    }
}

TEST(AuthMemberThirdPartyInvite, TokenMustNameAThirdPartyInviteEvent) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        auto invite = ThirdParty::invite(room,
                                         tpi(ThirdParty::signed_part(tp.key, kBob, "other")));
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(1) + ".5"));
    }
}

TEST(AuthMemberThirdPartyInvite, SenderMustHaveSentTheThirdPartyInviteEvent) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        room.join(kCarol);
        auto invite = ThirdParty::invite(room, tpi(ThirdParty::signed_part(tp.key, kBob, "tok")),
                                         kBob, kCarol);
        EXPECT_TRUE(refused_by(check_draft(room, invite), *v, RuleNo(*v).invite(1) + ".6"));
    }
}

TEST(AuthMemberThirdPartyInvite, SignatureByAnotherKeyOrOverAlteredDataIsRefused) {
    ThirdParty tp;
    for (const auto* v : versions(1)) {
        auto room = third_party_room(*v, tp);
        auto wrong_key =
            ThirdParty::invite(room, tpi(ThirdParty::signed_part(tp.other_key, kBob, "tok")));
        EXPECT_TRUE(refused_by(check_draft(room, wrong_key), *v, RuleNo(*v).invite(1) + ".8"));

        auto altered = ThirdParty::signed_part(tp.key, kBob, "tok");
        altered["sender"] = kCarol;  // covered by the signature
        EXPECT_TRUE(refused_by(check_draft(room, ThirdParty::invite(room, tpi(altered))), *v,
                               RuleNo(*v).invite(1) + ".8"));

        auto unsigned_part = ThirdParty::signed_part(tp.key, kBob, "tok");
        unsigned_part.erase("signatures");
        EXPECT_TRUE(refused_by(check_draft(room, ThirdParty::invite(room, tpi(unsigned_part))),
                               *v, RuleNo(*v).invite(1) + ".8"));
    }
}

// --- Leaves, kicks, unbans ---

TEST(AuthMemberLeave, JoinedOrInvitedUserMayLeave) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "invite");
        room.invite(kBob, kAlice).invite(kCarol, kAlice).join(kCarol);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "leave")))) << v->id;
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kCarol, "leave")))) << v->id;
    }
}

TEST(AuthMemberLeave, StrangerOrBannedUserCannotLeave) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public");
        room.join(kBob).ban(kBob, kAlice);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "leave")), *v,
                               RuleNo(*v).leave(1)));
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kCarol, "leave")), *v,
                               RuleNo(*v).leave(1)));
    }
}

TEST(AuthMemberLeave, KnockerMayWithdrawFromV7) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "knock");
        room.knock(kBob);  // appended as given, even where v1-v6 would refuse it
        auto verdict = check_draft(room, room.draft_membership(kBob, "leave"));
        if (v->knock) {
            EXPECT_TRUE(allowed(verdict)) << v->id;
        } else {
            EXPECT_TRUE(refused_by(verdict, *v, RuleNo(*v).leave(1)));
        }
    }
}

TEST(AuthMemberLeave, KickerMustBeJoined) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public", {{"users", test::users_with_creator(*v, kAlice,
                                                                               {{kCarol, 100}})}});
        room.join(kBob);  // carol has power but is not in the room
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "leave", kCarol)),
                               *v, RuleNo(*v).leave(2)));
    }
}

TEST(AuthMemberLeave, KickNeedsTheKickLevelAndMorePowerThanTheTarget) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public",
                              {{"users", test::users_with_creator(
                                             *v, kAlice, {{kCarol, 50}, {kDave, 50}})}});
        room.join(kBob).join(kCarol).join(kDave);
        // Kick level 50, carol 50 > bob 0.
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "leave", kCarol))))
            << v->id;
        // Equal power is not enough.
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kDave, "leave", kCarol)),
                               *v, RuleNo(*v).leave(5)));
        // Below the kick level.
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kDave, "leave", kBob)),
                               *v, RuleNo(*v).leave(5)));
    }
}

TEST(AuthMemberLeave, UnbanNeedsTheBanLevelToo) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public",
                              {{"ban", 60},
                               {"users", test::users_with_creator(*v, kAlice, {{kCarol, 50}})}});
        room.join(kBob).join(kCarol).ban(kBob, kAlice);
        // carol can kick (50) but not unban (60).
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "leave", kCarol)),
                               *v, RuleNo(*v).leave(3)));
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "leave", kAlice))))
            << v->id;
    }
}

// --- Bans ---

TEST(AuthMemberBan, BanNeedsAJoinedSender) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public", {{"users", test::users_with_creator(*v, kAlice,
                                                                               {{kCarol, 100}})}});
        room.join(kBob);
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "ban", kCarol)), *v,
                               RuleNo(*v).ban(1)));
    }
}

TEST(AuthMemberBan, BanNeedsTheBanLevelAndMorePowerThanTheTarget) {
    for (const auto* v : versions(1)) {
        auto room = room_with(*v, "public",
                              {{"users", test::users_with_creator(
                                             *v, kAlice, {{kCarol, 50}, {kDave, 50}})}});
        room.join(kBob).join(kCarol).join(kDave);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "ban", kCarol))))
            << v->id;
        // Users outside the room can be banned too.
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership("@eve:e.test", "ban",
                                                                    kCarol))))
            << v->id;
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kDave, "ban", kCarol)),
                               *v, RuleNo(*v).ban(3)));
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kDave, "ban", kBob)), *v,
                               RuleNo(*v).ban(3)));
    }
}

// --- Knocks (v7+) ---

TEST(AuthMemberKnock, KnockRuleAdmitsKnocksFromStrangers) {
    for (const auto* v : versions(7)) {
        auto room = room_with(*v, "knock");
        room.join(kCarol);  // appended as given; carol is joined
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kBob, "knock")))) << v->id;
        // Someone who left may knock again.
        room.join(kDave).leave(kDave);
        EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kDave, "knock")))) << v->id;
    }
}

TEST(AuthMemberKnock, OtherJoinRulesRefuseKnocks) {
    for (const auto* v : versions(7)) {
        for (const char* rule : {"invite", "public", "restricted"}) {
            auto room = room_with(*v, rule);
            EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "knock")), *v,
                                   RuleNo(*v).knock(1)))
                << rule;
        }
    }
}

TEST(AuthMemberKnock, KnockRestrictedAdmitsKnocksFromV10) {
    for (const auto* v : versions(7)) {
        auto room = room_with(*v, "knock_restricted");
        auto verdict = check_draft(room, room.draft_membership(kBob, "knock"));
        if (v->knock_restricted) {
            EXPECT_TRUE(allowed(verdict)) << v->id;
        } else {
            EXPECT_TRUE(refused_by(verdict, *v, RuleNo(*v).knock(1)));
        }
    }
}

TEST(AuthMemberKnock, OnlyForOneself) {
    for (const auto* v : versions(7)) {
        auto room = room_with(*v, "knock");
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "knock", kAlice)),
                               *v, RuleNo(*v).knock(2)));
    }
}

TEST(AuthMemberKnock, BannedInvitedOrJoinedUsersCannotKnock) {
    for (const auto* v : versions(7)) {
        auto room = room_with(*v, "knock");
        room.invite(kBob, kAlice).membership(kCarol, "ban", kAlice);
        for (const auto& user : {kBob, kCarol, kAlice}) {
            EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(user, "knock")), *v,
                                   RuleNo(*v).knock(4)))
                << user;
        }
    }
}

TEST(AuthMemberKnock, BeforeV7KnockIsAnUnknownMembership) {
    for (const auto* v : versions(1, 6)) {
        auto room = room_with(*v, "knock");
        EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kBob, "knock")), *v,
                               RuleNo(*v).unknown_membership()));
    }
}

// --- v12 creators in the member rules ---

TEST(AuthMemberCreators, V12CreatorsOutrankEveryListedUser) {
    const auto& v = RoomVersion::v12;
    RoomBuilder room(v);
    room.standard_room(kAlice, "public", {{"users", {{kDave, kMaxPowerLevel}}}},
                       {{"additional_creators", {kCarol}}});
    room.join(kCarol).join(kDave).join(kBob);
    // An additional creator kicks and bans the most powerful listed user.
    EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kDave, "leave", kCarol))));
    EXPECT_TRUE(allowed(check_draft(room, room.draft_membership(kDave, "ban", kCarol))));
    // Nobody below infinity touches a creator.
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kCarol, "ban", kDave)), v,
                           "5.6.3"));
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kAlice, "leave", kDave)), v,
                           "5.5.5"));
    // Creators are equal: one cannot kick another.
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kAlice, "leave", kCarol)), v,
                           "5.5.5"));
}

TEST(AuthMemberCreators, V11CreatorIsAnOrdinaryUserOnceListed) {
    const auto& v = RoomVersion::v11;
    RoomBuilder room(v);
    room.standard_room(kAlice, "public", {{"users", {{kAlice, 100}, {kDave, 100}}}});
    room.join(kDave);
    // Equal levels: dave cannot ban alice, the creator has no special power in v11.
    EXPECT_TRUE(refused_by(check_draft(room, room.draft_membership(kAlice, "ban", kDave)), v,
                           "4.6.3"));
}

}  // namespace
}  // namespace chat::auth
