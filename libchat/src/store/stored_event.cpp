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
    // Stored events passed every check once, under this id: hashing them
    // again on each read cost more than all the rest of a load.
    auto pdu = Pdu::from_stored(json, **version, event_id);
    if (!pdu)
        return make_error(Errc::storage, "Stored data cannot be read.",
                          "event " + std::string(event_id.str()) + ": " + pdu.error().message);
    return std::make_shared<const Pdu>(std::move(*pdu));
}

}  // namespace chat::store
