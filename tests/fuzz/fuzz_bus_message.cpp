// libFuzzer target: the workers' bus message decoder (daemon/bus/
// bus_message.cpp), which reads what any client of the Redis server may
// publish. Whatever it accepts must encode and decode to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bus/bus_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto message = chat::daemon::bus::decode(text);
    if (!message) return 0;
    auto again = chat::daemon::bus::decode(chat::daemon::bus::encode(*message));
    if (!again || !(*again == *message)) std::abort();
    return 0;
}
