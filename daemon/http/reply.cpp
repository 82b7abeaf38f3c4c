#include "http/reply.hpp"

#include <nlohmann/json.hpp>

namespace chat::daemon {

Reply Reply::json(const nlohmann::json& body, unsigned status) {
    Reply reply;
    reply.status = status;
    reply.headers.push_back({"Content-Type", "application/json"});
    reply.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return reply;
}

Reply Reply::empty(unsigned status) {
    Reply reply;
    reply.status = status;
    return reply;
}

void Reply::set_header(std::string_view name, std::string value) {
    for (auto& h : headers) {
        if (header_name_equal(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    }
    headers.push_back({std::string(name), std::move(value)});
}

std::string_view Reply::header(std::string_view name) const noexcept {
    for (const auto& h : headers)
        if (header_name_equal(h.name, name)) return h.value;
    return {};
}

}  // namespace chat::daemon
