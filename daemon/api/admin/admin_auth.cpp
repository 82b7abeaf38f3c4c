#include "api/admin/admin_auth.hpp"

#include <charconv>
#include <string>

#include "auth/authenticate.hpp"
#include "services/services.hpp"

namespace chat::daemon {

Task<Result<void>> authenticate_admin(Request& request) {
    if (auto authed = co_await authenticate(request); !authed) co_return authed.error();
    if (!request.requester().admin)
        co_return make_error(Errc::forbidden, "You are not a server admin");
    co_return ok();
}

Result<UserId> user_param(const Request& request) {
    auto user = UserId::parse(request.path_param("userId"));
    if (!user) return make_error(Errc::invalid_param, "Invalid user ID");
    return std::move(*user);
}

Result<UserId> local_user_param(const Request& request) {
    auto user = user_param(request);
    if (!user) return user.error();
    if (user->server() != request.services().server_name)
        return make_error(Errc::invalid_param, "Can only look up local users");
    return user;
}

Result<std::int64_t> query_count(const Request& request, std::string_view name,
                                 std::int64_t fallback) {
    auto text = request.query(name);
    if (!text) return fallback;
    std::int64_t value = 0;
    const auto* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || value < 0)
        return make_error(Errc::invalid_param,
                          "Query parameter '" + std::string(name) + "' must be a non-negative integer");
    return value;
}

Result<std::optional<bool>> query_bool(const Request& request, std::string_view name) {
    auto text = request.query(name);
    if (!text) return std::optional<bool>();
    if (*text == "true") return std::optional<bool>(true);
    if (*text == "false") return std::optional<bool>(false);
    return make_error(Errc::invalid_param,
                      "Query parameter '" + std::string(name) + "' must be true or false");
}

nlohmann::json json_or_null(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace chat::daemon
