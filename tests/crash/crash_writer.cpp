// crash_writer: sends events into one room from several threads until it is
// killed, and reports each one on stdout once RoomService has returned it
// (that is, once its transaction is committed): one JSON object per line,
//   {"event_id": "$...", "stream_position": 42, "type": "...", "state_key": "..."}
// ("state_key" only for state events), preceded by {"room_id": "!..."}.
// crash_tests kills it with SIGKILL and checks that every reported event is
// in the store it leaves.
//
//   crash_writer <database file> <threads> [<room id>]
//
// Without a room id it creates a public room first (its events are reported
// too). The store uses its defaults (WAL, synchronous=FULL, group commit).
// Exits 1 on any error, with the reason on stderr; otherwise never exits.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <chat/core/clock.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

#include "crash_room.hpp"

namespace {

using namespace chat;
using nlohmann::json;
namespace crash = chat::test::crash;

[[noreturn]] void fail(std::string_view what, const Error& e) {
    std::fprintf(stderr, "crash_writer: %.*s: %s (%s)\n", static_cast<int>(what.size()),
                 what.data(), e.message.c_str(), e.detail.c_str());
    // Other threads are still sending: leave without running destructors.
    std::_Exit(1);
}

// One write(2) per line: a pipe takes up to PIPE_BUF bytes atomically, so
// lines from several threads never interleave, and nothing waits in a buffer
// of ours when the process is killed.
void emit(const json& line) {
    const std::string text = line.dump() + "\n";
    std::string_view rest = text;
    while (!rest.empty()) {
        const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) std::_Exit(2);  // the reader is gone
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

void acknowledge(const rooms::SentEvent& sent) {
    const Pdu& pdu = *sent.event;
    json line = {{"event_id", std::string(pdu.event_id().str())},
                 {"stream_position", sent.stream_position},
                 {"type", pdu.type()}};
    if (pdu.state_key()) line["state_key"] = *pdu.state_key();
    emit(line);
}

RoomId create_room(rooms::RoomService& service) {
    auto created = service.create_room(
        {.creator = crash::creator(), .preset = rooms::Preset::public_chat});
    if (!created) fail("create_room", created.error());
    // The room id goes first, so the reader knows which room to check.
    emit({{"room_id", std::string(created->room_id.str())}});
    for (const auto& sent : created->events) acknowledge(sent);
    for (int i = 0; i < crash::kMembers; ++i) {
        auto joined = service.join(crash::member(i), created->room_id);
        if (!joined) fail("join", joined.error());
        acknowledge(*joined);
    }
    return created->room_id;
}

bool is_joined(store::Store& store, const UserId& user, const RoomId& room_id) {
    auto row = store.read("membership", [&](store::ReadTxn& txn) {
        return txn.members().get(user, room_id);
    });
    if (!row) fail("read membership", row.error());
    return *row && (*row)->membership == "join";
}

// Thread `t` forever: mostly messages, a state event every fourth turn (a few
// keys shared by all threads, so they overwrite each other), a topic now and
// then, and in thread 0 a membership change every tenth turn.
void send_forever(rooms::RoomService& service, const RoomId& room_id, int t, bool joined) {
    for (long i = 0;; ++i) {
        Result<rooms::SentEvent> sent = make_error(Errc::internal, "nothing sent");
        if (t == 0 && i % 10 == 5) {
            sent = joined ? service.leave(crash::toggler(), room_id)
                          : service.join(crash::toggler(), room_id);
            joined = !joined;
        } else if (i % 4 == 0) {
            sent = service.send_state(crash::creator(), room_id, crash::kStateType,
                                      "k" + std::to_string((t * 7 + i) % crash::kStateKeys),
                                      {{"writer", t}, {"turn", i}});
        } else if (i % 25 == 1) {
            sent = service.send_state(crash::creator(), room_id, "m.room.topic", "",
                                      {{"topic", "writer " + std::to_string(t) + " turn " +
                                                     std::to_string(i)}});
        } else {
            sent = service.send_message(
                crash::member(static_cast<int>((t + i) % crash::kMembers)), room_id,
                "m.room.message",
                {{"msgtype", "m.text"},
                 {"body", "writer " + std::to_string(t) + " message " + std::to_string(i)}});
        }
        if (!sent) fail("send", sent.error());
        acknowledge(*sent);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: crash_writer <database file> <threads> [<room id>]\n");
        return 2;
    }
    const int threads = std::atoi(argv[2]);
    if (threads < 1) {
        std::fprintf(stderr, "crash_writer: threads must be at least 1\n");
        return 2;
    }
    auto store = store::open_sqlite(argv[1]);
    if (!store) fail("open", store.error());
    sync::InProcessNotifier notifier;
    SystemClock clock;
    rooms::RoomService service(**store, crash::server_name(), crash::signing_key(), notifier,
                               clock);

    std::optional<RoomId> room_id;
    if (argc == 4) {
        auto parsed = RoomId::parse(argv[3]);
        if (!parsed) fail("room id", parsed.error());
        room_id = std::move(*parsed);
        emit({{"room_id", std::string(room_id->str())}});
    } else {
        room_id = create_room(service);
    }
    const bool toggler_joined = is_joined(**store, crash::toggler(), *room_id);

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back(send_forever, std::ref(service), std::cref(*room_id), t,
                             t == 0 && toggler_joined);
    for (auto& w : workers) w.join();  // never: the threads send until killed
    return 0;
}
