#pragma once

#include <string_view>

namespace chat::detail {

// True if `text` is well-formed UTF-8 (Unicode 15, table 3-7): no overlong
// forms, no surrogate code points (U+D800-U+DFFF, bytes ED A0..BF xx), nothing
// above U+10FFFF, no truncated or stray continuation bytes. A 00 byte is
// well-formed UTF-8 and passes. Pure; safe on any input.
bool is_valid_utf8(std::string_view text) noexcept;

// The localpart rule the spec shares between historical user IDs, room IDs,
// room aliases and v1/v2 event IDs: any valid non-surrogate code points except
// NUL (the caller has already split at the first ':', so none is left). May be
// empty. Spec appendices, "Historical User IDs", "Room IDs", "Room Aliases".
bool is_opaque_localpart(std::string_view text) noexcept;

}  // namespace chat::detail
