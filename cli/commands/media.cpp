#include <iostream>
#include <memory>

#include "commands/commands.hpp"

namespace chat::cli {

namespace {

// "mxc://server/id", or SERVER and ID given apart.
struct MediaRef {
    std::string first;
    std::optional<std::string> media_id;
};

bool split_media(const MediaRef& ref, std::string& server, std::string& id) {
    if (ref.media_id) {
        server = ref.first;
        id = *ref.media_id;
        return !server.empty() && !id.empty();
    }
    constexpr std::string_view kScheme = "mxc://";
    if (!ref.first.starts_with(kScheme)) return false;
    auto rest = std::string_view(ref.first).substr(kScheme.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return false;
    server = std::string(rest.substr(0, slash));
    id = std::string(rest.substr(slash + 1));
    return true;
}

int usage_media() {
    std::cerr << "chatctl: give mxc://SERVER/MEDIA_ID, or SERVER and MEDIA_ID\n";
    return kUsage;
}

struct ListOptions {
    std::string user;
    std::int64_t from = 0;
    std::int64_t limit = 100;
};

int list_media(Context& ctx, const ListOptions& o) {
    auto answer = ctx.request("GET", "/_synapse/admin/v1/users/" + escape(o.user) +
                                         "/media?from=" + std::to_string(o.from) +
                                         "&limit=" + std::to_string(o.limit));
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
        return kOk;
    }
    Table table{{"MEDIA_ID", "TYPE", "BYTES", "NAME", "CREATED", "QUARANTINED"}, {}};
    for (const auto& m : answer.body.value("media", nlohmann::json::array()))
        table.rows.push_back({cell(m.value("media_id", nlohmann::json())),
                              cell(m.value("media_type", nlohmann::json())),
                              cell(m.value("media_length", nlohmann::json())),
                              cell(m.value("upload_name", nlohmann::json())),
                              time_cell(m.value("created_ts", nlohmann::json())),
                              m.value("quarantined_by", nlohmann::json()).is_null()
                                  ? std::string("no")
                                  : cell(m["quarantined_by"])});
    table.print();
    std::cout << "total: " << cell(answer.body.value("total", nlohmann::json()));
    if (auto next = answer.body.find("next_token"); next != answer.body.end())
        std::cout << " (more: --from " << cell(*next) << ")";
    std::cout << "\n";
    return kOk;
}

int quarantine_media(Context& ctx, const MediaRef& ref) {
    std::string server, id;
    if (!split_media(ref, server, id)) return usage_media();
    auto answer = ctx.request("POST", "/_synapse/admin/v1/media/quarantine/" + escape(server) +
                                          "/" + escape(id),
                              nlohmann::json::object());
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json())
        Context::print_json(answer.body);
    else
        std::cout << "quarantined mxc://" << server << "/" << id << "\n";
    return kOk;
}

int delete_media(Context& ctx, const MediaRef& ref) {
    std::string server, id;
    if (!split_media(ref, server, id)) return usage_media();
    auto answer = ctx.request("DELETE", "/_synapse/admin/v1/media/" + escape(server) + "/" +
                                            escape(id),
                              nlohmann::json::object());
    if (int code = ctx.check(answer); code != kOk) return code;
    if (ctx.json()) {
        Context::print_json(answer.body);
    } else {
        std::cout << "deleted:";
        for (const auto& m : answer.body.value("deleted_media", nlohmann::json::array()))
            std::cout << " " << cell(m);
        std::cout << "\ntotal: " << cell(answer.body.value("total", nlohmann::json())) << "\n";
    }
    return kOk;
}

template <typename F>
void media_command(CLI::App& parent, CommandLine& line, const char* name, const char* help, F fn) {
    auto ref = std::make_shared<MediaRef>();
    auto* cmd = parent.add_subcommand(name, help);
    cmd->add_option("media", ref->first, "mxc://SERVER/MEDIA_ID, or SERVER")->required();
    cmd->add_option("media_id", ref->media_id, "MEDIA_ID when SERVER is given apart");
    cmd->callback([&line, ref, fn] {
        line.action = [ref, fn](Context& ctx) { return fn(ctx, *ref); };
    });
}

}  // namespace

void add_media_commands(CLI::App& app, CommandLine& line) {
    auto* media = app.add_subcommand("media", "Uploaded media");
    media->require_subcommand(1);

    auto list = std::make_shared<ListOptions>();
    auto* cmd = media->add_subcommand("list", "Media a local user uploaded");
    cmd->add_option("user", list->user, "Full user ID")->required();
    cmd->add_option("--from", list->from, "Skip this many")->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit", list->limit, "At most this many (default 100)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&line, list] {
        line.action = [list](Context& ctx) { return list_media(ctx, *list); };
    });
    media_command(*media, line, "quarantine", "Quarantine a media item (no longer served)",
                  quarantine_media);
    media_command(*media, line, "delete", "Delete a local media item", delete_media);
}

}  // namespace chat::cli
