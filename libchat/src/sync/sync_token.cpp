#include <chat/sync/sync_token.hpp>

#include <charconv>
#include <cstddef>
#include <optional>
#include <system_error>

namespace chat::sync {

namespace {

// Fields in a token: every stored stream, then typing.
constexpr std::size_t kTokenFields = store::kStreamCount + 1;
// Generous for kTokenFields 19-digit numbers; longer text is refused unread.
constexpr std::size_t kMaxTokenBytes = 256;

Error bad_token(std::string_view what) {
    return make_error(Errc::invalid_param, "Invalid token: " + std::string(what));
}

// A decimal integer made only of digits (a '-' first when `allow_negative`),
// within int64. from_chars alone would accept what follows a number.
std::optional<std::int64_t> parse_number(std::string_view text, bool allow_negative) {
    std::string_view digits = text;
    if (allow_negative && !digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    if (digits.empty()) return std::nullopt;
    for (char c : digits)
        if (c < '0' || c > '9') return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string SyncToken::str() const {
    std::string out = "s";
    for (std::size_t i = 0; i < store::kStreamCount; ++i) {
        out += std::to_string(streams.at[i]);
        out += '_';
    }
    out += std::to_string(typing);
    return out;
}

Result<SyncToken> SyncToken::parse(std::string_view text) {
    if (text.size() > kMaxTokenBytes) return bad_token("too long");
    if (text.empty() || text.front() != 's') return bad_token("not a sync token");
    text.remove_prefix(1);
    SyncToken token;
    std::size_t field = 0;
    for (;;) {
        const std::size_t cut = text.find('_');
        const std::string_view part = text.substr(0, cut);
        if (field == kTokenFields) return bad_token("too many fields");
        auto number = parse_number(part, /*allow_negative=*/false);
        if (!number) return bad_token("not a number");
        if (field < store::kStreamCount)
            token.streams.at[field] = *number;
        else
            token.typing = *number;
        ++field;
        if (cut == std::string_view::npos) break;
        text.remove_prefix(cut + 1);
    }
    if (field != kTokenFields) return bad_token("too few fields");
    return token;
}

std::string PaginationToken::str() const {
    return "t" + std::to_string(position);
}

Result<PaginationToken> PaginationToken::parse(std::string_view text) {
    if (text.size() > kMaxTokenBytes) return bad_token("too long");
    if (!text.empty() && text.front() == 's') {
        auto sync_token = SyncToken::parse(text);
        if (!sync_token) return sync_token.error();
        return PaginationToken{sync_token->streams[store::Stream::events]};
    }
    if (text.empty() || text.front() != 't') return bad_token("not a pagination token");
    auto number = parse_number(text.substr(1), /*allow_negative=*/true);
    if (!number) return bad_token("not a number");
    return PaginationToken{*number};
}

}  // namespace chat::sync
