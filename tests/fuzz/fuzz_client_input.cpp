// Feeds arbitrary bytes to the parsers of client input beyond JSON itself:
// sync and pagination tokens, sync filters, push rule bodies and search
// terms. Whatever they accept must keep their promises (tokens round-trip,
// filters keep their original JSON, the FTS5 query quotes every term);
// whatever they refuse must be refused as a value, never a crash.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <chat/json/parse.hpp>
#include <chat/push/push_rules.hpp>
#include <chat/store/search.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/filter.hpp>
#include <chat/sync/sync_token.hpp>

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void fuzz_tokens(std::string_view input) {
    if (auto token = chat::sync::SyncToken::parse(input)) {
        auto again = chat::sync::SyncToken::parse(token->str());
        check(again && *again == *token);
    }
    if (auto token = chat::sync::PaginationToken::parse(input)) {
        auto again = chat::sync::PaginationToken::parse(token->str());
        check(again && *again == *token);
    }
}

void fuzz_json_inputs(std::string_view input) {
    auto parsed = chat::json::parse(input);
    if (!parsed) return;
    if (auto filter = chat::sync::Filter::from_json(*parsed)) {
        check(filter->original == *parsed);
        (void)filter->timeline_limit();
        (void)filter->room.timeline.matches("m.room.message", "@a:b", "!r:b", nullptr);
    }
    auto user = chat::UserId::parse("@fuzz:example.org");
    chat::push::PushRules rules(*user);
    for (auto kind : chat::push::kRuleKinds) (void)rules.put_rule(kind, "fuzz.rule", *parsed);
    (void)rules.to_json();
}

void fuzz_search(std::string_view input) {
    auto terms = chat::store::search_terms(input);
    auto query = chat::store::fts5_match_query(terms);
    // Every term is quoted: the query never carries a bare operator.
    check(query.empty() || (query.front() == '"' && query.ends_with("\"*")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    fuzz_tokens(input);
    fuzz_json_inputs(input);
    fuzz_search(input);
    return 0;
}
