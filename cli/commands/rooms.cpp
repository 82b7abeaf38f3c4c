#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include <unistd.h>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

std::string room_path(const std::string& room, std::string_view version = "v1") {
    return "/_synapse/admin/" + std::string(version) + "/rooms/" + escape(room);
}

struct ListOptions {
    std::optional<std::string> search;
    std::string order_by = "name";
    bool backwards = false;
    std::int64_t from = 0;
    std::int64_t limit = 100;
};

int list_rooms(Context& ctx, const ListOptions& o) {
    std::string path = "/_synapse/admin/v1/rooms?from=" + std::to_string(o.from) +
                       "&limit=" + std::to_string(o.limit) + "&order_by=" + escape(o.order_by) +
                       "&dir=" + (o.backwards ? "b" : "f");
    if (o.search) path += "&search_term=" + escape(*o.search);
    auto answer = ctx.request("GET", path);
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"ROOM", "NAME", "ALIAS", "MEMBERS", "LOCAL", "VERSION", "PUBLIC"}, {}};
    for (const auto& r : answer.body.value("rooms", nlohmann::json::array()))
        table.rows.push_back({cell(r.value("room_id", nlohmann::json())),
                              cell(r.value("name", nlohmann::json())),
                              cell(r.value("canonical_alias", nlohmann::json())),
                              cell(r.value("joined_members", nlohmann::json())),
                              cell(r.value("joined_local_members", nlohmann::json())),
                              cell(r.value("version", nlohmann::json())),
                              cell(r.value("public", nlohmann::json()))});
    table.print();
    std::cout << "total: " << cell(answer.body.value("total_rooms", nlohmann::json()));
    if (auto next = answer.body.find("next_batch"); next != answer.body.end())
        std::cout << " (more: --from " << cell(*next) << ")";
    std::cout << "\n";
    return kOk;
}

int show_room(Context& ctx, const std::string& room) {
    auto answer = ctx.request("GET", room_path(room));
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        print_fields(answer.body,
                     {"room_id", "name", "topic", "canonical_alias", "creator", "version",
                      "joined_members", "joined_local_members", "state_events", "join_rules",
                      "guest_access", "history_visibility", "encryption", "federatable",
                      "public", "room_type", "blocked"});
    return kOk;
}

int room_members(Context& ctx, const std::string& room) {
    auto answer = ctx.request("GET", room_path(room) + "/members");
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"MEMBER"}, {}};
    for (const auto& m : answer.body.value("members", nlohmann::json::array()))
        table.rows.push_back({cell(m)});
    table.print();
    std::cout << "total: " << cell(answer.body.value("total", nlohmann::json())) << "\n";
    return kOk;
}

int room_state(Context& ctx, const std::string& room) {
    auto answer = ctx.request("GET", room_path(room) + "/state");
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"TYPE", "STATE_KEY", "SENDER", "EVENT_ID"}, {}};
    for (const auto& e : answer.body.value("state", nlohmann::json::array()))
        table.rows.push_back({cell(e.value("type", nlohmann::json())),
                              cell(e.value("state_key", nlohmann::json())),
                              cell(e.value("sender", nlohmann::json())),
                              cell(e.value("event_id", nlohmann::json()))});
    table.print();
    return kOk;
}

struct DeleteOptions {
    std::string room;
    bool purge = false;
    bool block = false;
    std::optional<std::string> new_room_user;
    std::optional<std::string> message;
    bool no_wait = false;
    double timeout_seconds = 600;
};

// How often delete_status is asked while waiting.
constexpr auto kPollInterval = std::chrono::milliseconds(250);

