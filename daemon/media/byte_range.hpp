#pragma once

#include <cstdint>
#include <string_view>

namespace chat::daemon {

// What a Range request header asks of a file of `size` bytes (RFC 9110
// section 14). We serve one range: a header listing several, or a unit
// other than bytes, or anything malformed is ignored and the whole file
// sent, as the RFC allows. Only "bytes=" ranges none of which overlaps the
// file are unsatisfiable (416).
struct ByteRange {
    enum class Kind { whole, partial, unsatisfiable };
    Kind kind = Kind::whole;
    std::uint64_t first = 0;   // for partial: first byte, inclusive
    std::uint64_t length = 0;  // for partial: bytes from `first`, at least 1
};

// Parses the value of a Range header; `header` is untrusted client input of
// any length (bounded by the session's header limit). Never fails.
ByteRange parse_byte_range(std::string_view header, std::uint64_t size) noexcept;

}  // namespace chat::daemon
