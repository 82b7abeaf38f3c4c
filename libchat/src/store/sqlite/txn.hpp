#pragma once

#include <chat/store/txn.hpp>

#include "store/sqlite/areas.hpp"
#include "store/sqlite/connection.hpp"

namespace chat::store::sqlite {

// The transaction object of one connection, reused for each transaction on
// it. On a reader connection it is handed out as a ReadTxn only.
class SqliteTxn final : public WriteTxn {
public:
    // `counters`, `search_queue`: the writer's stream positions and search
    // text waiting for COMMIT (both null for a reader).
    SqliteTxn(Connection& conn, int state_max_delta_chain, ParsedEventCache& event_cache,
              StreamCounters* counters = nullptr, SearchQueue* search_queue = nullptr);

    Events& events() override { return events_; }
    StateGroups& state() override { return state_; }
    CurrentState& current_state() override { return current_state_; }
    Extremities& extremities() override { return extremities_; }
    Rooms& rooms() override { return rooms_; }
    Members& members() override { return members_; }
    Receipts& receipts() override { return receipts_; }
    AccountData& account_data() override { return account_data_; }
    Users& users() override { return users_; }
    Devices& devices() override { return devices_; }
    Tokens& tokens() override { return tokens_; }
    Media& media() override { return media_; }
    Streams& streams() override { return streams_; }
    TxnIds& txn_ids() override { return txn_ids_; }
    Filters& filters() override { return filters_; }
    PushRules& push_rules() override { return push_rules_; }
    Aliases& aliases() override { return aliases_; }
    RelationsReader& relations() override { return relations_; }
    Reports& reports() override { return reports_; }
    OpenIdTokens& openid_tokens() override { return openid_tokens_; }
    SearchReader& search() override { return search_; }
    UserDirectoryReader& user_directory() override { return user_directory_; }
    Presence& presence() override { return presence_; }
    Delivery& delivery() override { return delivery_; }
    PushActions& push_actions() override { return push_actions_; }
    // Admin API (issue 12).
    Admin& admin() override { return admin_; }
    RegistrationTokens& registration_tokens() override { return registration_tokens_; }
    E2eeKeys& e2ee_keys() override { return e2ee_keys_; }
    ToDevice& to_device() override { return to_device_; }
    KeyBackup& key_backup() override { return key_backup_; }
    Pushers& pushers() override { return pushers_; }
    // Federation (issue 9).
    Outbox& outbox() override { return outbox_; }
    ServerKeys& server_keys() override { return server_keys_; }

private:
    SqliteEvents events_;
    SqliteStateGroups state_;
    SqliteCurrentState current_state_;
    SqliteExtremities extremities_;
    SqliteRooms rooms_;
    SqliteMembers members_;
    SqliteReceipts receipts_;
    SqliteAccountData account_data_;
    SqliteUsers users_;
    SqliteDevices devices_;
    SqliteTokens tokens_;
    SqliteMedia media_;
    SqliteStreams streams_;
    SqliteTxnIds txn_ids_;
    SqliteFilters filters_;
    SqlitePushRules push_rules_;
    SqliteAliases aliases_;
    SqliteRelations relations_;
    SqliteReports reports_;
    SqliteOpenIdTokens openid_tokens_;
    SqliteSearch search_;
    SqliteUserDirectory user_directory_;
    SqlitePresence presence_;
    SqliteDelivery delivery_;
    SqlitePushActions push_actions_;
    SqliteAdmin admin_;
    SqliteRegistrationTokens registration_tokens_;
    SqliteE2eeKeys e2ee_keys_;
    SqliteToDevice to_device_;
    SqliteKeyBackup key_backup_;
    SqlitePushers pushers_;
    SqliteOutbox outbox_;
    SqliteServerKeys server_keys_;
};

}  // namespace chat::store::sqlite
