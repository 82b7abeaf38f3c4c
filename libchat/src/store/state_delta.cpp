#include <chat/store/state_groups.hpp>

namespace chat::store {

std::vector<StateDeltaEntry> state_difference(const StateMap& from, const StateMap& to) {
    // One merge pass over the two sorted maps.
    std::vector<StateDeltaEntry> delta;
    auto a = from.begin();
    auto b = to.begin();
    while (a != from.end() || b != to.end()) {
        if (b == to.end() || (a != from.end() && a->first < b->first)) {
            delta.push_back({a->first, std::nullopt});
            ++a;
        } else if (a == from.end() || b->first < a->first) {
            delta.push_back({b->first, b->second});
            ++b;
        } else {
            if (a->second != b->second) delta.push_back({b->first, b->second});
            ++a;
            ++b;
        }
    }
    return delta;
}

void apply_delta(StateMap& state, std::span<const StateDeltaEntry> delta) {
    for (const auto& entry : delta) {
        if (entry.event_id)
            state.insert_or_assign(entry.key, *entry.event_id);
        else
            state.erase(entry.key);
    }
}

}  // namespace chat::store
