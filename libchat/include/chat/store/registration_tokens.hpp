#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <chat/core/result.hpp>

namespace chat::store {

// A registration token (Synapse admin API "registration tokens"): who holds
// it may register while registration.enabled is `token`.
struct RegistrationTokenRow {
    std::string token;
    std::optional<std::int64_t> uses_allowed;  // none: unlimited
    std::int64_t pending = 0;    // registrations that passed the stage and are not done yet
    std::int64_t completed = 0;  // registrations done with it
    std::optional<std::int64_t> expiry_time;  // ms since the epoch; none: never

    // Whether one more registration may use it at `now_ms`.
    bool valid_at(std::int64_t now_ms) const {
        return (!uses_allowed || pending + completed < *uses_allowed) &&
               (!expiry_time || *expiry_time > now_ms);
    }
};

class RegistrationTokensReader {
public:
    virtual ~RegistrationTokensReader() = default;
    virtual Result<std::optional<RegistrationTokenRow>> get(std::string_view token) = 0;
    // Ordered by token.
    virtual Result<std::vector<RegistrationTokenRow>> list() = 0;
};

class RegistrationTokens : public RegistrationTokensReader {
public:
    // Errors: Errc::invalid_param ("Token already exists") when it is taken.
    virtual Result<void> create(const RegistrationTokenRow& row) = 0;
    // Sets uses_allowed and expiry_time (pending and completed are kept).
    // Errors: Errc::not_found.
    virtual Result<void> update(const RegistrationTokenRow& row) = 0;
    // False when there was no such token.
    virtual Result<bool> remove(std::string_view token) = 0;
    // Counts one pending use if the token is valid at `now_ms`; false when it
    // is unknown, used up or expired. Checked and counted in one statement.
    virtual Result<bool> reserve(std::string_view token, std::int64_t now_ms) = 0;
    // Ends a reserved use: counted as completed when `registered`, otherwise
    // given back. A token deleted meanwhile is ignored.
    virtual Result<void> finish(std::string_view token, bool registered) = 0;
};

}  // namespace chat::store
