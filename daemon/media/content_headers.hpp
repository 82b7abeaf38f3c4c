#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat::daemon {

// Whether a browser may show content of this type inline (images, video,
// audio, plain text): types that cannot run script in our origin. Anything
// else (HTML, SVG, PDF, unknown) is served as an attachment. Parameters
// (";charset=...") are ignored; the comparison is case-insensitive.
bool is_inline_safe(std::string_view content_type) noexcept;

// The Content-Disposition value for a download: "inline" or "attachment",
// plus `filename*=utf-8''...` (RFC 5987/6266) with everything outside a
// small safe set percent-encoded, so that quotes, semicolons, CR/LF or
// slashes in an untrusted filename can neither break the header nor name a
// path. An empty filename adds no parameter.
std::string content_disposition(std::string_view content_type, std::string_view filename);

// The file name a (remote, untrusted) Content-Disposition value carries:
// `filename*=utf-8''<percent-encoded>` (RFC 5987, preferred) or
// `filename=<token or simple quoted string>`. None when absent, malformed,
// longer than 255 bytes, or holding control characters.
std::optional<std::string> disposition_filename(std::string_view disposition);

// The Content-Security-Policy sent with every download (spec: content
// repository, "Security considerations").
inline constexpr std::string_view kMediaContentSecurityPolicy =
    "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; "
    "style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

}  // namespace chat::daemon
