#include <chat/push/actions.hpp>

#include <string>

namespace chat::push {

Result<nlohmann::json> normalise_actions(const nlohmann::json& actions) {
    if (!actions.is_array()) return make_error(Errc::unknown, "'actions' must be an array");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& action : actions) {
        if (action.is_string()) {
            const auto& name = action.get_ref<const std::string&>();
            if (name == "notify") {
                out.push_back(action);
                continue;
            }
            if (name == "dont_notify" || name == "coalesce") continue;  // historical: ignored
            return make_error(Errc::unknown, "Unrecognised action: " + name);
        }
        if (action.is_object()) {
            auto tweak = action.find("set_tweak");
            if (tweak != action.end() && tweak->is_string()) {
                out.push_back(action);
                continue;
            }
        }
        return make_error(Errc::unknown, "Unrecognised action: " + action.dump());
    }
    return out;
}

ActionSummary summarise_actions(const nlohmann::json& actions) {
    ActionSummary summary;
    if (!actions.is_array()) return summary;
    for (const auto& action : actions) {
        if (action.is_string()) {
            if (action.get_ref<const std::string&>() == "notify") summary.notify = true;
            continue;
        }
        if (!action.is_object()) continue;
        auto tweak = action.find("set_tweak");
        if (tweak == action.end() || !tweak->is_string()) continue;
        const auto& name = tweak->get_ref<const std::string&>();
        auto value = action.find("value");
        if (name == "highlight") {
            // "If a highlight tweak is given with no value, its value is defined to be true."
            bool on = value == action.end() || (value->is_boolean() && value->get<bool>());
            summary.highlight = on;
            summary.tweaks[name] = on;
        } else {
            summary.tweaks[name] = value == action.end() ? nlohmann::json() : *value;
        }
    }
    return summary;
}

}  // namespace chat::push
