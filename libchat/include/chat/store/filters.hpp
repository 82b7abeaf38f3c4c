#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// Sync filters uploaded with POST /user/{userId}/filter.
class FiltersReader {
public:
    virtual ~FiltersReader() = default;
    virtual Result<std::optional<nlohmann::json>> get(const UserId& user_id,
                                                      std::int64_t filter_id) = 0;
};

class Filters : public FiltersReader {
public:
    // Stores the filter and returns its id, unique per user (0, 1, ...). The
    // same JSON uploaded again gets its earlier id.
    virtual Result<std::int64_t> add(const UserId& user_id, const nlohmann::json& filter) = 0;
};

}  // namespace chat::store
