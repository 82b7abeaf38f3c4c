#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <chat/core/event_id.hpp>
#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// Who sent an event with which client transaction id.
struct TxnIdRecord {
    UserId user_id;
    std::string device_id;
    std::string txn_id;
    EventId event_id;
};

// Client transaction ids (PUT .../send/{eventType}/{txnId}): a retry from the
// same device with the same txnId gets the first event's id back.
class TxnIdsReader {
public:
    virtual ~TxnIdsReader() = default;
    virtual Result<std::optional<EventId>> get(const UserId& user_id, std::string_view device_id,
                                               std::string_view txn_id) = 0;
    // The reverse lookup, for echoing `unsigned.transaction_id` to the
    // sending device in sync and /messages. None when the event was not sent
    // with a txnId (or the record was purged). Indexed.
    virtual Result<std::optional<TxnIdRecord>> for_event(const EventId& event_id) = 0;
};

class TxnIds : public TxnIdsReader {
public:
    // Records `event_id` for the key unless one is recorded already; returns
    // the recorded one (the first wins).
    virtual Result<EventId> put(const UserId& user_id, std::string_view device_id,
                                std::string_view txn_id, const EventId& event_id,
                                std::int64_t now_ts) = 0;
    // Forgets ids recorded before `before_ts`; returns how many.
    virtual Result<std::int64_t> purge_before(std::int64_t before_ts) = 0;
};

}  // namespace chat::store
