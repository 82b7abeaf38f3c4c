#include <chat/sync/e2ee_sections.hpp>

#include <utility>

#include <chat/e2ee/keys.hpp>

namespace chat::sync {

Result<bool> add_e2ee_sections(store::ReadTxn& txn, const UserId& user,
                               std::string_view device_id, const store::StreamPositions& from,
                               store::StreamPositions& to, bool initial, nlohmann::json& body) {
    using store::Stream;
    using nlohmann::json;
    bool news = false;

    // One more than we send tells whether the queue goes on.
    auto messages = txn.to_device().pending(user, device_id, from[Stream::to_device],
                                            to[Stream::to_device], kMaxToDevicePerSync + 1);
    if (!messages) return messages.error();
    if (messages->size() > kMaxToDevicePerSync) {
        messages->erase(messages->begin() + kMaxToDevicePerSync, messages->end());
        to[Stream::to_device] = messages->back().position;
    }
    json events = json::array();
    for (auto& m : *messages)
        events.push_back(json{{"type", std::move(m.type)},
                              {"sender", std::string(m.sender.str())},
                              {"content", std::move(m.content)}});
    if (!events.empty()) news = true;
    body["to_device"] = json{{"events", std::move(events)}};

    json lists = {{"changed", json::array()}, {"left", json::array()}};
    if (!initial) {
        auto delta = e2ee::device_list_changes(txn, user, from, to);
        if (!delta) return delta.error();
        if (!delta->changed.empty() || !delta->left.empty()) news = true;
        lists = json{{"changed", std::move(delta->changed)}, {"left", std::move(delta->left)}};
    }
    body["device_lists"] = std::move(lists);

    auto counts = e2ee::one_time_key_counts(txn, user, device_id);
    if (!counts) return counts.error();
    body["device_one_time_keys_count"] = *counts;
    auto fallback = txn.e2ee_keys().unused_fallback_algorithms(user, device_id);
    if (!fallback) return fallback.error();
    body["device_unused_fallback_key_types"] = *fallback;
    return news;
}

}  // namespace chat::sync
