#include <chat/sync/aggregations.hpp>

#include <string>
#include <utility>
#include <vector>

namespace chat::sync {

namespace {

using nlohmann::json;

// Edits looked at before giving up on finding a valid one: only the
// original's own sender can add invalid ones, and they hide only their own.
constexpr std::size_t kMaxEditCandidates = 20;
// m.reference children listed in one bundle; /relations pages the rest.
constexpr std::size_t kMaxBundledReferences = 100;

bool is_edit(const store::StoredEvent& ev) {
    const auto content = ev.json.find("content");
    if (content == ev.json.end() || !content->is_object()) return false;
    const auto relates = content->find("m.relates_to");
    if (relates == content->end() || !relates->is_object()) return false;
    const auto rel_type = relates->find("rel_type");
    return rel_type != relates->end() && rel_type->is_string() && *rel_type == "m.replace";
}

// Spec "Validity of replacement events", for what the query has not
// checked already (same room, sender and type, no state key). The server
// cannot see inside an encrypted edit.
bool is_valid_edit(const store::StoredEvent& edit) {
    if (edit.state_key || edit.redacted_by) return false;
    if (edit.type == "m.room.encrypted") return true;
    const auto content = edit.json.find("content");
    if (content == edit.json.end() || !content->is_object()) return false;
    const auto new_content = content->find("m.new_content");
    return new_content != content->end() && new_content->is_object();
}

// `ev` formatted as load_client_event() would, without bundles of its own.
Result<json> plain_event(store::ReadTxn& txn, const store::StoredEvent& ev,
                         const ClientEventContext& ctx) {
    ClientEventContext plain = ctx;
    plain.bundle_aggregations = false;
    auto extras = load_unsigned(txn, ev, plain);
    if (!extras) return extras.error();
    return client_event(ev, plain, *extras);
}

Result<std::optional<json>> latest_edit(store::ReadTxn& txn, const store::StoredEvent& ev,
                                        const ClientEventContext& ctx) {
    if (ev.redacted_by || is_edit(ev)) return std::optional<json>();
    auto ids = txn.relations().replacements(ev.room_id, ev.event_id, ev.sender, ev.type,
                                            kMaxEditCandidates);
    if (!ids) return ids.error();
    auto edits = txn.events().get_many(*ids);  // in the order asked: newest first
    if (!edits) return edits.error();
    for (const auto& edit : *edits) {
        if (!is_valid_edit(edit)) continue;
        auto formatted = plain_event(txn, edit, ctx);
        if (!formatted) return formatted.error();
        return std::optional<json>(std::move(*formatted));
    }
    return std::optional<json>();
}

Result<std::optional<json>> references(store::ReadTxn& txn, const store::StoredEvent& ev,
                                       const ClientEventContext& ctx) {
    auto rows = txn.relations().children({.room_id = ev.room_id,
                                          .parent_id = ev.event_id,
                                          .rel_type = "m.reference",
                                          .direction = store::Direction::forward,
                                          .limit = kMaxBundledReferences,
                                          .ignored_senders = ctx.ignored_senders});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<json>();
    json chunk = json::array();
    for (const auto& row : *rows) chunk.push_back({{"event_id", row.event_id.str()}});
    return std::optional<json>(json{{"chunk", std::move(chunk)}});
}

Result<std::optional<json>> bundle(store::ReadTxn& txn, const store::StoredEvent& ev,
                                   const ClientEventContext& ctx, bool in_thread_summary);

Result<std::optional<json>> thread(store::ReadTxn& txn, const store::StoredEvent& root,
                                   const ClientEventContext& ctx) {
    std::optional<UserId> viewer;
    if (ctx.viewer) viewer = *ctx.viewer;
    auto summary =
        txn.relations().thread(root.room_id, root.event_id, viewer, ctx.ignored_senders);
    if (!summary) return summary.error();
    if (!*summary) return std::optional<json>();
    auto latest = txn.events().get((*summary)->latest_event_id);
    if (!latest) return latest.error();
    if (!*latest) return std::optional<json>();  // the index names only stored events

    ClientEventContext plain = ctx;
    plain.bundle_aggregations = false;
    auto extras = load_unsigned(txn, **latest, plain);
    if (!extras) return extras.error();
    // The latest reply's own children (its edits) are bundled too; its
    // threads are not, which ends any loop a remote server could build.
    auto nested = bundle(txn, **latest, ctx, /*in_thread_summary=*/true);
    if (!nested) return nested.error();
    extras->relations = std::move(*nested);

    const bool participated =
        viewer && (root.sender == *viewer || (*summary)->participant_replied);
    return std::optional<json>(json{{"latest_event", client_event(**latest, plain, *extras)},
                                    {"count", (*summary)->count},
                                    {"current_user_participated", participated}});
}

Result<std::optional<json>> bundle(store::ReadTxn& txn, const store::StoredEvent& ev,
                                   const ClientEventContext& ctx, bool in_thread_summary) {
    if (ev.state_key) return std::optional<json>();
    // One indexed read for the common case of an event without children.
    auto rel_types = txn.relations().rel_types(ev.room_id, ev.event_id, ctx.ignored_senders);
    if (!rel_types) return rel_types.error();
    json out = json::object();
    for (const auto& rel_type : *rel_types) {
        Result<std::optional<json>> part = std::optional<json>();
        if (rel_type == "m.replace")
            part = latest_edit(txn, ev, ctx);
        else if (rel_type == "m.thread" && !in_thread_summary)
            part = thread(txn, ev, ctx);
        else if (rel_type == "m.reference")
            part = references(txn, ev, ctx);
        if (!part) return part.error();
        if (*part) out[rel_type] = std::move(**part);
    }
    if (out.empty()) return std::optional<json>();
    return std::optional<json>(std::move(out));
}

}  // namespace

Result<std::optional<nlohmann::json>> bundled_aggregations(store::ReadTxn& txn,
                                                           const store::StoredEvent& ev,
                                                           const ClientEventContext& ctx) {
    return bundle(txn, ev, ctx, /*in_thread_summary=*/false);
}

Result<std::vector<std::string>> ignored_users(store::ReadTxn& txn, const UserId& user) {
    std::vector<std::string> out;
    auto row = txn.account_data().get(user, std::nullopt, "m.ignored_user_list");
    if (!row) return row.error();
    if (!*row) return out;
    const auto users = (*row)->content.find("ignored_users");
    if (users == (*row)->content.end() || !users->is_object()) return out;
    for (auto it = users->begin(); it != users->end(); ++it) out.push_back(it.key());
    return out;
}

}  // namespace chat::sync
