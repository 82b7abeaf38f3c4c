#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/room_id.hpp>
#include <chat/core/user_id.hpp>
#include <chat/events/room_version.hpp>

namespace chat {

// Spec limits on a PDU (events-and-rooms.md §2.8).
inline constexpr std::size_t kMaxPduBytes = 65536;       // canonical JSON, signatures included
inline constexpr std::size_t kMaxPrevEvents = 20;
inline constexpr std::size_t kMaxAuthEvents = 10;
inline constexpr std::size_t kMaxEventTypeBytes = 255;
inline constexpr std::size_t kMaxStateKeyBytes = 255;

struct PduLimits {
    // The prev_events/auth_events counts are not applied to events fetched by
    // /backfill: older history may break them (§2.8).
    bool check_edge_counts = true;
};

// One room event in federation (PDU) format, checked against the format of
// its room version (§5) and carrying its event id.
//
// Immutable once built: share it as PduPtr. The only way to make one is
// from_json(), which takes untrusted JSON and never throws. Signatures and
// the content hash are NOT checked here (that needs keys: federation does
// it); the shape, sizes, identifiers and numbers are.
class Pdu {
public:
    // Errors: bad_json for a wrong shape or value (the message names the
    // field), too_large beyond kMaxPduBytes. For v3+ the event id is the
    // reference hash; v1-v2 take it from the `event_id` field. A v12 create
    // event gets its room id from its own hash.
    static Result<Pdu> from_json(nlohmann::json event, const RoomVersion& version,
                                 const PduLimits& limits = {});
    // An event this server checked and stored under `stored_id`: the same
    // shape checks, but neither the size nor the id (a canonical form and a
    // hash each) is computed again, and the edge counts are not applied
    // (backfilled history may break them). Only for the store's own rows.
    static Result<Pdu> from_stored(nlohmann::json event, const RoomVersion& version,
                                   const EventId& stored_id);
    // An event this server has just built and signed, whose id sign_event()
    // gave: every check of from_json() (size and edge counts included) but the
    // id is not computed again. `canonical`, when given, receives the
    // canonical JSON the size was measured on (the whole event, as it can be
    // stored), or stays empty when the event has an `unsigned` part.
    static Result<Pdu> from_signed(nlohmann::json event, const RoomVersion& version,
                                   const EventId& signed_id, std::string* canonical = nullptr);

    // What an event this server builds is made of, as typed values.
    struct Parts {
        RoomId room_id;
        UserId sender;
        std::string type;
        std::optional<std::string> state_key;
        std::int64_t depth = 0;
        std::int64_t origin_server_ts = 0;
        std::vector<EventId> prev_events;
        std::vector<EventId> auth_events;
        friend bool operator==(const Parts&, const Parts&) = default;
    };
    // Like from_signed(), for an event this server has just built from
    // `parts` (`event` is their JSON, hashed and signed): the fields are taken
    // from the parts instead of being parsed out of the JSON again, and the
    // limits of from_json() (sizes, edge counts, depth, content an object)
    // are checked on them. The caller vouches that `event` holds exactly
    // `parts`; builds with assertions (the tests') also parse it and fail with
    // Errc::internal where the two differ. Not for a v12 create event (its
    // room id comes from its own hash).
    static Result<Pdu> from_built(nlohmann::json event, const RoomVersion& version,
                                  const EventId& signed_id, Parts parts,
                                  std::string* canonical = nullptr);

    const RoomVersion& version() const noexcept { return *version_; }
    const EventId& event_id() const noexcept { return event_id_; }
    const RoomId& room_id() const noexcept { return parts_.room_id; }
    const UserId& sender() const noexcept { return parts_.sender; }
    const std::string& type() const noexcept { return parts_.type; }
    const std::optional<std::string>& state_key() const noexcept { return parts_.state_key; }
    bool is_state() const noexcept { return parts_.state_key.has_value(); }
    std::int64_t depth() const noexcept { return parts_.depth; }
    std::int64_t origin_server_ts() const noexcept { return parts_.origin_server_ts; }
    const std::vector<EventId>& prev_events() const noexcept { return parts_.prev_events; }
    const std::vector<EventId>& auth_events() const noexcept { return parts_.auth_events; }
    const nlohmann::json& content() const noexcept { return json_["content"]; }
    // The whole event as received or built, `unsigned` included.
    const nlohmann::json& json() const noexcept { return json_; }

    // `content.membership` of an m.room.member event, when it is a string.
    std::optional<std::string_view> membership() const;
    // The redaction target: top-level `redacts` (v1-v10) or `content.redacts`
    // (v11+) of an m.room.redaction event, when well formed.
    std::optional<EventId> redacts() const;
    // True for the state event of `type` and `state_key`.
    bool is_state_of(std::string_view type, std::string_view state_key) const;

private:
    // `known_id`: the id, not computed again; `measure`: check the size;
    // `canonical`: see from_signed.
    static Result<Pdu> parse(nlohmann::json event, const RoomVersion& version,
                             const PduLimits& limits, const EventId* known_id, bool measure,
                             std::string* canonical = nullptr);
    Pdu(const RoomVersion& version, nlohmann::json json, EventId event_id, Parts parts)
        : version_(&version), json_(std::move(json)), event_id_(std::move(event_id)),
          parts_(std::move(parts)) {}

    const RoomVersion* version_;
    nlohmann::json json_;
    EventId event_id_;
    Parts parts_;
};

using PduPtr = std::shared_ptr<const Pdu>;

}  // namespace chat
