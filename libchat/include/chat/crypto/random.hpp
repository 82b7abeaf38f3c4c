#pragma once

#include <cstddef>
#include <string>

namespace chat::crypto {

// `length` characters from [A-Za-z0-9], from the operating system's CSPRNG
// (libsodium). For room ids, device ids, access tokens and media ids.
std::string random_alphanumeric(std::size_t length);

}  // namespace chat::crypto
