#pragma once

// The SQLite implementation of each store area: one class per area, one
// .cpp per class (events.cpp, state_groups.cpp, ...). Each works on the
// connection of the transaction that owns it.

#include <chat/store/txn.hpp>

#include "store/parsed_event_cache.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/search_queue.hpp"
#include "store/sqlite/stream_counters.hpp"

namespace chat::store::sqlite {

class SqliteEvents final : public Events {
public:
    SqliteEvents(Connection& conn, ParsedEventCache& cache, StreamCounters* counters,
                 SearchQueue* search_queue)
        : conn_(conn), cache_(cache), counters_(counters), search_queue_(search_queue) {}

    Result<std::optional<StoredEvent>> get(const EventId& event_id) override;
    Result<std::vector<StoredEvent>> get_many(std::span<const EventId> ids) override;
    Result<std::vector<LoadedEvent>> get_pdus(std::span<const EventId> ids) override;
    Result<Position> ordering_of(const EventId& event_id) override;
    Result<std::vector<EventId>> filter_known(std::span<const EventId> ids) override;
    Result<std::vector<StoredEvent>> room_events(const RoomEventsQuery& query) override;
    Result<std::vector<StoredEvent>> latest(const RoomId& room_id, std::size_t limit) override;
    Result<std::vector<RoomActivity>> rooms_changed(Position from, Position to) override;
    Result<std::vector<EventId>> prev_events(const EventId& event_id) override;
    Result<std::vector<EventId>> auth_events(const EventId& event_id) override;
    Result<std::vector<EventId>> auth_chain(std::span<const EventId> ids) override;
    Result<std::vector<EventId>> redactions_of(const EventId& target) override;
    Result<std::optional<nlohmann::json>> original_json(const EventId& event_id) override;

    Result<PersistedEvent> persist(const EventToPersist& event) override;
    Result<void> set_rejected(const EventId& event_id, std::string reason) override;
    Result<void> set_soft_failed(const EventId& event_id, bool soft_failed) override;
    Result<bool> redact(const EventId& target, const nlohmann::json& redacted,
                        const EventId& redaction_id, std::int64_t now_ts) override;
    Result<std::int64_t> purge_redacted_originals(std::int64_t before_ts) override;

private:
    // The event, or null when it is not stored.
    Result<PduPtr> pdu_or_null(const EventId& event_id);
    // event_children rows for the prev_events the event cites that are not
    // in the timeline (not stored, or outliers): only those can arrive, or be
    // promoted, after it, when add_event must know they are cited.
    Result<void> insert_children(const Pdu& pdu);
    Result<LoadedEvent> read_loaded(const Query& q);
    Result<Position> next_ordering(bool backfilled);
    Connection& conn_;
    ParsedEventCache& cache_;
    StreamCounters* counters_;  // the writer's; null on a reader
    SearchQueue* search_queue_;  // the writer's; null on a reader
};

class SqliteStateGroups final : public StateGroups {
public:
    SqliteStateGroups(Connection& conn, int max_delta_chain)
        : conn_(conn), max_delta_chain_(max_delta_chain) {}

    Result<std::optional<StateGroupInfo>> group(StateGroupId id) override;
    Result<StateMap> state_at(StateGroupId id) override;
    Result<StateMap> state_of_type_at(StateGroupId id, std::string_view type) override;
    Result<std::optional<EventId>> state_entry_at(StateGroupId id, std::string_view type,
                                                 std::string_view state_key) override;
    Result<std::optional<StateGroupId>> group_before(const EventId& event_id) override;
    Result<std::optional<StateGroupId>> group_after(const EventId& event_id) override;

