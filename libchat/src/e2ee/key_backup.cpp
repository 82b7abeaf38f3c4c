#include <chat/e2ee/key_backup.hpp>

#include <charconv>
#include <utility>

namespace chat::e2ee {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxSessionsPerWrite = 10000;

std::int64_t int_field(const json& data, const char* name) {
    auto it = data.find(name);
    return it != data.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

Result<store::BackupVersionRow> existing_version(store::ReadTxn& txn, const UserId& user,
                                                 std::string_view version) {
    auto number = parse_backup_version(version);
    if (!number) return number.error();
    auto row = txn.key_backup().version(user, *number);
    if (!row) return row.error();
    if (!*row || (*row)->deleted) return make_error(Errc::not_found, "Unknown backup version");
    return std::move(**row);
}

json etag_and_count(store::ReadTxn& txn, const UserId& user, std::int64_t version,
                    Result<std::optional<store::BackupVersionRow>>& row) {
    row = txn.key_backup().version(user, version);
    if (!row || !*row) return json::object();
    return json{{"etag", std::to_string((*row)->etag)}, {"count", (*row)->count}};
}

}  // namespace

bool should_replace(const json& existing, const json& incoming) {
    const bool old_verified = existing.value("is_verified", false);
    const bool new_verified = incoming.value("is_verified", false);
    if (old_verified != new_verified) return new_verified;
    const auto old_index = int_field(existing, "first_message_index");
    const auto new_index = int_field(incoming, "first_message_index");
    if (old_index != new_index) return new_index < old_index;
    return int_field(incoming, "forwarded_count") < int_field(existing, "forwarded_count");
}

Result<void> check_key_backup_data(const json& data) {
    const auto bad = make_error(Errc::bad_json,
                                "KeyBackupData needs first_message_index, forwarded_count,"
                                " is_verified and session_data");
    if (!data.is_object()) return bad;
    auto index = data.find("first_message_index");
    auto forwarded = data.find("forwarded_count");
    auto verified = data.find("is_verified");
    auto session = data.find("session_data");
    if (index == data.end() || !index->is_number_integer() || forwarded == data.end() ||
        !forwarded->is_number_integer() || verified == data.end() || !verified->is_boolean() ||
        session == data.end() || !session->is_object())
        return bad;
    return ok();
}

Result<std::int64_t> parse_backup_version(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0)
        return make_error(Errc::not_found, "Unknown backup version");
    return value;
}

json version_json(const store::BackupVersionRow& row) {
    return json{{"algorithm", row.algorithm},
                {"auth_data", row.auth_data},
                {"count", row.count},
                {"etag", std::to_string(row.etag)},
                {"version", std::to_string(row.version)}};
}

Result<BackupWrite> put_backup_keys(store::WriteTxn& txn, const UserId& user,
                                    std::string_view version, const json& rooms) {
    auto row = existing_version(txn, user, version);
    if (!row) return row.error();
    auto current = txn.key_backup().version(user, std::nullopt);
    if (!current) return current.error();
    if (!*current || (*current)->version != row->version) {
        BackupWrite wrong;
        wrong.wrong_version_current =
            *current ? std::to_string((*current)->version) : std::string();
        return wrong;
    }
    if (!rooms.is_object()) return make_error(Errc::bad_json, "'rooms' must be an object");
    std::size_t seen = 0;
    bool changed = false;
    for (auto r = rooms.begin(); r != rooms.end(); ++r) {
        if (!r->is_object() || !r->contains("sessions") || !(*r)["sessions"].is_object())
            return make_error(Errc::bad_json, "Each room needs a 'sessions' object");
        const auto& sessions = (*r)["sessions"];
        for (auto s = sessions.begin(); s != sessions.end(); ++s) {
            if (++seen > kMaxSessionsPerWrite)
                return make_error(Errc::too_large, "Too many sessions in one request");
            if (auto checked = check_key_backup_data(*s); !checked) return checked.error();
            auto stored = txn.key_backup().keys(user, row->version, r.key(), s.key());
            if (!stored) return stored.error();
            if (!stored->empty() && !should_replace(stored->front().data, *s)) continue;
            store::BackupKeyRow key{r.key(), s.key(), *s};
            if (auto put = txn.key_backup().put_key(user, row->version, key); !put)
                return put.error();
            changed = true;
        }
    }
    if (changed) {
        if (auto bumped = txn.key_backup().bump_etag(user, row->version); !bumped)
            return bumped.error();
    }
    Result<std::optional<store::BackupVersionRow>> after = std::optional<store::BackupVersionRow>();
    BackupWrite out;
    out.body = etag_and_count(txn, user, row->version, after);
    if (!after) return after.error();
    return out;
}

Result<json> delete_backup_keys(store::WriteTxn& txn, const UserId& user,
                                std::string_view version,
                                const std::optional<std::string>& room_id,
                                const std::optional<std::string>& session_id) {
    auto row = existing_version(txn, user, version);
    if (!row) return row.error();
    auto removed = txn.key_backup().delete_keys(user, row->version, room_id, session_id);
    if (!removed) return removed.error();
    if (*removed > 0) {
        if (auto bumped = txn.key_backup().bump_etag(user, row->version); !bumped)
            return bumped.error();
    }
    Result<std::optional<store::BackupVersionRow>> after = std::optional<store::BackupVersionRow>();
    auto body = etag_and_count(txn, user, row->version, after);
    if (!after) return after.error();
    return body;
}

}  // namespace chat::e2ee
