// Embeds libchat with no daemon: opens a store, creates a room, two users
// exchange messages and read receipts, and the timeline is printed back from
// the store.
//
//   two_users_chat [DATABASE]     (default: ./two_users_chat.db, created fresh)

#include <filesystem>
#include <iostream>

#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

namespace {

int fail(const chat::Error& e) {
    std::cerr << "error: " << e.message << (e.detail.empty() ? "" : " (" + e.detail + ")") << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "two_users_chat.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

    auto store = chat::store::open_sqlite(path);
    if (!store) return fail(store.error());
    chat::sync::InProcessNotifier notifier;
    chat::SystemClock clock;
    chat::rooms::RoomService rooms(**store, chat::ServerName::parse("example.org").value(),
                                   chat::crypto::SigningKey::generate("ex"), notifier, clock);

    const auto alice = chat::UserId::parse("@alice:example.org").value();
    const auto bob = chat::UserId::parse("@bob:example.org").value();

    auto room = rooms.create_room({.creator = alice,
                                   .preset = chat::rooms::Preset::private_chat,
                                   .name = "Lunch",
                                   .invite = {bob}});
    if (!room) return fail(room.error());
    if (auto joined = rooms.join(bob, room->room_id); !joined) return fail(joined.error());

    auto hello = rooms.send_message(alice, room->room_id, "m.room.message",
                                    {{"msgtype", "m.text"}, {"body", "Lunch at noon?"}});
    if (!hello) return fail(hello.error());
    auto reply = rooms.send_message(bob, room->room_id, "m.room.message",
                                    {{"msgtype", "m.text"}, {"body", "Yes, see you there."}});
    if (!reply) return fail(reply.error());

    // Each reads the other's message.
    if (auto r = rooms.set_receipt(bob, room->room_id, "m.read", hello->event->event_id()); !r)
        return fail(r.error());
    if (auto r = rooms.set_receipt(alice, room->room_id, "m.read", reply->event->event_id()); !r)
        return fail(r.error());

    auto timeline = (*store)->read("timeline", [&](chat::store::ReadTxn& txn) {
        return txn.events().room_events({.room_id = room->room_id, .limit = 100});
    });
    if (!timeline) return fail(timeline.error());
    std::cout << "room " << room->room_id.str() << " (version "
              << room->events.front().event->version().id << ")\n";
    for (const auto& e : *timeline) {
        std::cout << "  [" << e.stream_ordering << "] " << e.sender.str() << " " << e.type;
        if (e.type == "m.room.message") std::cout << ": " << e.json["content"]["body"].get<std::string>();
        if (e.type == "m.room.member") std::cout << " -> " << e.json["content"]["membership"].get<std::string>();
        std::cout << '\n';
    }
    auto receipts = (*store)->read("receipts", [&](chat::store::ReadTxn& txn) {
        return txn.receipts().for_room(room->room_id);
    });
    if (!receipts) return fail(receipts.error());
    for (const auto& r : *receipts)
        std::cout << "  receipt " << r.type << ": " << r.user_id.str() << " read up to "
                  << r.event_id.str() << '\n';
    std::cout << "messages: 2, receipts: " << receipts->size() << '\n';
    return receipts->size() == 2 ? 0 : 1;
}