    Result<StateGroupId> create_group(const RoomId& room_id, std::optional<StateGroupId> parent,
                                      std::span<const StateDeltaEntry> delta,
                                      const std::optional<EventId>& for_event) override;
    Result<StateGroupId> create_group_from_state(const RoomId& room_id, const StateMap& state,
                                                 std::optional<StateGroupId> parent,
                                                 const std::optional<EventId>& for_event) override;
    Result<void> set_event_groups(const EventId& event_id, StateGroupId before,
                                  StateGroupId after) override;

private:
    Result<StateGroupInfo> existing(StateGroupId id);
    Result<StateGroupId> insert_group(const RoomId& room_id, std::optional<StateGroupId> prev,
                                      int chain_length, const std::optional<EventId>& for_event);
    Result<void> insert_entry(StateGroupId group, const StateKey& key,
                              const std::optional<EventId>& event_id);
    Connection& conn_;
    int max_delta_chain_;
};

class SqliteCurrentState final : public CurrentState {
public:
    explicit SqliteCurrentState(Connection& conn) : conn_(conn) {}

    Result<StateMap> get(const RoomId& room_id) override;
    Result<StateMap> of_type(const RoomId& room_id, std::string_view type) override;
    Result<std::optional<EventId>> entry(const RoomId& room_id, std::string_view type,
                                         std::string_view state_key) override;
    Result<std::vector<CurrentMember>> members(const RoomId& room_id) override;
    Result<std::vector<CurrentStateChange>> changes(const RoomId& room_id, Position from,
                                                    Position to) override;
    Result<std::vector<RoomId>> rooms_changed(Position from, Position to) override;

