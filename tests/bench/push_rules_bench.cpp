// Push rule evaluation per event in a room of 1,000 joined members (issue 7
// point 6): what an event costs when it is persisted, since every member but
// the sender gets the server-default rule set evaluated against it.
//
//   build/bench/tests/bench/push_rules_bench
//
// BM_EvaluateForMembers: chat::push::evaluate for each of 1,000 recipients,
// each with their own PushRules (built once, as a cache would hold them) and
// their display name compiled per event, as record_push_actions does. The
// argument picks the event: 0 a plain message (falls through to the
// underride .m.rule.message after every override and content rule), 1 a
// message with m.mentions of one member, 2 a message naming one member's
// display name (legacy .m.rule.contains_display_name).
//
// BM_RecordPushActions: push::record_push_actions inside one write
// transaction of an in-memory store holding the 1,000-member room: rules
// loaded from the store per member, evaluation, and 1,000 rows written
// (rolled back after each iteration so the table does not grow).
//
// Per event = the reported time per iteration; items_per_second counts
// recipients.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chat/auth/power_levels.hpp>
#include <chat/core/clock.hpp>
#include <chat/crypto/signing_key.hpp>
#include <chat/events/room_version.hpp>
#include <chat/push/evaluator.hpp>
#include <chat/push/event_view.hpp>
#include <chat/push/notifications.hpp>
#include <chat/push/push_rules.hpp>
#include <chat/rooms/room_service.hpp>
#include <chat/store/sqlite.hpp>
#include <chat/sync/notifier.hpp>

namespace {

using namespace chat;
using nlohmann::json;

constexpr int kMembers = 1000;

UserId member(int i) { return UserId::parse("@user" + std::to_string(i) + ":bench.test").value(); }
std::string display_name(int i) { return "Member Number " + std::to_string(i); }

json message(std::int64_t kind) {
    json content{{"msgtype", "m.text"}, {"body", "an ordinary message about nothing much"}};
    if (kind == 1) content["m.mentions"] = {{"user_ids", json::array({member(500).str()})}};
    if (kind == 2) content["body"] = "hello Member Number 500, how are you";
    return {{"type", "m.room.message"},        {"content", content},
            {"sender", member(0).str()},       {"room_id", "!room:bench.test"},
            {"event_id", "$event:bench.test"}, {"origin_server_ts", 1}};
}

void BM_EvaluateForMembers(benchmark::State& state) {
    std::vector<push::PushRules> rules;
    std::vector<std::string> names;
    rules.reserve(kMembers);
    for (int i = 0; i < kMembers; ++i) {
        rules.emplace_back(member(i));
        names.push_back(display_name(i));
    }
    const json event = message(state.range(0));
    const push::EventView view(event);
    auto pl = auth::PowerLevelsContent::parse(json{{"users", {{member(0).str(), 100}}}},
                                              RoomVersion::v10);
    if (!pl) throw std::runtime_error(pl.error().message);
    const auth::PowerLevels power_levels(RoomVersion::v10, std::move(*pl), {});
    const push::RoomFacts room{.member_count = kMembers, .power_levels = &power_levels};

    std::int64_t notified = 0;
    std::int64_t highlighted = 0;
    for (auto _ : state) {
        for (int i = 1; i < kMembers; ++i) {  // the sender is not evaluated
            const push::MemberFacts facts(names[static_cast<std::size_t>(i)]);
            auto decision = push::evaluate(rules[static_cast<std::size_t>(i)], view, room, facts);
            notified += decision && decision->notify ? 1 : 0;
            highlighted += decision && decision->highlight ? 1 : 0;
        }
    }
    // Sanity: every recipient is notified, and only the mentioned one highlighted.
    if (notified != static_cast<std::int64_t>(state.iterations()) * (kMembers - 1))
        state.SkipWithError("not every member was notified");
    const std::int64_t expected_highlights = state.range(0) == 0 ? 0 : 1;
    if (highlighted != static_cast<std::int64_t>(state.iterations()) * expected_highlights)
        state.SkipWithError("unexpected highlights");
    state.SetItemsProcessed(state.iterations() * (kMembers - 1));
}
BENCHMARK(BM_EvaluateForMembers)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Rolls back every iteration's rows: the write fails on purpose.
constexpr const char* kRollback = "bench rollback";

void BM_RecordPushActions(benchmark::State& state) {
    auto opened = store::open_sqlite(":memory:");
    if (!opened) throw std::runtime_error(opened.error().message);
    std::unique_ptr<store::Store> store = std::move(*opened);
    sync::InProcessNotifier notifier;
    SystemClock clock;
    rooms::RoomService rooms(*store, ServerName::parse("bench.test").value(),
                             crypto::SigningKey::generate("b"), notifier, clock);
    auto created = rooms.create_room(
        {.creator = member(0), .preset = rooms::Preset::public_chat, .version = &RoomVersion::v10});
    if (!created) throw std::runtime_error(created.error().message);
    const RoomId room = created->room_id;
    // Joining is slow (each join notifies everyone already in): done once.
    for (int i = 1; i < kMembers; ++i)
        if (auto joined = rooms.join(member(i), room); !joined)
            throw std::runtime_error(joined.error().message);
    auto sent = rooms.send_message(member(0), room, "m.room.message",
                                   message(state.range(0))["content"]);
    if (!sent) throw std::runtime_error(sent.error().message);
    const PduPtr event = sent->event;

    for (auto _ : state) {
        auto done = store->write("bench", [&](store::WriteTxn& txn) -> Result<void> {
            auto recorded = push::record_push_actions(txn, *event, RoomVersion::v10, 1LL << 40,
                                                      clock.now_ms());
            if (!recorded) return recorded.error();
            return make_error(Errc::internal, kRollback);
        });
        if (done || done.error().message != kRollback) state.SkipWithError("record failed");
    }
    state.SetItemsProcessed(state.iterations() * (kMembers - 1));
}
BENCHMARK(BM_RecordPushActions)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
