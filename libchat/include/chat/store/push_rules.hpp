#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

// One user's changes to the server-default push rules: their own rules and
// their enabled/actions overrides, as one document (push::PushRules::changes()).
// The defaults themselves are never stored, so a newer server's defaults
// reach every user.
struct PushRulesRow {
    UserId user_id;
    nlohmann::json changes;        // an object; its shape belongs to chat::push
    Position stream_position = 0;  // Stream::push_rules, of the latest change
};

class PushRulesReader {
public:
    virtual ~PushRulesReader() = default;
    // None for a user who never changed their rules.
    virtual Result<std::optional<PushRulesRow>> get(const UserId& user_id) = 0;
};

class PushRules : public PushRulesReader {
public:
    // Inserts or replaces the user's row.
    virtual Result<void> put(const PushRulesRow& row) = 0;
};

}  // namespace chat::store
