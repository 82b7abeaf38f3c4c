#pragma once

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>

namespace chat::push {

// A push rule's actions (push.md § Actions), checked and normalised: untrusted
// `actions` must be an array whose elements are "notify", the historical
// "dont_notify" or "coalesce", or an object with a string `set_tweak` (any
// tweak: they pass through to push gateways). The historical two are dropped,
// as servers MUST ignore them (["dont_notify"] becomes []). Errors:
// Errc::unknown (400 M_UNKNOWN, what Synapse answers) naming the bad action.
Result<nlohmann::json> normalise_actions(const nlohmann::json& actions);

// What a list of actions asks for.
struct ActionSummary {
    bool notify = false;     // "notify" is present
    bool highlight = false;  // a highlight tweak with no value or the value true
    // Every set_tweak as name -> value, the shape the push gateway's
    // `devices[].tweaks` takes. A highlight tweak without a value is true.
    nlohmann::json tweaks = nlohmann::json::object();
};

// Summarises normalised (or any) actions; anything unrecognised is ignored.
ActionSummary summarise_actions(const nlohmann::json& actions);

}  // namespace chat::push