int delete_room(Context& ctx, const DeleteOptions& o) {
    nlohmann::json body = {{"purge", o.purge}, {"block", o.block}};
    if (o.new_room_user) body["new_room_user_id"] = *o.new_room_user;
    if (o.message) body["message"] = *o.message;
    auto started = ctx.request("DELETE", room_path(o.room, "v2"), body);
    if (int code = ctx.check(started); code != kOk) return code;
    const auto delete_id = started.body.value("delete_id", std::string());
    if (o.no_wait || delete_id.empty()) {
        if (ctx.json())
            Context::print_json(started.body);
        else
            std::cout << "delete_id: " << delete_id << "\n";
        return kOk;
    }

    // The progress display goes to stderr, so stdout stays the result alone.
    const bool tty = isatty(STDERR_FILENO) != 0;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout_seconds * 1000));
    const char* spinner = "|/-\\";
    std::string shown;
    Answer status;
    for (int tick = 0;; ++tick) {
        status = ctx.request("GET", "/_synapse/admin/v2/rooms/delete_status/" + escape(delete_id));
        if (int code = ctx.check(status); code != kOk) return code;
        const auto state = status.body.value("status", std::string("unknown"));
        if (tty) {
            std::cerr << "\r" << spinner[tick % 4] << " deleting " << o.room << ": " << state
                      << "          " << std::flush;
        } else if (state != shown) {
            std::cerr << "deleting " << o.room << ": " << state << "\n";
        }
        shown = state;
        if (state == "complete" || state == "failed") break;
        if (std::chrono::steady_clock::now() > deadline) {
            if (tty) std::cerr << "\n";
            std::cerr << "chatctl: still " << state << " after " << o.timeout_seconds
                      << " s; follow it with delete_id " << delete_id << "\n";
            return kRefused;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    if (tty) std::cerr << "\n";
    if (ctx.json()) {
        nlohmann::json out = status.body;
        out["delete_id"] = delete_id;
        Context::print_json(out);
    } else {
        const auto& shutdown = status.body.value("shutdown_room", nlohmann::json::object());
        std::cout << "delete_id:     " << delete_id << "\n"
                  << "status:        " << status.body.value("status", std::string()) << "\n";
        if (auto error = status.body.find("error"); error != status.body.end())
            std::cout << "error:         " << cell(*error) << "\n";
        auto joined = [](const nlohmann::json& list) {
            std::string out;
            for (const auto& item : list) out += (out.empty() ? "" : ", ") + cell(item);
            return out.empty() ? std::string("-") : out;
        };
        std::cout << "left the room: "
                  << joined(shutdown.value("kicked_users", nlohmann::json::array())) << "\n"
                  << "failed:        "
                  << joined(shutdown.value("failed_to_kick_users", nlohmann::json::array())) << "\n"
                  << "aliases gone:  "
                  << joined(shutdown.value("local_aliases", nlohmann::json::array())) << "\n"
                  << "new room:      " << cell(shutdown.value("new_room_id", nlohmann::json()))
                  << "\n";
    }
    return status.body.value("status", std::string()) == "complete" ? kOk : kRefused;
}

template <typename F>
void room_command(CLI::App& parent, CommandLine& line, const char* name, const char* help, F fn) {
    auto room = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand(name, help);
    cmd->add_option("room", *room, "Room ID, e.g. !abc:example.org")->required();
    cmd->callback([&line, room, fn] {
        line.action = [room, fn](Context& ctx) { return fn(ctx, *room); };
    });
}

}  // namespace

void add_room_commands(CLI::App& app, CommandLine& line) {
    auto* rooms = app.add_subcommand("room", "Rooms this server knows");
    rooms->require_subcommand(1);

    auto list = std::make_shared<ListOptions>();
    auto* cmd = rooms->add_subcommand("list", "List rooms");
    cmd->add_option("--search", list->search, "Only names, aliases or IDs containing this");
    cmd->add_option("--order-by", list->order_by,
                    "name, joined_members, joined_local_members, state_events, canonical_alias, "
                    "version, creator, encryption, federatable, public, join_rules, "
                    "guest_access, history_visibility");
    cmd->add_flag("--backwards", list->backwards, "Reverse the order");
    cmd->add_option("--from", list->from, "Skip this many")->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit", list->limit, "At most this many (default 100)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&line, list] {
        line.action = [list](Context& ctx) { return list_rooms(ctx, *list); };
    });

    room_command(*rooms, line, "show", "Details of one room", show_room);
    room_command(*rooms, line, "members", "Joined members of a room", room_members);
    room_command(*rooms, line, "state", "Current state events of a room", room_state);

    auto del = std::make_shared<DeleteOptions>();
    cmd = rooms->add_subcommand(
        "delete", "Make local members leave a room, optionally purge and block it");
    cmd->add_option("room", del->room, "Room ID")->required();
    cmd->add_flag("--purge", del->purge, "Remove its events and state from the database");
    cmd->add_flag("--block", del->block, "Refuse joins to it from now on");
    cmd->add_option("--new-room-user", del->new_room_user,
                    "A local user who creates a new room for the members moved out");
    cmd->add_option("--message", del->message, "Why, shown to the members");
    cmd->add_flag("--no-wait", del->no_wait, "Print the delete_id and return at once");
    cmd->add_option("--timeout", del->timeout_seconds, "Seconds to wait (default 600)")
        ->check(CLI::PositiveNumber);
    cmd->callback([&line, del] {
        line.action = [del](Context& ctx) { return delete_room(ctx, *del); };
    });
}

}  // namespace chat::cli
