#include "api/media/media.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/media/media_params.hpp"
#include "auth/authenticate.hpp"
#include "media/media_files.hpp"
#include "services/services.hpp"

// The media part of Synapse's admin API, with its paths and response shapes
// so that chatctl and existing admin tools work unchanged. Server admins only.
namespace chat::daemon {

namespace {

constexpr std::int64_t kDefaultListLimit = 100;
constexpr std::int64_t kMaxListLimit = 1000;

Task<Result<void>> authenticate_admin(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    if (!request.requester().admin)
        co_return make_error(Errc::forbidden, "You are not a server admin");
    co_return chat::ok();
}

Result<std::int64_t> non_negative_query(const Request& request, std::string_view name,
                                        std::int64_t fallback) {
    auto text = request.query(name);
    if (!text) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < 0)
        return make_error(Errc::invalid_param,
                          "'" + std::string(name) + "' must be a non-negative integer");
    return value;
}

nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

}  // namespace

// POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}
// Quarantined media answers 404 to downloads and thumbnails; the file stays
// (an admin may lift the quarantine). Blocks: one DB write.
Task<Result<Reply>> post_admin_media_quarantine(Request& request) {
    if (auto admin = co_await authenticate_admin(request); !admin) co_return admin.error();
    auto media_id = local_media_id(request);
    if (!media_id) co_return media_id.error();
    auto origin = ServerName::parse(request.services().server_name);
    if (!origin) co_return origin.error();
    auto changed = co_await request.services().db->write(
        "media_quarantine", [&](store::WriteTxn& txn) {
            return txn.media().set_quarantined(*origin, *media_id, true);
        });
    if (!changed) co_return changed.error();
    if (!*changed) co_return make_error(Errc::not_found, "Unknown media");
    co_return Reply::json(nlohmann::json::object());
}

// DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}
// The row goes first, so no download can find it while its files go.
// Blocks: one DB write, file removal on the CPU pool.
Task<Result<Reply>> delete_admin_media(Request& request) {
    if (auto admin = co_await authenticate_admin(request); !admin) co_return admin.error();
    auto media_id = local_media_id(request);
    if (!media_id) co_return media_id.error();
    const auto& services = request.services();
    auto origin = ServerName::parse(services.server_name);
    if (!origin) co_return origin.error();
    auto removed = co_await services.db->write(
        "media_delete",
        [&](store::WriteTxn& txn) { return txn.media().remove(*origin, *media_id); });
    if (!removed) co_return removed.error();
    if (!*removed) co_return make_error(Errc::not_found, "Unknown media");
    const auto& files = *services.media_files;
    auto gone = co_await services.cpu->run([&] { return files.remove(*media_id); });
    if (!gone) co_return gone.error();
    nlohmann::json body = {{"deleted_media", nlohmann::json::array({*media_id})}, {"total", 1}};
    co_return Reply::json(body);
}

// GET /_synapse/admin/v1/users/{userId}/media?from=&limit=
// Oldest first; `next_token` only when more follow. Blocks: one DB read.
Task<Result<Reply>> get_admin_user_media(Request& request) {
    if (auto admin = co_await authenticate_admin(request); !admin) co_return admin.error();
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) co_return make_error(Errc::invalid_param, "Invalid user ID");
    const auto& services = request.services();
    if (user->server() != services.server_name)
        co_return make_error(Errc::invalid_param, "Can only look up local users");
    auto from = non_negative_query(request, "from", 0);
    if (!from) co_return from.error();
    auto limit = non_negative_query(request, "limit", kDefaultListLimit);
    if (!limit) co_return limit.error();
    const auto count = std::min(*limit, kMaxListLimit);

    struct Listing {
        std::vector<store::MediaRow> rows;
        std::int64_t total = 0;
    };
    auto listing = co_await services.db->read(
        "admin_user_media", [&](store::ReadTxn& txn) -> Result<Listing> {
            auto known = txn.users().get(*user);
            if (!known) return known.error();
            if (!*known) return make_error(Errc::not_found, "Unknown user");
            auto total = txn.media().count_by_uploader(*user);
            if (!total) return total.error();
            auto rows = txn.media().page_by_uploader(*user, static_cast<std::size_t>(*from),
                                                     static_cast<std::size_t>(count));
            if (!rows) return rows.error();
            return Listing{std::move(*rows), *total};
        });
    if (!listing) co_return listing.error();

    auto media = nlohmann::json::array();
    for (const auto& row : listing->rows) {
        media.push_back({{"media_id", row.media_id},
                         {"media_type", optional_text(row.content_type)},
                         {"media_length", row.size},
                         {"upload_name", optional_text(row.upload_name)},
                         {"created_ts", row.created_ts},
                         {"last_access_ts", nullptr},
                         // We record that media is quarantined, not by whom.
                         {"quarantined_by", nullptr},
                         {"quarantined", row.quarantined},
                         {"safe_from_quarantine", false}});
    }
    nlohmann::json body = {{"media", std::move(media)}, {"total", listing->total}};
    const auto next = *from + static_cast<std::int64_t>(listing->rows.size());
    if (next < listing->total && !listing->rows.empty()) body["next_token"] = next;
    co_return Reply::json(body);
}

}  // namespace chat::daemon
