// The m.room.member rule: v1-v5 and v12 rule 5, v6-v11 rule 4 (events-and-rooms.md
// §10.2 rule 5, §10.3, §10.4 rule 5). Sub-rule numbers in comments are v1's, then v8+'s.

#include <string>

#include <nlohmann/json.hpp>

#include <chat/crypto/json_signing.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/event_hashes.hpp>
#include <chat/json/base64.hpp>

#include "auth/rule_input.hpp"

namespace chat::auth::detail {
namespace {

const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const std::string* find_string(const nlohmann::json& object, std::string_view key) {
    const auto* value = find_member(object, key);
    return value && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

// The fields of the member event the sub-rules share.
struct Member {
    const RuleInput& in;
    std::string_view membership;
    std::string_view target;  // the state_key
    int rule;                 // the member rule's number in this version

    const RoomVersion& version() const { return in.version(); }
    std::string_view sender() const { return in.event.sender().str(); }
    std::string_view sender_membership() const { return membership_in(in.state, sender()); }
    std::string_view target_membership() const { return membership_in(in.state, target); }
    Error deny(int sub, std::initializer_list<int> more, std::string_view why) const {
        switch (more.size()) {
        case 0: return detail::deny(version(), {rule, sub}, why);
        case 1: return detail::deny(version(), {rule, sub, *more.begin()}, why);
        default:
            return detail::deny(version(), {rule, sub, *more.begin(), *(more.begin() + 1)}, why);
        }
    }
};

// The public keys of an m.room.third_party_invite event: `public_key` and every
// `public_keys[].public_key`, standard or URL-safe unpadded base64 of 32 bytes.
std::vector<std::string> third_party_public_keys(const nlohmann::json& content) {
    std::vector<std::string> encoded;
    if (const auto* key = find_string(content, "public_key")) encoded.push_back(*key);
    if (const auto* keys = find_member(content, "public_keys"); keys && keys->is_array()) {
        for (const auto& entry : *keys) {
            if (const auto* key = find_string(entry, "public_key")) encoded.push_back(*key);
        }
    }
    std::vector<std::string> keys;
    for (const auto& text : encoded) {
        auto bytes = json::base64_decode(text);
        if (!bytes) bytes = json::base64_url_decode(text);
        if (bytes && bytes->size() == 32) keys.push_back(std::move(*bytes));
    }
    return keys;
}

// Rule 5.3.1.7: any ed25519 signature in `signed` by any of the invite's public keys.
bool signed_by_third_party_key(const nlohmann::json& signed_part, const Pdu& invite_event,
                               const RoomVersion& version) {
    const auto keys = third_party_public_keys(invite_event.content());
    const auto* signatures = find_member(signed_part, "signatures");
    if (keys.empty() || !signatures || !signatures->is_object()) return false;
    const auto numbers = canonical_numbers(version);
    for (auto entity = signatures->begin(); entity != signatures->end(); ++entity) {
        if (!entity->is_object()) continue;
        for (auto sig = entity->begin(); sig != entity->end(); ++sig) {
            if (sig.key().rfind("ed25519:", 0) != 0) continue;  // other algorithms: skip
            for (const auto& key_bytes : keys) {
                auto key = crypto::VerifyKey::from_bytes(sig.key(), key_bytes);
                if (key && crypto::verify_json(signed_part, entity.key(), *key, numbers))
                    return true;
            }
        }
    }
    return false;
}

// Rule 5.2 (v1-v7), 5.3 (v8+; v6-v11 number the member rule 4): joins.
Result<void> check_join(const Member& m) {
    const auto& in = m.in;
    const auto& version = m.version();
    const int sub = in.n.join();

    // 5.2.1: the creator's first join, right after the create event. v1-v10 name the
    // creator in content.creator; v11+ it is the create event's sender (v12: not the
    // additional creators).
    const auto& prev = in.event.prev_events();
    if (prev.size() == 1 && prev.front() == in.create->event_id()) {
        std::string_view creator;
        if (version.creator_in_create) {
            if (const auto* c = find_string(in.create->content(), "creator")) creator = *c;
        } else {
            creator = in.create->sender().str();
        }
        if (!creator.empty() && m.target == creator) return ok();
    }

    // 5.2.2, 5.2.3.
    if (m.sender() != m.target) return m.deny(sub, {2}, "sender must be the target of a join");
    const auto sender_membership = m.sender_membership();
    if (sender_membership == "ban") return m.deny(sub, {3}, "sender is banned");

    const auto rule = join_rule_in(in.state);
    const bool invited_or_joined = sender_membership == "invite" || sender_membership == "join";

    // 5.2.4: invite (v7+: or knock) lets invited and joined users join; otherwise the rules
    // carry on, to the final reject.
    if (rule == "invite" || (version.knock && rule == "knock")) {
        if (invited_or_joined) return ok();
        return m.deny(sub, {in.n.join_otherwise()}, "the join rule requires an invite");
    }

    // 5.3.5 (v8+): restricted (v10+: or knock_restricted).
    if ((version.restricted_joins && rule == "restricted") ||
        (version.knock_restricted && rule == "knock_restricted")) {
        if (invited_or_joined) return ok();  // 5.3.5.1
        // 5.3.5.2: the authorising user must be joined and able to invite. Its signature
        // was checked by 5.2.
        const auto* via = find_string(in.event.content(), "join_authorised_via_users_server");
        if (!via)
            return m.deny(sub, {in.n.join_restricted(), 2},
                          "a restricted join needs join_authorised_via_users_server");
        if (membership_in(in.state, *via) != "join")
            return m.deny(sub, {in.n.join_restricted(), 2},
                          "the authorising user is not joined to the room");
        if (!in.levels) return levels_unusable(in, {m.rule, sub, in.n.join_restricted(), 2});
        if (in.levels->user_level(*via) < in.levels->invite())
            return m.deny(sub, {in.n.join_restricted(), 2},
                          "the authorising user's power level is below the invite level");
        return ok();  // 5.3.5.3
    }

    if (rule == "public") return ok();  // 5.2.5 (v8+: 5.3.6)
    return m.deny(sub, {in.n.join_otherwise()}, "the join rule does not allow this join");
}

// Rule 5.3.1 (v8+: 5.4.1): an invite carrying a third-party invite.
Result<void> check_third_party_invite(const Member& m, const nlohmann::json& invite) {
    const auto& in = m.in;
    const int sub = in.n.invite();
    if (m.target_membership() == "ban") return m.deny(sub, {1, 1}, "target user is banned");
    const auto* signed_part = find_member(invite, "signed");
    if (!signed_part || !signed_part->is_object())
        return m.deny(sub, {1, 2}, "third_party_invite has no signed object");
    const auto* mxid = find_string(*signed_part, "mxid");
    const auto* token = find_string(*signed_part, "token");
    if (!mxid || !token)
        return m.deny(sub, {1, 3}, "third_party_invite.signed needs mxid and token");
    if (*mxid != m.target)
        return m.deny(sub, {1, 4}, "third_party_invite.signed.mxid is not the target user");
    const Pdu* invite_event = in.state.get("m.room.third_party_invite", *token);
    if (!invite_event)
        return m.deny(sub, {1, 5}, "no m.room.third_party_invite event for the token");
    if (invite_event->sender() != in.event.sender())
        return m.deny(sub, {1, 6},
                      "sender did not send the m.room.third_party_invite event");
    if (signed_by_third_party_key(*signed_part, *invite_event, m.version())) return ok();  // .7
    return m.deny(sub, {1, 8},
                  "third_party_invite.signed is not signed by the invite's public keys");
}

// Rule 5.3 (v8+: 5.4): invites.
Result<void> check_invite(const Member& m) {
    const auto& in = m.in;
    const int sub = in.n.invite();
    if (const auto* invite = find_member(in.event.content(), "third_party_invite"))
        return check_third_party_invite(m, *invite);
    if (m.sender_membership() != "join")
        return m.deny(sub, {2}, "sender is not joined to the room");
    const auto target = m.target_membership();
    if (target == "join" || target == "ban")
        return m.deny(sub, {3}, "target user is already joined or is banned");
    if (!in.levels) return levels_unusable(in, {m.rule, sub, 4});
    if (in.levels->user_level(m.sender()) >= in.levels->invite()) return ok();  // .4
    return m.deny(sub, {5}, "sender's power level is below the invite level");
}

// Rule 5.4 (v8+: 5.5): leaving, kicks and unbans.
Result<void> check_leave(const Member& m) {
    const auto& in = m.in;
    const int sub = in.n.leave();
    const auto sender_membership = m.sender_membership();
    if (m.sender() == m.target) {
        // 5.4.1: leaving, or rejecting an invite (v7+: or withdrawing a knock).
        if (sender_membership == "invite" || sender_membership == "join" ||
            (m.version().knock && sender_membership == "knock"))
            return ok();
        return m.deny(sub, {1}, "sender has no membership to leave");
    }
    if (sender_membership != "join") return m.deny(sub, {2}, "sender is not joined to the room");
    if (!in.levels) return levels_unusable(in, {m.rule, sub, 3});
    const auto sender_level = in.levels->user_level(m.sender());
    const auto target_level = in.levels->user_level(m.target);
    if (m.target_membership() == "ban" && sender_level < in.levels->ban())
        return m.deny(sub, {3}, "unbanning needs the ban level");
    if (sender_level >= in.levels->kick() && target_level < sender_level) return ok();  // .4
    return m.deny(sub, {5},
                  "kicking needs the kick level and a power level above the target user's");
}

// Rule 5.5 (v8+: 5.6): bans.
Result<void> check_ban(const Member& m) {
    const auto& in = m.in;
    const int sub = in.n.ban();
    if (m.sender_membership() != "join")
        return m.deny(sub, {1}, "sender is not joined to the room");
    if (!in.levels) return levels_unusable(in, {m.rule, sub, 2});
    const auto sender_level = in.levels->user_level(m.sender());
    if (sender_level >= in.levels->ban() && in.levels->user_level(m.target) < sender_level)
        return ok();  // .2
    return m.deny(sub, {3},
                  "banning needs the ban level and a power level above the target user's");
}

// Rule 4.6 (v7), 4.7 (v8+; v12 5.7): knocks.
Result<void> check_knock(const Member& m) {
    const auto& in = m.in;
    const int sub = in.n.knock();
    const auto rule = join_rule_in(in.state);
    if (rule != "knock" && !(m.version().knock_restricted && rule == "knock_restricted"))
        return m.deny(sub, {1}, "the join rule does not allow knocking");
    if (m.sender() != m.target) return m.deny(sub, {2}, "sender must be the target of a knock");
    const auto membership = m.sender_membership();
    if (membership != "ban" && membership != "invite" && membership != "join") return ok();  // .3
    return m.deny(sub, {4}, "sender is banned, invited or already joined");
}

}  // namespace

Result<void> check_member_event(const RuleInput& in) {
    const auto& version = in.version();
    const int rule = in.n.member();

    // 5.1.
    const auto& state_key = in.event.state_key();
    const auto membership = in.event.membership();
    if (!state_key || !membership)
        return deny(version, {rule, 1}, "member event needs a state_key and content.membership");
    const Member m{in, *membership, *state_key, rule};

    // 5.2 (v8+): a join_authorised_via_users_server key, on any membership, needs the
    // signature of that user's server.
    if (version.restricted_joins) {
        const auto& content = in.event.content();
        if (const auto* via = find_member(content, "join_authorised_via_users_server")) {
            const auto user = via->is_string() ? UserId::parse(via->get_ref<const std::string&>())
                                               : Result<UserId>(make_error(Errc::invalid_param,
                                                                           "not a string"));
            const bool signed_by_server = user && in.context.is_signed_by &&
                                          in.context.is_signed_by(in.event, user->server());
            if (!signed_by_server)
                return m.deny(in.n.join_authorised(), {},
                              "event is not signed by the server of "
                              "join_authorised_via_users_server");
        }
    }

    if (m.membership == "join") return check_join(m);
    if (m.membership == "invite") return check_invite(m);
    if (m.membership == "leave") return check_leave(m);
    if (m.membership == "ban") return check_ban(m);
    if (version.knock && m.membership == "knock") return check_knock(m);
    return deny(version, {rule, in.n.unknown_membership()}, "unknown membership");
}

}  // namespace chat::auth::detail
