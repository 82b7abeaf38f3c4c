#include "bus/bus_message.hpp"

#include <nlohmann/json.hpp>

#include <chat/json/parse.hpp>

namespace chat::daemon::bus {

namespace {

using nlohmann::json;

Error bad(std::string_view why) {
    return make_error(Errc::bad_json, "bad bus message", std::string(why));
}

json user_list(const std::vector<UserId>& users) {
    json out = json::array();
    for (const auto& user : users) out.push_back(std::string(user.str()));
    return out;
}

struct EncodeBody {
    json& out;
    void operator()(const StreamAdvanced& m) const {
        out["k"] = "stream";
        out["s"] = std::string(store::to_string(m.stream));
        out["p"] = m.position;
    }
    void operator()(const Poke&) const { out["k"] = "poke"; }
    void operator()(const TypingChanged& m) const {
        out["k"] = "typing";
        out["r"] = std::string(m.room_id.str());
        out["u"] = std::string(m.user_id.str());
        out["on"] = m.typing;
        out["exp"] = m.expires_ms;
        out["at"] = m.stamp;
    }
    void operator()(const PresenceSeen& m) const {
        out["k"] = "seen";
        out["users"] = user_list(m.users);
        out["active"] = user_list(m.active);
    }
};

// Members are read with find() and type checks only: no at() or get<T>()
// on what another process sent.
const json* member(const json& object, const char* name) {
    auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

Result<std::string_view> string_member(const json& object, const char* name) {
    const json* value = member(object, name);
    if (value == nullptr || !value->is_string()) return bad(std::string("no string ") + name);
    return std::string_view(value->get_ref<const std::string&>());
}

// Positions, stamps and expiry times are never negative on the bus.
Result<std::int64_t> count_member(const json& object, const char* name) {
    const json* value = member(object, name);
    if (value == nullptr || !value->is_number_integer())
        return bad(std::string("no integer ") + name);
    auto number = value->get<std::int64_t>();
    if (number < 0) return bad(std::string("negative ") + name);
    return number;
}

Result<std::vector<UserId>> user_list_member(const json& object, const char* name) {
    const json* users = member(object, name);
    if (users == nullptr || !users->is_array()) return bad(std::string("no array ") + name);
    if (users->size() > kMaxSeenUsers) return bad(std::string("too many ") + name);
    std::vector<UserId> out;
    out.reserve(users->size());
    for (const auto& entry : *users) {
        if (!entry.is_string()) return bad("a user is not a string");
        auto user = UserId::parse(entry.get_ref<const std::string&>());
        if (!user) return user.error();
        out.push_back(std::move(*user));
    }
    return out;
}

Result<BusBody> decode_body(const json& object, std::string_view kind) {
    if (kind == "stream") {
        auto name = string_member(object, "s");
        if (!name) return name.error();
        auto stream = store::stream_from_string(*name);
        if (!stream) return bad("unknown stream");
        auto position = count_member(object, "p");
        if (!position) return position.error();
        return BusBody(StreamAdvanced{.stream = *stream, .position = *position});
    }
    if (kind == "poke") return BusBody(Poke{});
    if (kind == "typing") {
        auto room_text = string_member(object, "r");
        if (!room_text) return room_text.error();
        auto room = RoomId::parse(*room_text);
        if (!room) return room.error();
        auto user_text = string_member(object, "u");
        if (!user_text) return user_text.error();
        auto user = UserId::parse(*user_text);
        if (!user) return user.error();
        const json* on = member(object, "on");
        if (on == nullptr || !on->is_boolean()) return bad("no boolean on");
        auto expires = count_member(object, "exp");
        if (!expires) return expires.error();
        auto stamp = count_member(object, "at");
        if (!stamp) return stamp.error();
        return BusBody(TypingChanged{.room_id = std::move(*room),
                                     .user_id = std::move(*user),
                                     .typing = on->get<bool>(),
                                     .expires_ms = *expires,
                                     .stamp = *stamp});
    }
    if (kind == "seen") {
        auto users = user_list_member(object, "users");
        if (!users) return users.error();
        auto active = user_list_member(object, "active");
        if (!active) return active.error();
        return BusBody(PresenceSeen{.users = std::move(*users), .active = std::move(*active)});
    }
    return bad("unknown kind");
}

}  // namespace

std::string encode(const BusMessage& message) {
    json out = json::object();
    out["w"] = message.worker;
    std::visit(EncodeBody{out}, message.body);
    return out.dump();
}

Result<BusMessage> decode(std::string_view text) {
    if (text.size() > kMaxBusMessageBytes) return bad("message too long");
    auto parsed = chat::json::parse(text);
    if (!parsed) return parsed.error();
    if (!parsed->is_object()) return bad("not an object");
    auto worker = string_member(*parsed, "w");
    if (!worker) return worker.error();
    if (worker->empty() || worker->size() > kMaxWorkerNameBytes) return bad("bad worker name");
    auto kind = string_member(*parsed, "k");
    if (!kind) return kind.error();
    auto body = decode_body(*parsed, *kind);
    if (!body) return body.error();
    return BusMessage{.worker = std::string(*worker), .body = std::move(*body)};
}

}  // namespace chat::daemon::bus
