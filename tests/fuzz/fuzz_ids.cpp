// Feeds arbitrary bytes to every identifier parser. Whatever parses must keep
// the types' promises: the text is kept verbatim, re-parsing it gives an equal
// value, the spec's 255-byte limit holds, and the accessors agree with the text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <chat/core/ids.hpp>

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

// The server part of a parsed ID is itself a valid server name.
void check_server_part(std::string_view server) {
    check(chat::ServerName::parse(server).has_value());
}

void fuzz_server_name(std::string_view input) {
    auto name = chat::ServerName::parse(input);
    if (!name) return;
    check(name->str() == input);
    auto again = chat::ServerName::parse(name->str());
    check(again && *again == *name);

    const auto host = name->host();
    check(!host.empty() && input.substr(0, host.size()) == host);
    const bool bracketed = host.front() == '[';
    check(bracketed == (name->kind() == chat::ServerName::Kind::ipv6));
    if (bracketed) check(host.back() == ']');
    if (!bracketed) check(host.size() <= chat::ServerName::kMaxDnsNameBytes);
    check(host.find(':') == std::string_view::npos || bracketed);

    const auto rest = input.substr(host.size());
    check(rest.empty() == !name->port().has_value());
    if (!rest.empty()) {
        check(rest.front() == ':' && rest.size() >= 2 && rest.size() <= 6);
        check(std::stoul(std::string(rest.substr(1))) == *name->port());
    }
}

void fuzz_user_id(std::string_view input) {
    auto id = chat::UserId::parse(input);
    auto strict = chat::UserId::parse_strict(input);
    check(!strict || id);
    if (!id) return;
    check(id->str() == input);
    check(input.size() <= chat::UserId::kMaxBytes);
    auto again = chat::UserId::parse(id->str());
    check(again && *again == *id);
    check(std::string("@") + std::string(id->localpart()) + ":" + std::string(id->server()) ==
          input);
    check(id->localpart().find(':') == std::string_view::npos);
    check(strict.has_value() == id->is_compliant());
    check(!id->is_compliant() || id->has_historical_grammar());

    auto server = chat::ServerName::parse(id->server());
    check(server.has_value());
    // A new localpart is valid exactly when the ID it makes is compliant.
    check(chat::validate_new_localpart(id->localpart(), *server).has_value() == id->is_compliant());
}

void fuzz_room_id(std::string_view input) {
    auto id = chat::RoomId::parse(input);
    if (!id) return;
    check(id->str() == input);
    check(input.size() <= chat::RoomId::kMaxBytes);
    auto again = chat::RoomId::parse(id->str());
    check(again && *again == *id);
    check(id->is_hash_form() == !id->server().has_value());
    if (id->server()) {
        check_server_part(*id->server());
    } else {
        check(input.size() == 1 + chat::EventId::kHashChars);
        // A v12 room ID is its create event's ID with '!' for '$'.
        auto event = chat::EventId::parse("$" + std::string(input.substr(1)));
        check(event && event->fits(chat::EventId::Format::url_safe_base64));
    }
}

void fuzz_event_id(std::string_view input) {
    using Format = chat::EventId::Format;
    auto id = chat::EventId::parse(input);
    if (!id) return;
    check(id->str() == input);
    check(input.size() <= chat::EventId::kMaxBytes);
    auto again = chat::EventId::parse(id->str());
    check(again && *again == *id);
    check(id->is_hash_form() == !id->server().has_value());
    check(id->fits(Format::domain) == !id->is_hash_form());
    if (id->is_hash_form()) {
        check(input.size() == 1 + chat::EventId::kHashChars);
        check(id->fits(Format::base64) || id->fits(Format::url_safe_base64));
    } else {
        check(!id->fits(Format::base64) && !id->fits(Format::url_safe_base64));
        check_server_part(*id->server());
    }
}

void fuzz_room_alias(std::string_view input) {
    auto alias = chat::RoomAlias::parse(input);
    if (!alias) return;
    check(alias->str() == input);
    check(input.size() <= chat::RoomAlias::kMaxBytes);
    auto again = chat::RoomAlias::parse(alias->str());
    check(again && *again == *alias);
    check(std::string("#") + std::string(alias->localpart()) + ":" + std::string(alias->server()) ==
          input);
    check_server_part(alias->server());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz_server_name(input);
    fuzz_user_id(input);
    fuzz_room_id(input);
    fuzz_event_id(input);
    fuzz_room_alias(input);
    // The sigil picks the parser, so at most one of the four ID types accepts.
    const int accepted =
        chat::UserId::parse(input).has_value() + chat::RoomId::parse(input).has_value() +
        chat::EventId::parse(input).has_value() + chat::RoomAlias::parse(input).has_value();
    check(accepted <= 1);
    return 0;
}
