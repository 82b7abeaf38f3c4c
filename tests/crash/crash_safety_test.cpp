// Crash safety of the SQLite store (issue 3, point 8): crash_writer sends
// events from several threads (so that group commit batches them) and reports
// each one once RoomService has returned it; we SIGKILL it mid-stream, reopen
// the store and check that every reported event is there, intact, and that
// the room's stream positions, forward extremities, state and memberships
// agree with the events. Three rounds on the same room: each writer starts
// from the store its killed predecessor left.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/events/event_hashes.hpp>
#include <chat/json/parse.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "crash_room.hpp"

extern char** environ;

namespace chat::test::crash {
namespace {

using SteadyClock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kWriterThreads = 6;
constexpr int kRounds = 3;
// Acknowledgements to wait for before the kill; each round waits for a
// different number, so the kill lands at a different point of a batch.
constexpr std::size_t kMinAcks = 300;
constexpr std::size_t kAcksStep = 137;
constexpr auto kAckDeadline = std::chrono::seconds(120);
constexpr std::size_t kAllEvents = 1'000'000;

// An event crash_writer reported as sent.
struct Ack {
    EventId event_id;
    store::Position stream_position = 0;
    std::string type;
    std::optional<std::string> state_key;
};

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "chat-crash-XXXXXX");
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// One run of crash_writer, its stdout on a pipe we read, its stderr in a file.
class Writer {
public:
    Writer(const std::filesystem::path& db, const std::filesystem::path& err_file,
           const std::optional<RoomId>& room_id)
        : err_file_(err_file) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        read_fd_ = fds[0];
        std::vector<std::string> args{CRASH_WRITER_BINARY, db.string(),
                                      std::to_string(kWriterThreads)};
        if (room_id) args.emplace_back(room_id->str());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        // Only the child writes: our end must close, or we never see EOF.
        ::close(fds[1]);
        if (rc != 0) {
            ::close(read_fd_);
            throw std::runtime_error("posix_spawn failed");
        }
    }
    ~Writer() {
        if (pid_ > 0) kill_and_wait();
        ::close(read_fd_);
    }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Reads lines until there are `count` of them, the pipe closes (the writer
    // died) or `deadline` passes. Returns whether `count` was reached.
    bool read_lines(std::size_t count, SteadyClock::time_point deadline) {
        while (lines_.size() < count) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - SteadyClock::now());
            if (left.count() <= 0) return false;
            pollfd p{.fd = read_fd_, .events = POLLIN, .revents = 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return false;
            if (!read_some()) return false;
        }
        return true;
    }

    // SIGKILL, then waits for it. Returns the wait status.
    int kill_and_wait() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

    // After the writer is dead: everything it wrote before dying.
    void read_to_end() {
        while (read_some()) {
        }
    }

    // Complete lines only: a line cut short by the kill was never acknowledged
    // (crash_writer writes each with one write(2), so there are none).
    const std::vector<std::string>& lines() const { return lines_; }
    std::string stderr_text() const { return read_file(err_file_); }

private:
    // One read(2): false at EOF or on an error.
    bool read_some() {
        char chunk[65536];
        ssize_t n = 0;
        do {
            n = ::read(read_fd_, chunk, sizeof chunk);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) return false;
        pending_.append(chunk, static_cast<std::size_t>(n));
        for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
            lines_.push_back(pending_.substr(0, end));
            pending_.erase(0, end + 1);
        }
        return true;
    }

    std::filesystem::path err_file_;
    pid_t pid_ = -1;
    int read_fd_ = -1;
    std::string pending_;
    std::vector<std::string> lines_;
};

// Parses crash_writer's lines: the room id first, then acknowledgements.
void parse_lines(const std::vector<std::string>& lines, std::optional<RoomId>& room_id,
                 std::vector<Ack>& acks) {
    ASSERT_FALSE(lines.empty());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto line = chat::json::parse(lines[i]);
        ASSERT_TRUE(line && line->is_object()) << lines[i];
        if (i == 0) {
            ASSERT_TRUE(line->contains("room_id")) << lines[i];
            auto id = RoomId::parse((*line)["room_id"].get<std::string>());
            ASSERT_TRUE(id) << lines[i];
            if (room_id) {
                ASSERT_EQ(*room_id, *id);
            }
            room_id = std::move(*id);
            continue;
        }
        auto event_id = EventId::parse((*line)["event_id"].get<std::string>());
        ASSERT_TRUE(event_id) << lines[i];
        Ack ack{.event_id = std::move(*event_id),
                .stream_position = (*line)["stream_position"].get<store::Position>(),
                .type = (*line)["type"].get<std::string>(),
                .state_key = std::nullopt};
        if (auto it = line->find("state_key"); it != line->end())
            ack.state_key = it->get<std::string>();
        acks.push_back(std::move(ack));
    }
}

