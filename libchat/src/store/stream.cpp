#include <chat/store/stream.hpp>

namespace chat::store {

std::string_view to_string(Stream stream) noexcept {
    switch (stream) {
    case Stream::events: return "events";
    case Stream::receipts: return "receipts";
    case Stream::account_data: return "account_data";
    case Stream::presence: return "presence";
    case Stream::to_device: return "to_device";
    case Stream::device_lists: return "device_lists";
    case Stream::push_rules: return "push_rules";
    }
    return "unknown";  // unreachable
}

std::optional<Stream> stream_from_string(std::string_view name) noexcept {
    for (Stream s : kAllStreams)
        if (to_string(s) == name) return s;
    return std::nullopt;
}

}  // namespace chat::store
