#pragma once

// Helpers shared by the auth rule tests: verdict assertions that name the refusing rule,
// and each version's rule numbers written out from the spec's room version pages
// (deliberately not computed by the code under test).

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <chat/auth/auth_rules.hpp>
#include <chat/core/result.hpp>
#include <chat/events/room_version.hpp>

#include "support/room_builder.hpp"

namespace chat::test {

inline int version_number(const RoomVersion& v) { return std::stoi(std::string(v.id)); }

// Versions first..last, inclusive.
inline std::vector<const RoomVersion*> versions(int first, int last = 12) {
    std::vector<const RoomVersion*> out;
    for (const auto& v : RoomVersion::all()) {
        const int n = version_number(v);
        if (n >= first && n <= last) out.push_back(&v);
    }
    return out;
}

inline ::testing::AssertionResult allowed(const Result<void>& verdict) {
    if (verdict) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "refused: " << verdict.error().message;
}

// The verdict is Errc::forbidden and its message names `rule` of `version`.
inline ::testing::AssertionResult refused_by(const Result<void>& verdict,
                                             const RoomVersion& version,
                                             std::string_view rule) {
    if (verdict)
        return ::testing::AssertionFailure()
               << "allowed; expected a refusal by rule " << rule << " (v" << version.id << ")";
    if (verdict.error().code != Errc::forbidden)
        return ::testing::AssertionFailure()
               << "refused with a code other than forbidden: " << verdict.error().message;
    const std::string expected =
        "auth rule " + std::string(rule) + " (room version " + std::string(version.id) + "): ";
    if (verdict.error().message.rfind(expected, 0) != 0)
        return ::testing::AssertionFailure() << "expected rule " << rule << " (v" << version.id
                                             << "), got: " << verdict.error().message;
    return ::testing::AssertionSuccess();
}

// The spec's numbering of each rule, by version.
class RuleNo {
public:
    explicit RuleNo(const RoomVersion& v) : v_(version_number(v)) {}

    // Top-level rule `n` of v1 (v1-v2 numbering, 3..12) as this version numbers it: v6
    // removed rule 4 (aliases), v12 inserted rule 2 (room_id) and kept aliases removed.
    std::string top(int n) const {
        if (n <= 3) return std::to_string(v_ == 12 ? n + 1 : n);
        if (v_ <= 5 || v_ == 12) return std::to_string(n);
        return std::to_string(n - 1);
    }
    std::string auth_events(int sub) const { return top(2) + "." + std::to_string(sub); }
    std::string member(int sub) const { return top(5) + "." + std::to_string(sub); }
    std::string join(int sub) const { return member(v_ >= 8 ? 3 : 2) + "." + std::to_string(sub); }
    std::string join_public() const { return join(v_ >= 8 ? 6 : 5); }
    std::string join_otherwise() const { return join(v_ >= 8 ? 7 : 6); }
    std::string invite(int sub) const {
        return member(v_ >= 8 ? 4 : 3) + "." + std::to_string(sub);
    }
    std::string leave(int sub) const { return member(v_ >= 8 ? 5 : 4) + "." + std::to_string(sub); }
    std::string ban(int sub) const { return member(v_ >= 8 ? 6 : 5) + "." + std::to_string(sub); }
    std::string knock(int sub) const { return member(v_ >= 8 ? 7 : 6) + "." + std::to_string(sub); }
    std::string unknown_membership() const { return member(v_ >= 8 ? 8 : (v_ == 7 ? 7 : 6)); }
    // PL sub-rule `n` of v1 (1 users .. 8 allow) in this version: v10 inserted 9.1 and 9.2,
    // v12 also 10.4.
    std::string pl(int n) const {
        int sub = n;
        if (v_ >= 10) sub = n + 2;
        if (v_ == 12 && n >= 2) sub = n + 3;
        return top(10) + "." + std::to_string(sub);
    }
    // The v10+ and v12-only PL sub-rules, numbered as in v12 (1, 2, 4).
    std::string pl_new(int n) const { return top(10) + "." + std::to_string(n); }

private:
    int v_;
};

// Checks `event` against the state made from its auth_events and against the current
// state; both must give the same verdict (the §9 selection covers what the rules read).
inline Result<void> check_draft(const RoomBuilder& room, const PduPtr& event,
                                const auth::AuthContext& context = {}) {
    auto from_auth_events = auth::check(*event, room.auth_state_for(*event), context);
    auto from_current = auth::check(*event, room.current_state(), context);
    EXPECT_EQ(from_auth_events.has_value(), from_current.has_value())
        << "v" << room.version().id << ": verdicts differ between the auth_events state and "
        << "the current state";
    if (!from_auth_events && !from_current) {
        EXPECT_EQ(from_auth_events.error().message, from_current.error().message);
    }
    return from_auth_events;
}

// v1-v11 list the creator at 100 in users; v12 must not (creators are not listed).
inline nlohmann::json users_with_creator(const RoomVersion& v, const std::string& creator,
                                         nlohmann::json users = nlohmann::json::object()) {
    if (!v.creators_have_infinite_power) users[creator] = 100;
    return users;
}

}  // namespace chat::test