    Result<void> apply_delta(const RoomId& room_id, std::span<const StateDeltaEntry> delta,
                             Position position) override;
    Result<std::vector<StateDeltaEntry>> replace(const RoomId& room_id, const StateMap& state,
                                                 Position position) override;

private:
    Result<void> update_membership(const RoomId& room_id, const StateDeltaEntry& change,
                                   Position position);
    Connection& conn_;
};

class SqliteExtremities final : public Extremities {
public:
    explicit SqliteExtremities(Connection& conn) : conn_(conn) {}
    Result<std::vector<EventId>> get(const RoomId& room_id) override;
    Result<void> add_event(const RoomId& room_id, const EventId& event_id,
                           std::span<const EventId> prev_events) override;
    Result<bool> advance(const RoomId& room_id, const EventId& prev,
                         const EventId& event_id) override;
    Result<void> replace(const RoomId& room_id, std::span<const EventId> event_ids) override;

private:
    Connection& conn_;
};

class SqliteRooms final : public Rooms {
public:
    explicit SqliteRooms(Connection& conn) : conn_(conn) {}
    Result<std::optional<RoomRow>> get(const RoomId& room_id) override;
    Result<std::vector<RoomRow>> public_rooms(const std::optional<RoomId>& after,
                                              std::size_t limit) override;
    Result<std::vector<RoomRow>> public_rooms_before(const RoomId& before,
                                                     std::size_t limit) override;
    Result<std::int64_t> count_public() override;
    Result<bool> create(const RoomRow& room) override;
    Result<void> set_visibility(const RoomId& room_id, std::string visibility) override;

private:
    Connection& conn_;
};

class SqliteMembers final : public Members {
public:
    explicit SqliteMembers(Connection& conn) : conn_(conn) {}
    Result<std::optional<MembershipRow>> get(const UserId& user_id,
                                             const RoomId& room_id) override;
    Result<std::vector<MembershipRow>> rooms_for_user(const UserId& user_id,
                                                      std::string_view membership) override;
    Result<std::vector<MembershipRow>> members_of(const RoomId& room_id,
                                                  std::string_view membership) override;
    Result<std::int64_t> count(const RoomId& room_id, std::string_view membership) override;
    Result<std::vector<MembershipRow>> changes_for_user(const UserId& user_id, Position from,
                                                        Position to) override;
    Result<void> set_out_of_band(const MembershipRow& row) override;
    Result<std::optional<EventId>> forgotten_at(const UserId& user_id,
                                                const RoomId& room_id) override;
    Result<void> forget(const UserId& user_id, const RoomId& room_id,
                        const EventId& event_id) override;

private:
    Connection& conn_;
};

// Writes a membership and its log row; shared by SqliteMembers and
// SqliteCurrentState.
Result<void> write_membership(Connection& conn, const MembershipRow& row);

class SqliteReceipts final : public Receipts {
public:
    explicit SqliteReceipts(Connection& conn) : conn_(conn) {}
    Result<std::optional<ReceiptRow>> get(const RoomId& room_id, const UserId& user_id,
                                          std::string_view type,
                                          const std::optional<std::string>& thread_id) override;
    Result<std::vector<ReceiptRow>> for_room(const RoomId& room_id) override;
    Result<std::vector<ReceiptRow>> changes(Position from, Position to,
                                            std::size_t limit) override;
    Result<std::vector<ReceiptRow>> changes_in_room(const RoomId& room_id, Position from,
                                                    Position to) override;
    Result<std::optional<Position>> read_up_to(const RoomId& room_id,
                                               const UserId& user_id) override;
    Result<void> put(const ReceiptRow& row) override;

private:
    Connection& conn_;
};

class SqlitePresence final : public Presence {
public:
    explicit SqlitePresence(Connection& conn) : conn_(conn) {}
    Result<std::optional<PresenceRow>> get(const UserId& user_id) override;
    Result<std::vector<PresenceRow>> visible_changes(const UserId& viewer, Position from,
                                                     Position to, std::size_t limit) override;
    Result<std::vector<PresenceRow>> not_offline() override;
    Result<bool> share_a_room(const UserId& a, const UserId& b) override;
    Result<void> put(const PresenceRow& row) override;

private:
    Connection& conn_;
};

class SqliteDelivery final : public Delivery {
public:
    explicit SqliteDelivery(Connection& conn) : conn_(conn) {}
    Result<bool> has_receipt(const RoomId& room_id, const EventId& event_id,
                             const UserId& user_id) override;
    Result<std::optional<InferredDeliveryRow>> inferred(const RoomId& room_id,
                                                       const UserId& user_id) override;
    Result<std::vector<DeliveryReceiptRow>> receipts_for_sender(const UserId& sender,
                                                                Position from, Position to,
                                                                std::size_t limit) override;
    Result<std::vector<InferredDeliveryRow>> inferred_in_joined_rooms(
        const UserId& viewer, Position from, Position to, std::size_t limit) override;
    Result<Position> acked_position(const UserId& user_id) override;
    Result<bool> put_receipt(const DeliveryReceiptRow& row) override;
    Result<void> put_inferred(const InferredDeliveryRow& row) override;
    Result<void> set_acked_position(const UserId& user_id, Position position) override;

private:
    Connection& conn_;
};

class SqlitePushActions final : public PushActions {
public:
    explicit SqlitePushActions(Connection& conn) : conn_(conn) {}
    Result<UnreadCounts> counts(const UserId& user_id, const RoomId& room_id,
                                Position after) override;
    Result<UnreadCounts> main_counts(const UserId& user_id, const RoomId& room_id,
                                     Position after) override;
    Result<std::vector<ThreadCounts>> thread_counts(const UserId& user_id,
                                                    const RoomId& room_id) override;
    Result<std::vector<PushActionRow>> newest_before(const UserId& user_id, Position before,
                                                     std::size_t limit,
                                                     bool only_highlight) override;
    Result<std::vector<PushActionRow>> oldest_after(const UserId& user_id, Position after,
                                                    std::size_t limit) override;
    Result<void> put(const PushActionRow& row) override;
    Result<void> put_for_room(const RoomPushActionRow& row) override;

private:
    Result<UnreadCounts> main_or_all_counts(const UserId& user_id, const RoomId& room_id,
                                            Position after, bool main_only);
    // The user's notifying rows in one direction of the stream, from both
    // tables (newest_before, oldest_after).
    Result<std::vector<PushActionRow>> merged(const UserId& user_id, Position bound,
                                              bool newest, std::size_t limit,
                                              bool only_highlight);
    Connection& conn_;
};

// Issue 7: pushers and how far each has been delivered.
class SqlitePushers final : public Pushers {
public:
    explicit SqlitePushers(Connection& conn) : conn_(conn) {}
    Result<std::vector<PusherRow>> for_user(const UserId& user_id) override;
    Result<std::vector<PusherRow>> all() override;
    Result<void> put(const PusherRow& row) override;
    Result<bool> remove(const UserId& user_id, std::string_view app_id,
                        std::string_view pushkey) override;
    Result<std::int64_t> remove_for_other_users(std::string_view app_id,
                                                std::string_view pushkey,
                                                const UserId& keep) override;
    Result<bool> set_delivered(const UserId& user_id, std::string_view app_id,
                               std::string_view pushkey, Position position) override;

private:
    Connection& conn_;
};

class SqliteAccountData final : public AccountData {
public:
    explicit SqliteAccountData(Connection& conn) : conn_(conn) {}
    Result<std::optional<AccountDataRow>> get(const UserId& user_id,
                                              const std::optional<RoomId>& room_id,
                                              std::string_view type) override;
    Result<std::vector<AccountDataRow>> all_for_user(const UserId& user_id) override;
    Result<std::vector<AccountDataRow>> changes_for_user(const UserId& user_id, Position from,
                                                         Position to) override;
    Result<void> put(const AccountDataRow& row) override;

private:
    Connection& conn_;
};

class SqliteUsers final : public Users {
public:
    explicit SqliteUsers(Connection& conn) : conn_(conn) {}
    Result<std::optional<UserRow>> get(const UserId& user_id) override;
    Result<std::vector<UserRow>> list(const std::optional<UserId>& after,
                                      std::size_t limit) override;
    Result<std::int64_t> count() override;
    Result<void> create(const UserRow& user) override;
    Result<void> set_password_hash(const UserId& user_id,
                                   const std::optional<std::string>& hash) override;
    Result<void> set_admin(const UserId& user_id, bool admin) override;
    Result<void> set_deactivated(const UserId& user_id, bool deactivated) override;
    Result<void> set_displayname(const UserId& user_id,
                                 const std::optional<std::string>& displayname) override;
    Result<void> set_avatar_url(const UserId& user_id,
                                const std::optional<std::string>& avatar_url) override;

private:
    Connection& conn_;
};

class SqliteDevices final : public Devices {
public:
    explicit SqliteDevices(Connection& conn) : conn_(conn) {}
    Result<std::optional<DeviceRow>> get(const UserId& user_id,
                                         std::string_view device_id) override;
    Result<std::vector<DeviceRow>> list(const UserId& user_id) override;
    Result<bool> create(const DeviceRow& device) override;
    Result<void> set_display_name(const UserId& user_id, std::string_view device_id,
                                  const std::optional<std::string>& display_name) override;
    Result<void> touch(const UserId& user_id, std::string_view device_id, std::int64_t ts,
                       std::string_view ip, std::string_view user_agent) override;
    Result<bool> remove(const UserId& user_id, std::string_view device_id) override;
    Result<std::int64_t> remove_all(const UserId& user_id,
                                    const std::optional<std::string>& keep) override;

private:
    Connection& conn_;
};

class SqliteTokens final : public Tokens {
public:
    explicit SqliteTokens(Connection& conn) : conn_(conn) {}
    Result<std::optional<AccessTokenInfo>> lookup(std::string_view token) override;
    Result<void> add(std::string_view token, const UserId& user_id, std::string_view device_id,
                     std::int64_t created_ts, std::optional<std::int64_t> expires_ts) override;
    Result<bool> remove(std::string_view token) override;
    Result<std::int64_t> remove_for_device(const UserId& user_id,
                                           std::string_view device_id) override;
    Result<std::int64_t> remove_for_user(const UserId& user_id,
                                         std::optional<std::string_view> keep) override;

private:
    Connection& conn_;
};

class SqliteMedia final : public Media {
public:
    explicit SqliteMedia(Connection& conn) : conn_(conn) {}
    Result<std::optional<MediaRow>> get(const ServerName& origin,
                                        std::string_view media_id) override;
    Result<std::vector<MediaRow>> by_uploader(const UserId& uploader, std::size_t limit) override;
    Result<void> put(const MediaRow& row) override;
    Result<bool> set_quarantined(const ServerName& origin, std::string_view media_id,
                                 bool quarantined) override;
    Result<bool> remove(const ServerName& origin, std::string_view media_id) override;
    Result<std::vector<MediaRow>> page_by_uploader(const UserId& uploader, std::size_t offset,
                                                   std::size_t limit) override;
    Result<std::int64_t> count_by_uploader(const UserId& uploader) override;
    Result<std::optional<PendingMediaRow>> pending(std::string_view media_id) override;
    Result<std::int64_t> count_pending(const UserId& creator, std::int64_t now_ms) override;
    Result<void> reserve(const PendingMediaRow& row) override;
    Result<bool> remove_pending(std::string_view media_id) override;
    Result<std::int64_t> remove_expired_pending(std::int64_t now_ms) override;
    Result<std::vector<MediaRow>> remote_not_accessed_since(const ServerName& local,
                                                            std::int64_t before_ms,
                                                            std::size_t limit) override;
    Result<bool> touch(const ServerName& origin, std::string_view media_id,
                       std::int64_t now_ms) override;
    Result<bool> remove_remote_if_idle(const ServerName& local, const ServerName& origin,
                                       std::string_view media_id,
                                       std::int64_t before_ms) override;

private:
    Connection& conn_;
};

// On the writer's connection, positions come from its StreamCounters (which
// write them back at commit); on a reader's (counters null), from the table,
// and none is taken.
class SqliteStreams final : public Streams {
public:
    explicit SqliteStreams(Connection& conn, StreamCounters* counters = nullptr)
        : conn_(conn), counters_(counters) {}
    Result<Position> current(Stream stream) override;
    Result<StreamPositions> current_all() override;
    Result<Position> next(Stream stream) override;
    Result<Position> next_backfill() override;

private:
    Connection& conn_;
    StreamCounters* counters_;
};

class SqliteTxnIds final : public TxnIds {
public:
    explicit SqliteTxnIds(Connection& conn) : conn_(conn) {}
    Result<std::optional<EventId>> get(const UserId& user_id, std::string_view device_id,
                                       std::string_view txn_id) override;
    Result<std::optional<TxnIdRecord>> for_event(const EventId& event_id) override;
    Result<EventId> put(const UserId& user_id, std::string_view device_id,
                        std::string_view txn_id, const EventId& event_id,
                        std::int64_t now_ts) override;
    Result<std::int64_t> purge_before(std::int64_t before_ts) override;

private:
    Connection& conn_;
};

class SqliteFilters final : public Filters {
public:
    explicit SqliteFilters(Connection& conn) : conn_(conn) {}
    Result<std::optional<nlohmann::json>> get(const UserId& user_id,
                                              std::int64_t filter_id) override;
    Result<std::int64_t> add(const UserId& user_id, const nlohmann::json& filter) override;

private:
    Connection& conn_;
};

class SqlitePushRules final : public PushRules {
public:
    explicit SqlitePushRules(Connection& conn) : conn_(conn) {}
    Result<std::optional<PushRulesRow>> get(const UserId& user_id) override;
    Result<void> put(const PushRulesRow& row) override;

private:
    Connection& conn_;
};

class SqliteAliases final : public Aliases {
public:
    explicit SqliteAliases(Connection& conn) : conn_(conn) {}
    Result<std::optional<AliasRow>> get(const RoomAlias& alias) override;
    Result<std::vector<RoomAlias>> for_room(const RoomId& room_id) override;
    Result<void> put(const RoomAlias& alias, const RoomId& room_id,
                     const UserId& creator) override;
    Result<bool> remove(const RoomAlias& alias) override;

private:
    Connection& conn_;
};

class SqliteRelations final : public RelationsReader {
public:
    explicit SqliteRelations(Connection& conn) : conn_(conn) {}
    Result<std::vector<RelationRow>> children(const RelationsQuery& query) override;
    Result<std::vector<std::string>> rel_types(
        const RoomId& room_id, const EventId& parent_id,
        std::span<const std::string> ignored_senders) override;
    Result<std::optional<ThreadSummary>> thread(
        const RoomId& room_id, const EventId& root_id, const std::optional<UserId>& participant,
        std::span<const std::string> ignored_senders) override;
    Result<std::vector<ThreadSummary>> threads(const ThreadsQuery& query) override;
    Result<std::vector<EventId>> replacements(const RoomId& room_id, const EventId& parent_id,
                                              const UserId& sender, std::string_view type,
                                              std::size_t limit) override;

private:
    Connection& conn_;
};

// Records the relation of a newly persisted event, if its content has a
// usable `m.relates_to` (relations.cpp; called by SqliteEvents::persist).
Result<void> index_relation(Connection& conn, const Pdu& pdu, Position stream_ordering);

class SqliteReports final : public Reports {
public:
    explicit SqliteReports(Connection& conn) : conn_(conn) {}
    Result<std::optional<ReportRow>> get(std::int64_t report_id) override;
    Result<std::vector<ReportRow>> list(std::int64_t after, std::size_t limit) override;
    Result<std::int64_t> add(const ReportRow& row) override;

private:
    Connection& conn_;
};

class SqliteOpenIdTokens final : public OpenIdTokens {
public:
    explicit SqliteOpenIdTokens(Connection& conn) : conn_(conn) {}
    Result<std::optional<UserId>> lookup(std::string_view token, std::int64_t now_ts) override;
    Result<void> add(std::string_view token, const UserId& user_id,
                     std::int64_t expires_ts) override;
    Result<std::int64_t> purge_expired(std::int64_t now_ts) override;

private:
    Connection& conn_;
};

class SqliteSearch final : public SearchReader {
public:
    explicit SqliteSearch(Connection& conn) : conn_(conn) {}
    Result<std::vector<SearchHit>> search(const SearchQuery& query) override;
    Result<std::int64_t> count(const SearchQuery& query, std::int64_t cap) override;

private:
    Connection& conn_;
};

// The search index of event text (search.cpp), kept by SqliteEvents: the
// event's text is indexed under its stream ordering. `pdu_json` is the
// event as stored (untrusted content). Removing needs the same JSON that was
// indexed (the index is contentless: FTS5 forgets a row by its words).
// Indexing waits in the writer's `queue` until it commits (search_queue.hpp
// says why); null on a reader, where both fail.
Result<void> index_event_text(SearchQueue* queue, Position stream_ordering,
                              const nlohmann::json& pdu_json);
Result<void> unindex_event_text(Connection& conn, SearchQueue* queue, Position stream_ordering,
                                const nlohmann::json& pdu_json);

class SqliteUserDirectory final : public UserDirectoryReader {
public:
    explicit SqliteUserDirectory(Connection& conn) : conn_(conn) {}
    Result<UserDirectoryResults> search(const UserDirectoryQuery& query) override;

private:
    Connection& conn_;
};

// Directory upkeep (user_directory.cpp). A local account's profile, from the
// users area; a remote user's, from their join event (displayname and
// avatar_url when strings), ignored when the user has a local account.
Result<void> directory_set_local(Connection& conn, const UserId& user_id);
Result<void> directory_set_from_join(Connection& conn, const UserId& user_id,
                                     const std::optional<std::string>& display_name,
                                     const std::optional<std::string>& avatar_url);

// The admin API's queries (admin.cpp) and registration tokens
// (registration_tokens.cpp).
class SqliteAdmin final : public Admin {
public:
    SqliteAdmin(Connection& conn, SearchQueue* search_queue)
        : conn_(conn), search_queue_(search_queue) {}

