#include "api/admin/registration_tokens.hpp"

#include <nlohmann/json.hpp>

#include <chat/crypto/random.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "api/admin/admin_auth.hpp"
#include "api/client/body_fields.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

// Synapse's bounds: tokens of at most 64 characters from [A-Za-z0-9._~-].
constexpr std::size_t kMaxTokenLength = 64;
constexpr std::int64_t kDefaultGeneratedLength = 16;

bool valid_token_text(std::string_view token) {
    if (token.empty() || token.size() > kMaxTokenLength) return false;
    for (unsigned char c : token) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '~' || c == '-';
        if (!ok) return false;
    }
    return true;
}

nlohmann::json token_json(const store::RegistrationTokenRow& row) {
    return {
        {"token", row.token},
        {"uses_allowed", row.uses_allowed ? nlohmann::json(*row.uses_allowed) : nlohmann::json()},
        {"pending", row.pending},
        {"completed", row.completed},
        {"expiry_time", row.expiry_time ? nlohmann::json(*row.expiry_time) : nlohmann::json()},
    };
}

Error token_not_found(std::string_view token) {
    return make_error(Errc::not_found, "No such registration token: " + std::string(token));
}

// uses_allowed and expiry_time: absent (outer none), null (inner none) or an
// integer. Errors: Errc::invalid_param for a negative count or a time in
// the past, as Synapse refuses them.
struct Limits {
    std::optional<std::optional<std::int64_t>> uses_allowed;
    std::optional<std::optional<std::int64_t>> expiry_time;
};

Result<std::optional<std::optional<std::int64_t>>> nullable_integer(const nlohmann::json& body,
                                                                    std::string_view field) {
    auto it = body.find(field);
    if (it == body.end()) return std::optional<std::optional<std::int64_t>>();
    if (it->is_null()) return std::optional<std::optional<std::int64_t>>(std::optional<std::int64_t>());
    auto value = optional_integer(body, field);
    if (!value) return value.error();
    return std::optional<std::optional<std::int64_t>>(*value);
}

Result<Limits> read_limits(const nlohmann::json& body, std::int64_t now_ms) {
    auto uses = nullable_integer(body, "uses_allowed");
    if (!uses) return uses.error();
    if (*uses && **uses && ***uses < 0)
        return make_error(Errc::invalid_param, "uses_allowed must be a non-negative integer or null");
    auto expiry = nullable_integer(body, "expiry_time");
    if (!expiry) return expiry.error();
    if (*expiry && **expiry && ***expiry < now_ms)
        return make_error(Errc::invalid_param, "expiry_time must not be in the past");
    return Limits{*uses, *expiry};
}

}  // namespace

Task<Result<Reply>> get_admin_registration_tokens(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto valid = query_bool(request, "valid");
    if (!valid) co_return valid.error();
    const auto& services = request.services();
    auto rows = co_await services.db->read("admin_list_registration_tokens",
                                           [&](store::ReadTxn& txn) {
                                               return txn.registration_tokens().list();
                                           });
    if (!rows) co_return rows.error();
    const auto now = services.clock->now_ms();
    auto list = nlohmann::json::array();
    for (const auto& row : *rows) {
        if (!*valid || row.valid_at(now) == **valid) list.push_back(token_json(row));
    }
    co_return Reply::json({{"registration_tokens", list}});
}

Task<Result<Reply>> post_admin_registration_token(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    auto body = request.json_object(true);
    if (!body) co_return body.error();
    const auto& services = request.services();
    auto limits = read_limits(*body, services.clock->now_ms());
    if (!limits) co_return limits.error();
    auto given = optional_string(*body, "token");
    if (!given) co_return given.error();
    auto length = optional_integer(*body, "length");
    if (!length) co_return length.error();
    store::RegistrationTokenRow row;
    if (*given) {
        if (!valid_token_text(**given))
            co_return make_error(Errc::invalid_param,
                                 "token must consist only of characters matched by the regex "
                                 "[A-Za-z0-9._~-] and be at most 64 characters");
        row.token = std::move(**given);
    } else {
        const auto n = length->value_or(kDefaultGeneratedLength);
        if (n < 1 || n > static_cast<std::int64_t>(kMaxTokenLength))
            co_return make_error(Errc::invalid_param,
                                 "length must be an integer from 1 to 64");
        row.token = crypto::random_alphanumeric(static_cast<std::size_t>(n));
    }
    if (limits->uses_allowed) row.uses_allowed = *limits->uses_allowed;
    if (limits->expiry_time) row.expiry_time = *limits->expiry_time;
    auto created = co_await services.db->write("admin_create_registration_token",
                                               [&](store::WriteTxn& txn) {
                                                   return txn.registration_tokens().create(row);
                                               });
    if (!created) co_return created.error();
    co_return Reply::json(token_json(row));
}

Task<Result<Reply>> get_admin_registration_token(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    std::string token(request.path_param("token"));
    auto row = co_await request.services().db->read(
        "admin_get_registration_token",
        [&](store::ReadTxn& txn) { return txn.registration_tokens().get(token); });
    if (!row) co_return row.error();
    if (!*row) co_return token_not_found(token);
    co_return Reply::json(token_json(**row));
}

Task<Result<Reply>> put_admin_registration_token(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    std::string token(request.path_param("token"));
    auto body = request.json_object();
    if (!body) co_return body.error();
    const auto& services = request.services();
    auto limits = read_limits(*body, services.clock->now_ms());
    if (!limits) co_return limits.error();
    auto updated = co_await services.db->write(
        "admin_update_registration_token",
        [&](store::WriteTxn& txn) -> Result<store::RegistrationTokenRow> {
            auto row = txn.registration_tokens().get(token);
            if (!row) return row.error();
            if (!*row) return token_not_found(token);
            auto changed = **row;
            if (limits->uses_allowed) changed.uses_allowed = *limits->uses_allowed;
            if (limits->expiry_time) changed.expiry_time = *limits->expiry_time;
            if (auto done = txn.registration_tokens().update(changed); !done) return done.error();
            return changed;
        });
    if (!updated) co_return updated.error();
    co_return Reply::json(token_json(*updated));
}

Task<Result<Reply>> delete_admin_registration_token(Request& request) {
    if (auto authed = co_await authenticate_admin(request); !authed) co_return authed.error();
    std::string token(request.path_param("token"));
    auto removed = co_await request.services().db->write(
        "admin_delete_registration_token",
        [&](store::WriteTxn& txn) { return txn.registration_tokens().remove(token); });
    if (!removed) co_return removed.error();
    if (!*removed) co_return token_not_found(token);
    co_return Reply::json(nlohmann::json::object());
}

}  // namespace chat::daemon
