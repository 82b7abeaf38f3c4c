// libFuzzer target: the X-Matrix Authorization header parser
// (federation/src/client/x_matrix.cpp) with any header text. Whatever it
// accepts must have an origin that is a server name, a key and a sig, and
// re-parse the same once written back in the canonical form.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <chat/federation/client/x_matrix.hpp>

namespace {

// Quoted with every '"' and '\' escaped, as RFC 9110 quoted-string allows.
std::string quote(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view header(reinterpret_cast<const char*>(data), size);
    auto parsed = chat::federation::parse_x_matrix(header);
    if (!parsed) return 0;
    if (!chat::ServerName::parse(parsed->origin) || parsed->key.empty() || parsed->sig.empty())
        std::abort();
    std::string again = "X-Matrix origin=" + quote(parsed->origin) + ",key=" +
                        quote(parsed->key) + ",sig=" + quote(parsed->sig);
    if (parsed->destination) again += ",destination=" + quote(*parsed->destination);
    auto reparsed = chat::federation::parse_x_matrix(again);
    if (again.size() <= chat::federation::kMaxXMatrixHeaderBytes &&
        (!reparsed || reparsed->origin != parsed->origin || reparsed->key != parsed->key ||
         reparsed->sig != parsed->sig || reparsed->destination != parsed->destination))
        std::abort();
    return 0;
}
