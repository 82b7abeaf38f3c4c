#include <chat/store/events.hpp>

#include <memory>
#include <utility>

#include <chat/events/room_version.hpp>

namespace chat::store {

Result<PduPtr> StoredEvent::to_pdu() const {
    auto version = RoomVersion::get(room_version);
    if (!version)
        return make_error(Errc::storage, "Stored data cannot be read.",
                          "event " + std::string(event_id.str()) + ": room version " +
                              room_version + " unknown");
    // Stored events passed the format checks once; backfilled history may
    // exceed the prev/auth counts that apply to new events.
    auto pdu = Pdu::from_json(json, **version, PduLimits{.check_edge_counts = false});
    if (!pdu)
        return make_error(Errc::storage, "Stored data cannot be read.",
                          "event " + std::string(event_id.str()) + ": " + pdu.error().message);
    if (pdu->event_id() != event_id)
        return make_error(Errc::storage, "Stored data cannot be read.",
                          "event " + std::string(event_id.str()) + " parses with id " +
                              std::string(pdu->event_id().str()));
    return std::make_shared<const Pdu>(std::move(*pdu));
}

}  // namespace chat::store
