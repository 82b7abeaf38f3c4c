#include "push/gateway_client.hpp"

#include <exception>

#include <httplib.h>

#include <chat/json/parse.hpp>

namespace chat::daemon::push {

namespace {

// A gateway's answer is read only for `rejected`: a larger body is cut off.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

}  // namespace

GatewayAnswer post_notify(const std::string& url, const std::string& body,
                          std::chrono::milliseconds timeout) {
    GatewayAnswer answer;
    try {
        const auto host_at = url.find("://");
        const auto path_at = url.find('/', host_at == std::string::npos ? 0 : host_at + 3);
        if (host_at == std::string::npos || path_at == std::string::npos) {
            answer.error = "not an absolute URL";
            return answer;
        }
        httplib::Client client(url.substr(0, path_at));
        client.set_connection_timeout(timeout);
        client.set_read_timeout(timeout);
        client.set_write_timeout(timeout);
        client.set_follow_location(false);
        auto result = client.Post(url.substr(path_at), body, "application/json");
        if (!result) {
            answer.error = httplib::to_string(result.error());
            return answer;
        }
        answer.status = result->status;
        if (!answer.delivered() || result->body.size() > kMaxAnswerBytes) return answer;
        auto parsed = chat::json::parse(result->body);
        if (!parsed || !parsed->is_object()) return answer;
        const auto rejected = parsed->find("rejected");
        if (rejected == parsed->end() || !rejected->is_array()) return answer;
        for (const auto& key : *rejected)
            if (key.is_string()) answer.rejected.push_back(key.get<std::string>());
    } catch (const std::exception& e) {
        answer.status = 0;
        answer.error = e.what();
    }
    return answer;
}

}  // namespace chat::daemon::push
