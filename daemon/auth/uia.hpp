#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

#include "http/reply.hpp"
#include "http/request.hpp"
#include "http/task.hpp"

namespace chat::daemon {

// User-interactive authentication (spec client-server.md "User-interactive
// authentication API"): the endpoint answers 401 with the flows it accepts
// and a session; the client retries with an `auth` dict completing a stage.
//
// The stages we offer: m.login.dummy (registration: nothing to prove),
// m.login.registration_token (registration when registration.enabled is
// `token`, spec v1.2) and m.login.password (sensitive account changes: the
// user's own password).
// Every flow here has one stage, so a session completes in one step; sessions
// are still kept (30 minutes) so that a client retrying with the session we
// gave it is recognised and `completed` reports truthfully.
//
// Thread-safe: sessions live in memory behind a mutex. A restart forgets
// them, which costs a client one more 401.
class UiaSessions {
public:
    enum class Stage { dummy, password, registration_token };

    // The outcome for the handler: proceed, or send `reply` (401 with flows,
    // or 401 M_FORBIDDEN after a wrong password) instead of acting.
    struct Outcome {
        bool passed = false;
        std::optional<Reply> reply;
        // The registration token whose use was reserved (Stage::registration_token):
        // the handler ends it with finish_registration_token() (auth/registration_tokens.hpp).
        std::optional<std::string> registration_token;
    };

    // Checks `body["auth"]` against the single-stage flow `stage`. For the
    // password stage, `user` is whose password must be given (the requester)
    // and the check runs argon2id on the CPU pool. Suspends. Errors:
    // Errc::bad_json for an `auth` that is not an object.
    Task<Result<Outcome>> check(const Request& request, const nlohmann::json& body, Stage stage,
                                const std::optional<UserId>& user);

private:
    struct Session {
        std::set<std::string> completed;
        std::chrono::steady_clock::time_point expires;
    };

    Reply challenge(Stage stage, const std::string& session, std::optional<std::string_view> error);
    std::string open_session();
    bool known_session(const std::string& session);
    void complete(const std::string& session, Stage stage);

    std::mutex mutex_;
    std::unordered_map<std::string, Session> sessions_;  // guarded by mutex_
};

}  // namespace chat::daemon
