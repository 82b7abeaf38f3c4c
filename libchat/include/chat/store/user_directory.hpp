#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <chat/core/result.hpp>
#include <chat/core/user_id.hpp>

namespace chat::store {

// The user directory (spec client-server.md section 13.2, POST
// /user_directory/search): every user this server knows a profile for,
// searchable by user id and display name.
//
// The store keeps it up to date by itself: local accounts from the users
// area (created, renamed, new avatar), remote users from their join events
// in rooms we share (a user with a local account keeps the account's
// profile). Deactivated accounts are never returned.

// A search looks at no more than this many matching users, best first, before
// checking which of them the requester may see: a common word costs a
// bounded amount of work, and the answer says `limited`.
inline constexpr std::size_t kMaxDirectoryCandidates = 500;
// The most results one search returns, whatever the client asks.
inline constexpr std::size_t kMaxDirectoryLimit = 100;
// Display names are indexed up to this many bytes (a member event may carry
// a name of any length).
inline constexpr std::size_t kMaxDirectoryNameBytes = 256;

struct DirectoryUser {
    UserId user_id;
    std::optional<std::string> display_name;
    std::optional<std::string> avatar_url;
};

// Searches on behalf of `requester`. Only users the requester may discover
// are returned (Synapse's default, search_all_users: false): users joined to
// a room the requester is joined to, and users joined to a room whose join
// rule is public or whose history is world_readable.
struct UserDirectoryQuery {
    UserId requester;
    std::vector<std::string> terms;  // from search_terms(); each a word prefix, all must match
    std::size_t limit = 10;          // at most kMaxDirectoryLimit
};

struct UserDirectoryResults {
    // By match quality, then users with a display name and avatar first.
    std::vector<DirectoryUser> results;
    // More users may match than were returned (the limit or
    // kMaxDirectoryCandidates cut the search short).
    bool limited = false;
};

class UserDirectoryReader {
public:
    virtual ~UserDirectoryReader() = default;
    // Blocks: one index query, then a few indexed lookups per candidate.
    // Errors: Errc::storage.
    virtual Result<UserDirectoryResults> search(const UserDirectoryQuery& query) = 0;
};

}  // namespace chat::store
