#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include <chat/push/condition.hpp>
#include <chat/push/event_view.hpp>
#include <chat/push/push_rules.hpp>

namespace chat::push {

// The rule that decided what an event means to one user.
struct Decision {
    RuleKind kind = RuleKind::override;
    const PushRule* rule = nullptr;  // points into the PushRules evaluated; never null
    bool notify = false;             // the rule's actions include "notify"
    bool highlight = false;          // ... and a true highlight tweak

    const nlohmann::json& actions() const { return rule->actions; }
};

// Evaluates `rules` (one user's) against an event (push.md § Push Rules): the
// first enabled rule that matches, in kind order override, content, room,
// sender, underride and in order within each kind, decides. Room rules match
// events in the room named by their ID, sender rules events from the user
// named by theirs, content rules events whose content.body matches their
// pattern on word boundaries. The legacy mention rules are skipped for events
// that carry `m.mentions`.
//
// None when no rule matches (then: no notification), and for the user's own
// events ("Homeservers MUST NOT notify the Push Gateway for events that the
// user has sent themselves"). Pure: no I/O, no allocation on the common path;
// thread-safe over shared immutable inputs. The Decision points into `rules`.
std::optional<Decision> evaluate(const PushRules& rules, const EventView& event,
                                 const RoomFacts& room, const MemberFacts& member);

// Whether one rule matches, whether or not it is enabled (tests, tools).
bool rule_matches(const PushRule& rule, const EventView& event, const RoomFacts& room,
                  const MemberFacts& member);

}  // namespace chat::push
