#include "auth/uia.hpp"

#include <chat/accounts/account_service.hpp>
#include <chat/crypto/random.hpp>
#include <chat/federation/runtime/blocking_pool.hpp>

#include "auth/registration_tokens.hpp"
#include "services/services.hpp"

namespace chat::daemon {

namespace {

constexpr auto kSessionLifetime = std::chrono::minutes(30);
constexpr std::size_t kMaxSessions = 100000;

std::string_view stage_name(UiaSessions::Stage stage) {
    switch (stage) {
    case UiaSessions::Stage::dummy: return "m.login.dummy";
    case UiaSessions::Stage::password: return "m.login.password";
    case UiaSessions::Stage::registration_token: return "m.login.registration_token";
    }
    return "m.login.dummy";  // unreachable
}

// The user an m.login.password auth dict names: `identifier` (m.id.user) or
// the deprecated top-level `user`. A bare localpart is on this server.
std::optional<UserId> named_user(const nlohmann::json& auth, std::string_view server_name) {
    std::string text;
    if (auto id = auth.find("identifier"); id != auth.end() && id->is_object()) {
        auto type = id->find("type");
        auto user = id->find("user");
        if (type == id->end() || !type->is_string() || *type != "m.id.user") return std::nullopt;
        if (user == id->end() || !user->is_string()) return std::nullopt;
        text = user->get<std::string>();
    } else if (auto user = auth.find("user"); user != auth.end() && user->is_string()) {
        text = user->get<std::string>();
    } else {
        return std::nullopt;
    }
    if (!text.starts_with('@')) text = "@" + text + ":" + std::string(server_name);
    auto parsed = UserId::parse(text);
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
}

}  // namespace

std::string UiaSessions::open_session() {
    auto id = crypto::random_alphanumeric(24);
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (sessions_.size() >= kMaxSessions)
        std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires < now; });
    sessions_[id] = Session{{}, now + kSessionLifetime};
    return id;
}

bool UiaSessions::known_session(const std::string& session) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    return it != sessions_.end() && it->second.expires >= std::chrono::steady_clock::now();
}

void UiaSessions::complete(const std::string& session, Stage stage) {
    std::lock_guard lock(mutex_);
    if (auto it = sessions_.find(session); it != sessions_.end())
        it->second.completed.insert(std::string(stage_name(stage)));
}

Reply UiaSessions::challenge(Stage stage, const std::string& session,
                             std::optional<std::string_view> error) {
    nlohmann::json body = {
        {"flows", nlohmann::json::array({{{"stages", {stage_name(stage)}}}})},
        {"params", nlohmann::json::object()},
        {"session", session},
    };
    {
        std::lock_guard lock(mutex_);
        auto completed = nlohmann::json::array();
        if (auto it = sessions_.find(session); it != sessions_.end())
            for (const auto& done : it->second.completed) completed.push_back(done);
        if (!completed.empty()) body["completed"] = completed;
    }
    if (error) {
        body["errcode"] = "M_FORBIDDEN";
        body["error"] = std::string(*error);
    }
    return Reply::json(body, 401);
}

Task<Result<UiaSessions::Outcome>> UiaSessions::check(const Request& request,
                                                     const nlohmann::json& body, Stage stage,
                                                     const std::optional<UserId>& user) {
    auto auth = body.find("auth");
    if (auth == body.end() || auth->is_null())
        co_return Outcome{.passed = false, .reply = challenge(stage, open_session(), {})};
    if (!auth->is_object()) co_return make_error(Errc::bad_json, "'auth' must be an object");

    // A session we never issued (or that expired) starts over; no session at
    // all is accepted, as matrix-nio registers with a bare m.login.dummy.
    std::string session;
    if (auto s = auth->find("session"); s != auth->end() && s->is_string())
        session = s->get<std::string>();
    if (!session.empty() && !known_session(session))
        co_return Outcome{.passed = false, .reply = challenge(stage, open_session(), {})};
    if (session.empty()) session = open_session();

    auto type = auth->find("type");
    if (type == auth->end() || !type->is_string() || *type != stage_name(stage))
        co_return Outcome{.passed = false, .reply = challenge(stage, session, {})};

    if (stage == Stage::password) {
        const auto& services = request.services();
        auto named = named_user(*auth, services.server_name);
        auto password = auth->find("password");
        if (!named || !user || *named != *user || password == auth->end() ||
            !password->is_string())
            co_return Outcome{.passed = false,
                              .reply = challenge(stage, session, "Invalid username or password")};
        std::string given = password->get<std::string>();
        auto verified = co_await services.cpu->run(
            [&] { return services.accounts->verify_password(*user, given); });
        if (!verified) {
            if (verified.error().code != Errc::forbidden) co_return verified.error();
            co_return Outcome{.passed = false,
                              .reply = challenge(stage, session, "Invalid username or password")};
        }
    }
    std::optional<std::string> reserved_token;
    if (stage == Stage::registration_token) {
        // auth/registration_tokens.cpp: one use is reserved until the handler finishes.
        auto token = auth->find("token");
        std::string given = token != auth->end() && token->is_string() ? token->get<std::string>()
                                                                     : std::string();
        auto reserved = co_await reserve_registration_token(request.services(), given);
        if (!reserved) co_return reserved.error();
        if (!*reserved)
            co_return Outcome{.passed = false,
                              .reply = challenge(stage, session, "Invalid registration token")};
        reserved_token = std::move(given);
    }
    complete(session, stage);
    co_return Outcome{.passed = true, .reply = std::nullopt, .registration_token = reserved_token};
}

}  // namespace chat::daemon