    Result<std::vector<UserRow>> list_users(const UserListQuery& query) override;
    Result<std::int64_t> count_users(const UserListQuery& query) override;
    Result<std::vector<RoomRow>> all_rooms() override;
    Result<std::int64_t> count_members_on(const RoomId& room_id, std::string_view membership,
                                         std::string_view server) override;
    Result<std::optional<RoomBlock>> room_block(const RoomId& room_id) override;
    Result<bool> erased(const UserId& user_id) override;
    Result<ServerCounts> counts(std::string_view server) override;

    Result<void> block_room(const RoomBlock& block) override;
    Result<bool> unblock_room(const RoomId& room_id) override;
    Result<void> set_erased(const UserId& user_id, bool erased) override;
    Result<std::int64_t> purge_room(const RoomId& room_id) override;

private:
    Connection& conn_;
    SearchQueue* search_queue_;  // the writer's; null on a reader
};

// End-to-end encryption areas (e2ee_keys.cpp, to_device.cpp, key_backup.cpp).
class SqliteE2eeKeys final : public E2eeKeys {
public:
    explicit SqliteE2eeKeys(Connection& conn) : conn_(conn) {}
    Result<std::optional<nlohmann::json>> device_keys(const UserId& user_id,
                                                      std::string_view device_id) override;
    Result<std::vector<DeviceKeysRow>> all_device_keys(const UserId& user_id) override;
    Result<std::optional<nlohmann::json>> one_time_key(const UserId& user_id,
                                                       std::string_view device_id,
                                                       std::string_view algorithm,
                                                       std::string_view key_id) override;
    Result<std::map<std::string, std::int64_t>> one_time_key_counts(
        const UserId& user_id, std::string_view device_id) override;
    Result<std::optional<ClaimedKey>> fallback_key(const UserId& user_id,
                                                   std::string_view device_id,
                                                   std::string_view algorithm) override;
    Result<std::vector<std::string>> unused_fallback_algorithms(
        const UserId& user_id, std::string_view device_id) override;
    Result<std::optional<nlohmann::json>> cross_signing_key(const UserId& user_id,
                                                            std::string_view usage) override;
    Result<std::vector<KeySignatureRow>> signatures_of(const UserId& target_user_id,
                                                       std::string_view target_key_id) override;
    Result<std::vector<UserId>> changed_users(Position from, Position to) override;
    Result<std::optional<Position>> last_sent_device_list_update(const UserId& user_id) override;

