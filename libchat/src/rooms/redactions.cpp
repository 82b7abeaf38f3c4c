#include <chat/rooms/redactions.hpp>

#include <vector>

#include <chat/auth/power_levels.hpp>
#include <chat/events/redaction.hpp>

namespace chat::rooms {

Result<bool> apply_redaction(store::WriteTxn& txn, const Pdu& redaction, std::int64_t now_ms) {
    auto target_id = redaction.redacts();
    if (!target_id) return false;
    auto target = txn.events().get(*target_id);
    if (!target) return target.error();
    // Unknown target: the redaction waits for it (§7.3). Other room: ignored.
    if (!*target || (*target)->room_id != redaction.room_id()) return false;

    const RoomVersion& version = redaction.version();
    bool allowed = (*target)->sender.server() == redaction.sender().server();
    if (!allowed) {
        auto create = txn.current_state().entry(redaction.room_id(), "m.room.create", "");
        auto pl = txn.current_state().entry(redaction.room_id(), "m.room.power_levels", "");
        if (!create) return create.error();
        if (!pl) return pl.error();
        std::vector<EventId> ids;
        if (*create) ids.push_back(**create);
        if (*pl) ids.push_back(**pl);
        auto rows = txn.events().get_many(ids);
        if (!rows) return rows.error();
        PduPtr create_pdu, pl_pdu;
        for (const auto& row : *rows) {
            auto pdu = row.to_pdu();
            if (!pdu) return pdu.error();
            ((*pdu)->type() == "m.room.create" ? create_pdu : pl_pdu) = *pdu;
        }
        auto levels = auth::PowerLevels::from_events(version, create_pdu.get(), pl_pdu.get());
        if (!levels) return levels.error();
        allowed = levels->user_level(redaction.sender().str()) >= levels->redact();
    }
    if (!allowed) return false;
    auto done = txn.events().redact(*target_id, chat::redact((*target)->json, version),
                                    redaction.event_id(), now_ms);
    if (!done) return done.error();
    return true;
}

}  // namespace chat::rooms