// Everything the store holds for the room, read in one snapshot.
struct Snapshot {
    std::vector<store::StoredEvent> events;  // by stream position
    store::Position events_stream = 0;
    std::vector<EventId> extremities;
    StateMap current_state;
    std::optional<StateMap> state_after_last;  // from the last event's state group
    std::map<UserId, store::MembershipRow> memberships;
};

Result<Snapshot> read_snapshot(store::Store& store, const RoomId& room_id) {
    return store.read("crash_check", [&](store::ReadTxn& txn) -> Result<Snapshot> {
        Snapshot s;
        auto events = txn.events().room_events({.room_id = room_id,
                                                .direction = store::Direction::forward,
                                                .limit = kAllEvents,
                                                .timeline_only = false});
        if (!events) return events.error();
        s.events = std::move(*events);
        auto position = txn.current_position(store::Stream::events);
        if (!position) return position.error();
        s.events_stream = *position;
        auto extremities = txn.extremities().get(room_id);
        if (!extremities) return extremities.error();
        s.extremities = std::move(*extremities);
        auto state = txn.current_state().get(room_id);
        if (!state) return state.error();
        s.current_state = std::move(*state);
        if (!s.events.empty() && s.events.back().state_group_after) {
            auto after = txn.state().state_at(*s.events.back().state_group_after);
            if (!after) return after.error();
            s.state_after_last = std::move(*after);
        }
        for (const auto& [key, event_id] : s.current_state) {
            if (key.type != "m.room.member") continue;
            auto user = UserId::parse(key.state_key);
            if (!user) continue;
            auto row = txn.members().get(*user, room_id);
            if (!row) return row.error();
            if (*row) s.memberships.emplace(*user, std::move(**row));
        }
        return s;
    });
}

// Every stored event of the room parses, has the id its hash gives, an
// intact content hash and our server's valid signature.
void expect_events_intact(const Snapshot& s) {
    const auto verify_key = signing_key().verify_key();
    for (const auto& e : s.events) {
        const RoomVersion* version = RoomVersion::find(e.room_version);
        ASSERT_NE(version, nullptr) << e.room_version;
        auto pdu = e.to_pdu();
        ASSERT_TRUE(pdu) << e.event_id.str() << ": " << pdu.error().detail;
        EXPECT_EQ((*pdu)->event_id(), e.event_id);
        auto id = compute_event_id(e.json, *version);
        ASSERT_TRUE(id) << e.event_id.str();
        EXPECT_EQ(*id, e.event_id.str());
        EXPECT_TRUE(check_content_hash(e.json, *version)) << e.event_id.str();
        auto signed_ok = verify_event_signature(e.json, kServerName, verify_key, *version);
        EXPECT_TRUE(signed_ok) << e.event_id.str() << ": " << signed_ok.error().message;
    }
}

// Positions are unique and increasing, the stream is at least at the newest.
void expect_positions_consistent(const Snapshot& s) {
    std::set<store::Position> seen;
    for (const auto& e : s.events) {
        EXPECT_TRUE(seen.insert(e.stream_ordering).second)
            << "duplicate position " << e.stream_ordering;
        EXPECT_LE(e.stream_ordering, s.events_stream) << e.event_id.str();
    }
    for (std::size_t i = 1; i < s.events.size(); ++i)
        EXPECT_LT(s.events[i - 1].stream_ordering, s.events[i].stream_ordering);
}

// The extremities are exactly the stored events no stored event cites.
void expect_extremities_consistent(const Snapshot& s) {
    std::set<EventId> stored, cited;
    for (const auto& e : s.events) {
        stored.insert(e.event_id);
        auto pdu = e.to_pdu();
        ASSERT_TRUE(pdu);
        for (const auto& prev : (*pdu)->prev_events()) cited.insert(prev);
    }
    std::set<EventId> childless;
    for (const auto& id : stored)
        if (!cited.contains(id)) childless.insert(id);
    ASSERT_FALSE(s.extremities.empty());
    for (const auto& id : s.extremities) {
        EXPECT_TRUE(stored.contains(id)) << "extremity not stored: " << id.str();
        EXPECT_FALSE(cited.contains(id)) << "extremity has a child: " << id.str();
    }
    EXPECT_EQ(std::set<EventId>(s.extremities.begin(), s.extremities.end()), childless);
    // Every prev_event cited is stored: nothing in the middle was lost.
    for (const auto& id : cited) EXPECT_TRUE(stored.contains(id)) << "missing " << id.str();
}

