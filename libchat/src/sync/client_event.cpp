#include <chat/sync/client_event.hpp>

#include <string>
#include <utility>

#include <chat/sync/aggregations.hpp>

namespace chat::sync {

namespace {

// Room versions 1-10 name a redaction's target at the top level, v11+ in
// `content.redacts`. Room v11 asks servers to serve it in both places over the
// Client-Server API, so that clients written for either layout (matrix-nio
// 0.20 reads only the top level) understand redactions in every room version.
void add_redacts_both_places(const nlohmann::json& pdu, nlohmann::json& out) {
    nlohmann::json& content = out["content"];
    std::string target;
    if (auto top = pdu.find("redacts"); top != pdu.end() && top->is_string())
        target = top->get<std::string>();
    else if (auto inner = content.find("redacts"); inner != content.end() && inner->is_string())
        target = inner->get<std::string>();
    if (target.empty()) return;  // a redacted redaction (v1-v10) keeps no target
    out["redacts"] = target;
    if (!content.contains("redacts")) content["redacts"] = target;
}

}  // namespace

nlohmann::json client_event(const store::StoredEvent& ev, const ClientEventContext& ctx,
                            const UnsignedExtras& extras) {
    nlohmann::json out = nlohmann::json::object();
    out["event_id"] = ev.event_id.str();
    out["type"] = ev.type;
    out["sender"] = ev.sender.str();
    out["origin_server_ts"] = ev.origin_server_ts;
    const auto content = ev.json.find("content");
    out["content"] =
        content != ev.json.end() && content->is_object() ? *content : nlohmann::json::object();
    if (ctx.include_room_id) out["room_id"] = ev.room_id.str();
    if (ev.state_key) out["state_key"] = *ev.state_key;
    if (ev.type == "m.room.redaction") add_redacts_both_places(ev.json, out);

    nlohmann::json& unsigned_ = out["unsigned"];
    unsigned_ = nlohmann::json::object();
    unsigned_["age"] = ctx.now_ts - ev.origin_server_ts;
    if (extras.transaction_id) unsigned_["transaction_id"] = *extras.transaction_id;
    if (extras.prev_content) unsigned_["prev_content"] = *extras.prev_content;
    if (extras.prev_sender) unsigned_["prev_sender"] = extras.prev_sender->str();
    if (extras.replaces_state) unsigned_["replaces_state"] = extras.replaces_state->str();
    if (extras.redacted_because) unsigned_["redacted_because"] = *extras.redacted_because;
    if (extras.relations) unsigned_["m.relations"] = *extras.relations;
    return out;
}

Result<UnsignedExtras> load_unsigned(store::ReadTxn& txn, const store::StoredEvent& ev,
                                     const ClientEventContext& ctx) {
    UnsignedExtras extras;

    // Only the device that sent it gets the txn id back; every other
    // device of the same user would otherwise take the event for its own
    // local echo.
    if (ctx.viewer && *ctx.viewer == ev.sender && !ctx.viewer_device.empty()) {
        auto record = txn.txn_ids().for_event(ev.event_id);
        if (!record) return record.error();
        if (*record && (*record)->user_id == *ctx.viewer &&
            (*record)->device_id == ctx.viewer_device)
            extras.transaction_id = std::move((*record)->txn_id);
    }

    if (ev.state_key && ev.state_group_before) {
        auto replaced = txn.state().state_entry_at(*ev.state_group_before, ev.type, *ev.state_key);
        if (!replaced) return replaced.error();
        if (*replaced) {
            auto prev = txn.events().get(**replaced);
            if (!prev) return prev.error();
            if (*prev) {
                const auto content = (*prev)->json.find("content");
                if (content != (*prev)->json.end() && content->is_object())
                    extras.prev_content = *content;
                extras.prev_sender = (*prev)->sender;
            }
            extras.replaces_state = std::move(**replaced);
        }
    }

    if (ev.redacted_by) {
        auto redaction = txn.events().get(*ev.redacted_by);
        if (!redaction) return redaction.error();
        if (*redaction) extras.redacted_because = client_event(**redaction, ctx);
    }

    if (ctx.bundle_aggregations) {
        auto bundled = bundled_aggregations(txn, ev, ctx);
        if (!bundled) return bundled.error();
        extras.relations = std::move(*bundled);
    }
    return extras;
}

Result<nlohmann::json> load_client_event(store::ReadTxn& txn, const store::StoredEvent& ev,
                                         const ClientEventContext& ctx) {
    auto extras = load_unsigned(txn, ev, ctx);
    if (!extras) return extras.error();
    return client_event(ev, ctx, *extras);
}

}  // namespace chat::sync
