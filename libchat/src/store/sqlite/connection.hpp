#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include <chat/core/result.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace chat::store::detail {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
}  // namespace chat::store::detail

namespace chat::store::sqlite {

// A BLOB parameter; strings and ids bind as TEXT.
struct Blob {
    std::string_view bytes;
};

class Connection;

// One use of a prepared statement: bound parameters, steps, the current
// row's columns. Resets the statement (and clears its bindings) when
// destroyed. Parameters are bound by value (SQLITE_TRANSIENT), so
// temporaries are safe; Connection::run alone, whose query ends before its
// arguments do, lends them to SQLite without a copy.
class Query {
public:
    Query(Query&& other) noexcept;
    Query& operator=(Query&&) = delete;
    // One owner resets the statement.
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query();

    // Binds parameter `index` (1-based): integers and bool as INTEGER,
    // strings and ids (anything with str()) as TEXT, Blob as BLOB, an empty
    // optional or std::nullopt as NULL.
    template <typename T>
    void bind(int index, const T& value);

    // One step: true when a row is ready, false when the statement is done.
    Result<bool> step();
    // Steps to the end, ignoring any rows.
    Result<void> run();
    // Rows changed by this statement once run.
    std::int64_t changes() const;

    // Columns of the current row (0-based). Views are valid until the next step.
    bool is_null(int col) const;
    std::int64_t int64(int col) const;
    bool boolean(int col) const { return int64(col) != 0; }
    std::optional<std::int64_t> opt_int64(int col) const;
    double real(int col) const;
    std::string_view text(int col) const;
    std::optional<std::string> opt_text(int col) const;
    std::string_view blob(int col) const;
    // An identifier column (UserId, RoomId, EventId, ServerName). Ids were
    // valid when stored; one that no longer parses is Errc::storage.
    template <typename Id>
    Result<Id> id(int col) const;
    template <typename Id>
    Result<std::optional<Id>> opt_id(int col) const;
    // A JSON text column. Errors: Errc::storage when it does not parse.
    Result<nlohmann::json> json(int col) const;

    // Errc::storage for a stored value that cannot be read back.
    Error corrupt(int col, std::string_view why) const;

private:
    friend class Connection;
    Query(Connection& conn, sqlite3_stmt* stmt, bool* in_use) noexcept
        : conn_(&conn), stmt_(stmt), in_use_(in_use) {}

    void bind_int64(int index, std::int64_t value);
    // `lent`: the bytes outlive the query (bound without a copy).
    void bind_text(int index, std::string_view value, bool lent);
    void bind_blob(int index, std::string_view value, bool lent);
    void bind_null(int index);
    void note_bind(int rc) {
        if (bind_rc_ == 0) bind_rc_ = rc;
    }

    Connection* conn_;
    sqlite3_stmt* stmt_;
    bool* in_use_;  // the cache slot's flag; null for a statement owned by this query
    int bind_rc_ = 0;
    bool borrow_ = false;  // set by Connection::run: arguments outlive the query
};

struct ConnectionSettings {
    bool read_only = false;
    bool wal = true;                      // false for ":memory:"
    std::string_view synchronous = "FULL";  // a PRAGMA synchronous keyword
    std::chrono::milliseconds busy_timeout{10000};
    std::int64_t cache_kib = 16384;
};

// One SQLite connection and its statement cache. Used by one thread at a time
// (the store serialises access); opened in multi-thread mode (no SQLite mutex).
class Connection {
public:
    // Errors: Errc::storage, with the file and SQLite's reason in the message.
    static Result<std::unique_ptr<Connection>> open(const std::string& path,
                                                    const ConnectionSettings& settings);

    // Owns the handle and its statements.
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Runs SQL text without parameters (migrations, pragmas): several
    // statements are allowed. Never pass values in it.
    Result<void> exec(std::string_view what, const std::string& sql);

    // The statement for `sql`, prepared once per connection and cached (the
    // cache keys on the text, which must have static storage duration), with
    // `args` bound to ?1, ?2, ... If the cached statement is in use by a live
    // Query (a nested use), a fresh statement is prepared for this one.
    template <typename... Args>
    Result<Query> query(std::string_view sql, const Args&... args);

    // A statement that returns no rows, run at once; returns rows changed.
    template <typename... Args>
    Result<std::int64_t> run(std::string_view sql, const Args&... args);

    // Errc::storage carrying SQLite's last error for this connection.
    Error error(std::string_view what) const;
    Error error(std::string_view what, int rc) const;

    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }

private:
    struct Cached {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };

    Connection(sqlite3* db, std::string path) noexcept : db_(db), path_(std::move(path)) {}
    Result<Query> prepare(std::string_view sql);
    // prepare() and bind `args`; `borrow`: bind them without copies.
    template <typename... Args>
    Result<Query> bound(std::string_view sql, bool borrow, const Args&... args);

    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string_view, Cached> cache_;
};

template <typename T>
void Query::bind(int index, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        bind_int64(index, value ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
        bind_int64(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_same_v<T, Blob>) {
        bind_blob(index, value.bytes, borrow_);
    } else if constexpr (std::is_same_v<T, std::nullopt_t>) {
        bind_null(index);
    } else if constexpr (detail::IsOptional<T>::value) {
        if (value)
            bind(index, *value);
        else
            bind_null(index);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        // A view of `value` itself (a string, a view, a literal) may be lent.
        bind_text(index, std::string_view(value), borrow_);
    } else {
        // str() of our ids is a view of the id; one that made a new string
        // would not outlive this call.
        constexpr bool is_view = std::is_same_v<decltype(value.str()), std::string_view>;
        bind_text(index, value.str(), borrow_ && is_view);
    }
}

template <typename Id>
Result<Id> Query::id(int col) const {
    if (is_null(col)) return corrupt(col, "NULL identifier");
    auto parsed = Id::parse(text(col));
    if (!parsed) return corrupt(col, parsed.error().message);
    return parsed;
}

template <typename Id>
Result<std::optional<Id>> Query::opt_id(int col) const {
    if (is_null(col)) return std::optional<Id>();
    auto parsed = id<Id>(col);
    if (!parsed) return parsed.error();
    return std::optional<Id>(std::move(*parsed));
}

template <typename... Args>
Result<Query> Connection::bound(std::string_view sql, bool borrow, const Args&... args) {
    auto q = prepare(sql);
    if (!q) return q;
    q->borrow_ = borrow;
    [[maybe_unused]] int index = 0;
    (q->bind(++index, args), ...);
    return q;
}

template <typename... Args>
Result<Query> Connection::query(std::string_view sql, const Args&... args) {
    return bound(sql, false, args...);
}

template <typename... Args>
Result<std::int64_t> Connection::run(std::string_view sql, const Args&... args) {
    // The query is reset and its bindings cleared before run() returns,
    // while the arguments (the caller's) still live: no copies.
    auto q = bound(sql, true, args...);
    if (!q) return q.error();
    if (auto done = q->run(); !done) return done.error();
    return q->changes();
}

}  // namespace chat::store::sqlite
