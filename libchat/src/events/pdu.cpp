#include <chat/events/pdu.hpp>

#include <utility>

#include <chat/events/event_hashes.hpp>
#include <chat/json/canonical.hpp>

namespace chat {
namespace {

Error bad(std::string field, std::string what) {
    return make_error(Errc::bad_json, "Invalid event: '" + field + "' " + what);
}

const nlohmann::json* find(const nlohmann::json& object, std::string_view key) {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

Result<std::string> required_string(const nlohmann::json& event, std::string_view key,
                                    std::size_t max_bytes) {
    const auto* value = find(event, key);
    if (!value || !value->is_string()) return bad(std::string(key), "must be a string");
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > max_bytes) return bad(std::string(key), "is too long");
    return text;
}

Result<std::int64_t> required_integer(const nlohmann::json& event, std::string_view key) {
    const auto* value = find(event, key);
    if (!value || !(value->is_number_integer())) return bad(std::string(key), "must be an integer");
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return bad(std::string(key), "is out of range");
    return value->get<std::int64_t>();
}

EventId::Format event_id_format_of(const RoomVersion& version) {
    switch (version.event_id_format) {
    case EventIdFormat::legacy: return EventId::Format::domain;
    case EventIdFormat::base64: return EventId::Format::base64;
    case EventIdFormat::url_safe_base64: return EventId::Format::url_safe_base64;
    }
    return EventId::Format::url_safe_base64;
}

// prev_events / auth_events: ids (v3+) or [id, {"sha256": ...}] pairs (v1-v2).
Result<std::vector<EventId>> event_refs(const nlohmann::json& event, std::string_view key,
                                        const RoomVersion& version, std::size_t max_count) {
    const auto* list = find(event, key);
    if (!list || !list->is_array()) return bad(std::string(key), "must be an array");
    if (list->size() > max_count) return bad(std::string(key), "has too many entries");
    std::vector<EventId> ids;
    ids.reserve(list->size());
    for (const auto& entry : *list) {
        const nlohmann::json* id = &entry;
        if (version.pdu_format == PduFormat::v1) {
            if (!entry.is_array() || entry.size() != 2 || !entry[1].is_object())
                return bad(std::string(key), "entries must be [event_id, hashes] pairs");
            id = &entry[0];
        }
        if (!id->is_string()) return bad(std::string(key), "entries must be event ids");
        auto parsed = EventId::parse(id->get_ref<const std::string&>());
        if (!parsed || !parsed->fits(event_id_format_of(version)))
            return bad(std::string(key), "has an event id of the wrong form");
        ids.push_back(std::move(*parsed));
    }
    return ids;
}

// The canonical form an event's size is measured on (strict or lenient as the
// version wants), refused beyond kMaxPduBytes.
Result<std::string> measured_canonical(const nlohmann::json& event, const RoomVersion& version) {
    std::string text;
    if (version.strict_canonical_json) {
        auto strict = json::canonical_json(event);
        if (!strict) return std::move(strict).error();
        text = std::move(*strict);
    } else {
        text = json::canonical_json_lenient(event);
    }
    if (text.size() > kMaxPduBytes)
        return make_error(Errc::too_large, "Event is larger than 65536 bytes.");
    return text;
}

}  // namespace

Result<Pdu> Pdu::from_json(nlohmann::json event, const RoomVersion& version,
                           const PduLimits& limits) {
    return parse(std::move(event), version, limits, nullptr, true);
}

Result<Pdu> Pdu::from_stored(nlohmann::json event, const RoomVersion& version,
                             const EventId& stored_id) {
    return parse(std::move(event), version, PduLimits{.check_edge_counts = false}, &stored_id,
                 false);
}

Result<Pdu> Pdu::from_signed(nlohmann::json event, const RoomVersion& version,
                             const EventId& signed_id, std::string* canonical) {
    return parse(std::move(event), version, PduLimits{}, &signed_id, true, canonical);
}

Result<Pdu> Pdu::from_built(nlohmann::json event, const RoomVersion& version,
                            const EventId& signed_id, Parts parts, std::string* canonical) {
    if (!event.is_object()) return make_error(Errc::bad_json, "An event must be a JSON object.");
    if (event.contains("unsigned"))
        return make_error(Errc::internal, "Internal server error.", "a built event has `unsigned`");
    auto text = measured_canonical(event, version);
    if (!text) return std::move(text).error();
    if (parts.type.size() > kMaxEventTypeBytes) return bad("type", "is too long");
    if (parts.state_key && parts.state_key->size() > kMaxStateKeyBytes)
        return bad("state_key", "is too long");
    if (const auto* content = find(event, "content"); !content || !content->is_object())
        return bad("content", "must be an object");
    if (parts.depth < 0 || parts.depth > version.max_depth) return bad("depth", "is out of range");
    if (parts.prev_events.size() > kMaxPrevEvents) return bad("prev_events", "has too many entries");
    if (parts.auth_events.size() > kMaxAuthEvents) return bad("auth_events", "has too many entries");
    if (!signed_id.fits(event_id_format_of(version)))
        return bad("event_id", "has the wrong form for this room version");
    if (version.room_id_is_create_event_hash && !parts.room_id.is_hash_form())
        return bad("room_id", "must be a create event hash in this room version");
#ifndef NDEBUG
    // The JSON must say what the parts say: parsed as any event would be.
    {
        auto parsed = parse(event, version, PduLimits{}, &signed_id, false);
        if (!parsed || parsed->parts_ != parts)
            return make_error(Errc::internal, "Internal server error.",
                              "a built event's JSON differs from its parts");
    }
#endif
    if (canonical != nullptr) *canonical = std::move(*text);
    return Pdu(version, std::move(event), signed_id, std::move(parts));
}

Result<Pdu> Pdu::parse(nlohmann::json event, const RoomVersion& version, const PduLimits& limits,
                       const EventId* known_id, bool measure, std::string* canonical_out) {
    if (!event.is_object()) return make_error(Errc::bad_json, "An event must be a JSON object.");

    // Size is measured on the canonical form without `unsigned`, which is not
    // part of the signed event and is rewritten by every server it passes.
    // A stored event was measured when it came in.
    if (measure) {
        // A copy only when there is an `unsigned` to leave out.
        std::optional<nlohmann::json> without_unsigned;
        if (event.contains("unsigned")) {
            without_unsigned = event;
            without_unsigned->erase("unsigned");
        }
        auto canonical =
            measured_canonical(without_unsigned ? *without_unsigned : event, version);
        if (!canonical) return std::move(canonical).error();
        if (canonical_out != nullptr && !without_unsigned) *canonical_out = std::move(*canonical);
    }

    auto type = required_string(event, "type", kMaxEventTypeBytes);
    if (!type) return std::move(type).error();
    auto sender_text = required_string(event, "sender", UserId::kMaxBytes);
    if (!sender_text) return std::move(sender_text).error();
    auto sender = UserId::parse(*sender_text);
    if (!sender) return bad("sender", "is not a user id");

    std::optional<std::string> state_key;
    if (const auto* sk = find(event, "state_key")) {
        if (!sk->is_string()) return bad("state_key", "must be a string");
        if (sk->get_ref<const std::string&>().size() > kMaxStateKeyBytes)
            return bad("state_key", "is too long");
        state_key = sk->get<std::string>();
    }
    if (const auto* content = find(event, "content"); !content || !content->is_object())
        return bad("content", "must be an object");
    auto ts = required_integer(event, "origin_server_ts");
    if (!ts) return std::move(ts).error();
    auto depth = required_integer(event, "depth");
    if (!depth) return std::move(depth).error();
    if (*depth < 0 || *depth > version.max_depth) return bad("depth", "is out of range");

    const auto prev_limit = limits.check_edge_counts ? kMaxPrevEvents : SIZE_MAX;
    const auto auth_limit = limits.check_edge_counts ? kMaxAuthEvents : SIZE_MAX;
    auto prev_events = event_refs(event, "prev_events", version, prev_limit);
    if (!prev_events) return std::move(prev_events).error();
    auto auth_events = event_refs(event, "auth_events", version, auth_limit);
    if (!auth_events) return std::move(auth_events).error();

    if (const auto* hashes = find(event, "hashes");
        !hashes || !hashes->is_object() || !hashes->contains("sha256") ||
        !(*hashes)["sha256"].is_string())
        return bad("hashes", "must hold a sha256 string");
    if (const auto* sigs = find(event, "signatures"); !sigs || !sigs->is_object())
        return bad("signatures", "must be an object");

    // The reference hash (v3+) costs a canonical form and a SHA-256: a
    // stored event keeps the id it was checked under.
    std::optional<EventId> event_id;
    if (known_id) {
        event_id = *known_id;
    } else {
        auto id_text = compute_event_id(event, version);
        if (!id_text) return bad("event_id", "is missing or invalid");
        auto parsed_id = EventId::parse(*id_text);
        if (!parsed_id) return bad("event_id", "has the wrong form for this room version");
        event_id = std::move(*parsed_id);
    }
    if (!event_id->fits(event_id_format_of(version)))
        return bad("event_id", "has the wrong form for this room version");

    // v12 (§5): the create event has no room_id; its room id is its own hash.
    const bool v12_create =
        version.room_id_is_create_event_hash && *type == "m.room.create" && state_key == "";
    std::string room_text;
    if (v12_create) {
        if (event.contains("room_id")) return bad("room_id", "must be absent on a v12 create event");
        room_text = "!" + std::string(event_id->str().substr(1));
    } else {
        auto rt = required_string(event, "room_id", RoomId::kMaxBytes);
        if (!rt) return std::move(rt).error();
        room_text = *rt;
    }
    auto room_id = RoomId::parse(room_text);
    if (!room_id) return bad("room_id", "is not a room id");
    if (version.room_id_is_create_event_hash && !room_id->is_hash_form())
        return bad("room_id", "must be a create event hash in this room version");

    return Pdu(version, std::move(event), std::move(*event_id),
               Parts{.room_id = std::move(*room_id),
                     .sender = std::move(*sender),
                     .type = std::move(*type),
                     .state_key = std::move(state_key),
                     .depth = *depth,
                     .origin_server_ts = *ts,
                     .prev_events = std::move(*prev_events),
                     .auth_events = std::move(*auth_events)});
}

std::optional<std::string_view> Pdu::membership() const {
    if (parts_.type != "m.room.member") return std::nullopt;
    const auto& c = content();
    auto it = c.find("membership");
    if (it == c.end() || !it->is_string()) return std::nullopt;
    return std::string_view(it->get_ref<const std::string&>());
}

std::optional<EventId> Pdu::redacts() const {
    if (parts_.type != "m.room.redaction") return std::nullopt;
    const auto& holder = version_->redacts_in_content ? content() : json_;
    auto it = holder.find("redacts");
    if (it == holder.end() || !it->is_string()) return std::nullopt;
    auto id = EventId::parse(it->get_ref<const std::string&>());
    if (!id) return std::nullopt;
    return std::move(*id);
}

bool Pdu::is_state_of(std::string_view type, std::string_view state_key) const {
    return parts_.state_key && parts_.type == type && *parts_.state_key == state_key;
}

}  // namespace chat
