#include <chat/e2ee/device_list_update.hpp>

#include <algorithm>
#include <string>

namespace chat::e2ee {

using nlohmann::json;

Result<json> device_list_update_content(store::WriteTxn& txn, const UserId& user,
                                        std::string_view device_id) {
    auto position = txn.current_position(store::Stream::device_lists);
    if (!position) return position.error();
    auto last = txn.e2ee_keys().last_sent_device_list_update(user);
    if (!last) return last.error();
    // Announcing twice without a change in between (or a change of a user
    // whose position was taken by another user's later one) would reuse a
    // stream_id; receivers key on it, so each EDU of a user takes a new one.
    auto stream_id = *last ? std::max(*position, **last + 1) : *position;
    json prev_id = json::array();
    if (*last) prev_id.push_back(**last);

    auto keys = txn.e2ee_keys().device_keys(user, device_id);
    if (!keys) return keys.error();
    auto device = txn.devices().get(user, device_id);
    if (!device) return device.error();
    if (auto put = txn.e2ee_keys().put_sent_device_list_update(user, stream_id); !put)
        return put.error();

    json content = {{"user_id", std::string(user.str())},
                    {"device_id", std::string(device_id)},
                    {"stream_id", stream_id},
                    {"prev_id", std::move(prev_id)},
                    {"deleted", !*device}};
    if (*keys) content["keys"] = **keys;
    if (*device && (*device)->display_name) content["device_display_name"] = *(*device)->display_name;
    return content;
}

}  // namespace chat::e2ee
