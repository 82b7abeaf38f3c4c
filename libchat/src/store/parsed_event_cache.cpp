#include "store/parsed_event_cache.hpp"

#include <utility>

namespace chat::store {

std::string ParsedEventCache::key(std::string_view event_id, bool redacted,
                                  std::size_t json_bytes) {
    std::string k(event_id);
    k += redacted ? "|r|" : "|o|";
    k += std::to_string(json_bytes);
    return k;
}

PduPtr ParsedEventCache::find(std::string_view event_id, bool redacted,
                              std::size_t json_bytes) const {
    if (capacity_ == 0) return nullptr;
    const std::string k = key(event_id, redacted, json_bytes);
    std::lock_guard lock(mutex_);
    if (auto it = young_.find(k); it != young_.end()) return it->second;
    auto it = old_.find(k);
    if (it == old_.end()) return nullptr;
    PduPtr pdu = it->second;
    if (young_.size() >= capacity_ / 2) old_ = std::exchange(young_, {});
    young_.emplace(k, pdu);
    return pdu;
}

void ParsedEventCache::put(std::string_view event_id, bool redacted, std::size_t json_bytes,
                           PduPtr pdu) {
    if (capacity_ == 0 || !pdu) return;
    if (pdu->version().event_id_format == EventIdFormat::legacy) return;
    std::string k = key(event_id, redacted, json_bytes);
    std::lock_guard lock(mutex_);
    if (young_.size() >= capacity_ / 2) old_ = std::exchange(young_, {});
    young_.insert_or_assign(std::move(k), std::move(pdu));
}

}  // namespace chat::store