// Our events form one chain (each send cites every extremity), so the current
// state is the newest state event at each key, which is also the state after
// the newest event; the membership table follows the member events.
void expect_state_consistent(const Snapshot& s) {
    StateMap replayed;
    std::map<EventId, const store::StoredEvent*> by_id;
    for (const auto& e : s.events) {
        by_id.emplace(e.event_id, &e);
        if (e.state_key) replayed.insert_or_assign(StateKey{e.type, *e.state_key}, e.event_id);
    }
    EXPECT_EQ(s.current_state, replayed);
    ASSERT_TRUE(s.state_after_last);
    EXPECT_EQ(*s.state_after_last, replayed);
    for (const auto& [key, event_id] : s.current_state) {
        if (key.type != "m.room.member") continue;
        auto user = UserId::parse(key.state_key);
        ASSERT_TRUE(user);
        auto row = s.memberships.find(*user);
        ASSERT_NE(row, s.memberships.end()) << "no membership row for " << key.state_key;
        EXPECT_EQ(row->second.event_id, event_id) << key.state_key;
        const auto* event = by_id.at(event_id);
        EXPECT_EQ(row->second.membership, event->json["content"]["membership"].get<std::string>())
            << key.state_key;
    }
}

// The store after the kill: every acknowledged event, intact and consistent,
// and a room RoomService can keep sending into.
void check_store(const std::filesystem::path& db, const RoomId& room_id,
                 const std::vector<Ack>& acks) {
    auto store = store::open_sqlite(db.string());
    ASSERT_TRUE(store) << store.error().message;
    auto snapshot = read_snapshot(**store, room_id);
    ASSERT_TRUE(snapshot) << snapshot.error().message << " " << snapshot.error().detail;
    const Snapshot& s = *snapshot;

    std::map<EventId, const store::StoredEvent*> by_id;
    for (const auto& e : s.events) by_id.emplace(e.event_id, &e);
    std::size_t missing = 0;
    for (const auto& ack : acks) {
        auto it = by_id.find(ack.event_id);
        if (it == by_id.end()) {
            ++missing;
            ADD_FAILURE() << "acknowledged event lost: " << ack.event_id.str();
            continue;
        }
        const store::StoredEvent& e = *it->second;
        EXPECT_EQ(e.stream_ordering, ack.stream_position) << ack.event_id.str();
        EXPECT_EQ(e.type, ack.type) << ack.event_id.str();
        EXPECT_EQ(e.state_key, ack.state_key) << ack.event_id.str();
        EXPECT_FALSE(e.rejected_reason || e.soft_failed || e.outlier) << ack.event_id.str();
        EXPECT_GE(s.events_stream, ack.stream_position);
    }
    EXPECT_EQ(missing, 0u) << "of " << acks.size() << " acknowledged";

    expect_events_intact(s);
    expect_positions_consistent(s);
    expect_extremities_consistent(s);
    expect_state_consistent(s);

    // The room goes on: a new message lands after everything acknowledged.
    sync::InProcessNotifier notifier;
    SystemClock clock;
    rooms::RoomService service(**store, server_name(), signing_key(), notifier, clock);
    auto sent = service.send_message(creator(), room_id, "m.room.message",
                                     {{"msgtype", "m.text"}, {"body", "after the crash"}});
    ASSERT_TRUE(sent) << sent.error().message << " " << sent.error().detail;
    EXPECT_GT(sent->stream_position, s.events_stream);
    const auto& prevs = sent->event->prev_events();
    EXPECT_EQ(std::set<EventId>(prevs.begin(), prevs.end()),
              std::set<EventId>(s.extremities.begin(), s.extremities.end()));
}

TEST(CrashSafety, EveryAcknowledgedEventSurvivesSigkill) {
    TempDir dir;
    const auto db = dir.path() / "chat.db";
    std::optional<RoomId> room_id;
    std::vector<Ack> acks;  // of every round so far
    for (int round = 0; round < kRounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const auto err_file = dir.path() / ("writer" + std::to_string(round) + ".err");
        Writer writer(db, err_file, room_id);
        // +1: the room id line.
        const std::size_t wanted = kMinAcks + kAcksStep * static_cast<std::size_t>(round) + 1;
        const bool enough = writer.read_lines(wanted, SteadyClock::now() + kAckDeadline);
        const int status = writer.kill_and_wait();
        writer.read_to_end();
        ASSERT_TRUE(enough) << "only " << writer.lines().size() << " lines; stderr:\n"
                            << writer.stderr_text();
        // Killed while still writing, not stopped by an error of its own.
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            << "status " << status << "; stderr:\n" << writer.stderr_text();

        const std::size_t before = acks.size();
        parse_lines(writer.lines(), room_id, acks);
        if (HasFatalFailure()) return;
        ASSERT_GE(acks.size() - before, wanted - 1);
        check_store(db, *room_id, acks);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace chat::test::crash