    Result<void> put_device_keys(const UserId& user_id, std::string_view device_id,
                                 const nlohmann::json& keys) override;
    Result<bool> add_one_time_key(const UserId& user_id, std::string_view device_id,
                                  const ClaimedKey& key) override;
    Result<std::optional<ClaimedKey>> claim_one_time_key(const UserId& user_id,
                                                         std::string_view device_id,
                                                         std::string_view algorithm) override;
    Result<void> put_fallback_key(const UserId& user_id, std::string_view device_id,
                                  const ClaimedKey& key) override;
    Result<std::optional<ClaimedKey>> claim_fallback_key(const UserId& user_id,
                                                         std::string_view device_id,
                                                         std::string_view algorithm) override;
    Result<void> put_cross_signing_key(const UserId& user_id, std::string_view usage,
                                       const nlohmann::json& key) override;
    Result<void> put_signature(const KeySignatureRow& row) override;
    Result<void> mark_changed(const UserId& user_id, Position position) override;
    Result<void> put_sent_device_list_update(const UserId& user_id, Position stream_id) override;

private:
    Connection& conn_;
};

class SqliteRegistrationTokens final : public RegistrationTokens {
public:
    explicit SqliteRegistrationTokens(Connection& conn) : conn_(conn) {}

    Result<std::optional<RegistrationTokenRow>> get(std::string_view token) override;
    Result<std::vector<RegistrationTokenRow>> list() override;
    Result<void> create(const RegistrationTokenRow& row) override;
    Result<void> update(const RegistrationTokenRow& row) override;
    Result<bool> remove(std::string_view token) override;
    Result<bool> reserve(std::string_view token, std::int64_t now_ms) override;
    Result<void> finish(std::string_view token, bool registered) override;

private:
    Connection& conn_;
};

class SqliteToDevice final : public ToDevice {
public:
    explicit SqliteToDevice(Connection& conn) : conn_(conn) {}
    Result<std::vector<ToDeviceRow>> pending(const UserId& user_id, std::string_view device_id,
                                             Position after, Position up_to,
                                             std::size_t limit) override;
    Result<void> add(const ToDeviceRow& row) override;
    Result<std::int64_t> remove_through(const UserId& user_id, std::string_view device_id,
                                        Position through) override;
    Result<bool> record_txn(const UserId& user_id, std::string_view device_id,
                            std::string_view txn_id, std::int64_t now_ts) override;

private:
    Connection& conn_;
};

class SqliteKeyBackup final : public KeyBackup {
public:
    explicit SqliteKeyBackup(Connection& conn) : conn_(conn) {}
    Result<std::optional<BackupVersionRow>> version(const UserId& user_id,
                                                    std::optional<std::int64_t> version) override;
    Result<std::vector<BackupKeyRow>> keys(const UserId& user_id, std::int64_t version,
                                           const std::optional<std::string>& room_id,
                                           const std::optional<std::string>& session_id) override;
    Result<std::int64_t> create_version(const UserId& user_id, std::string_view algorithm,
                                        const nlohmann::json& auth_data) override;
    Result<void> set_auth_data(const UserId& user_id, std::int64_t version,
                               const nlohmann::json& auth_data) override;
    Result<bool> delete_version(const UserId& user_id, std::int64_t version) override;
    Result<void> put_key(const UserId& user_id, std::int64_t version,
                         const BackupKeyRow& row) override;
    Result<std::int64_t> delete_keys(const UserId& user_id, std::int64_t version,
                                     const std::optional<std::string>& room_id,
                                     const std::optional<std::string>& session_id) override;
    Result<void> bump_etag(const UserId& user_id, std::int64_t version) override;

private:
    Connection& conn_;
};

// Issue 9: the federation outbox (outbox.cpp).
class SqliteOutbox final : public Outbox {
public:
    explicit SqliteOutbox(Connection& conn) : conn_(conn) {}
    Result<std::vector<ServerName>> destinations() override;
    Result<std::vector<OutboxEntry>> pending(const ServerName& destination,
                                             std::size_t limit) override;
    Result<void> enqueue(std::span<const ServerName> destinations,
                         const EventId& event_id) override;
    Result<void> remove_through(const ServerName& destination, std::int64_t through) override;

private:
    Connection& conn_;
};

// Federation: remote servers' signing keys (server_keys.cpp).
class SqliteServerKeys final : public ServerKeys {
public:
    explicit SqliteServerKeys(Connection& conn) : conn_(conn) {}
    Result<std::optional<ServerKeyRow>> get(std::string_view server_name,
                                            std::string_view key_id) override;
    Result<std::vector<ServerKeyRow>> for_server(std::string_view server_name) override;
    Result<void> put(const ServerKeyRow& row) override;

private:
    Connection& conn_;
};

}  // namespace chat::store::sqlite
