#pragma once

#include <chat/core/result.hpp>
#include <chat/store/account_data.hpp>
#include <chat/store/admin.hpp>
#include <chat/store/aliases.hpp>
#include <chat/store/current_state.hpp>
#include <chat/store/delivery.hpp>
#include <chat/store/devices.hpp>
#include <chat/store/events.hpp>
#include <chat/store/extremities.hpp>
#include <chat/store/filters.hpp>
#include <chat/store/media.hpp>
#include <chat/store/push_rules.hpp>
#include <chat/store/members.hpp>
#include <chat/store/openid_tokens.hpp>
#include <chat/store/presence.hpp>
#include <chat/store/push_actions.hpp>
#include <chat/store/receipts.hpp>
#include <chat/store/relations.hpp>
#include <chat/store/registration_tokens.hpp>
#include <chat/store/outbox.hpp>
#include <chat/store/reports.hpp>
#include <chat/store/rooms.hpp>
#include <chat/store/search.hpp>
#include <chat/store/state_groups.hpp>
#include <chat/store/stream.hpp>
#include <chat/store/streams.hpp>
#include <chat/store/tokens.hpp>
#include <chat/store/txn_ids.hpp>
#include <chat/store/user_directory.hpp>
#include <chat/store/users.hpp>
// End-to-end encryption (issue 11).
#include <chat/store/e2ee_keys.hpp>
#include <chat/store/key_backup.hpp>
#include <chat/store/to_device.hpp>
// Push notifications (issue 7).
#include <chat/store/pushers.hpp>
// Federation (issue 9).
#include <chat/store/server_keys.hpp>

namespace chat::store {

// A read transaction: one consistent snapshot of the store for its whole
// life. It never blocks the writer, and it does not see what commits after
// it began. The areas it hands out are valid only inside the function that
// Store::read() gave the transaction to, and only on that thread.
class ReadTxn {
public:
    // A transaction is bound to one connection and one function call.
    ReadTxn(const ReadTxn&) = delete;
    ReadTxn& operator=(const ReadTxn&) = delete;
    virtual ~ReadTxn() = default;

    virtual EventsReader& events() = 0;
    virtual StateGroupsReader& state() = 0;
    virtual CurrentStateReader& current_state() = 0;
    virtual ExtremitiesReader& extremities() = 0;
    virtual RoomsReader& rooms() = 0;
    virtual MembersReader& members() = 0;
    virtual ReceiptsReader& receipts() = 0;
    virtual AccountDataReader& account_data() = 0;
    virtual UsersReader& users() = 0;
    virtual DevicesReader& devices() = 0;
    virtual TokensReader& tokens() = 0;
    virtual MediaReader& media() = 0;
    virtual StreamsReader& streams() = 0;
    virtual TxnIdsReader& txn_ids() = 0;
    virtual FiltersReader& filters() = 0;
    virtual PushRulesReader& push_rules() = 0;
    virtual AliasesReader& aliases() = 0;
    // Written by Events::persist only, hence no writing half.
    virtual RelationsReader& relations() = 0;
    virtual ReportsReader& reports() = 0;
    virtual OpenIdTokensReader& openid_tokens() = 0;
    // Kept up to date by the writes of other areas: read-only.
    virtual SearchReader& search() = 0;
    virtual UserDirectoryReader& user_directory() = 0;
    // Issue 5: presence, and MSC4089 delivery (explicit and inferred).
    virtual PresenceReader& presence() = 0;
    virtual DeliveryReader& delivery() = 0;
    // Push rule outcomes per member and event (unread counts).
    virtual PushActionsReader& push_actions() = 0;
    // The admin API's queries and registration tokens (issue 12).
    virtual AdminReader& admin() = 0;
    virtual RegistrationTokensReader& registration_tokens() = 0;
    // End-to-end encryption: keys, to-device messages, key backups.
    virtual E2eeKeysReader& e2ee_keys() = 0;
    virtual ToDeviceReader& to_device() = 0;
    virtual KeyBackupReader& key_backup() = 0;
    // Pushers and their delivery positions (issue 7).
    virtual PushersReader& pushers() = 0;
    // Federation: PDUs queued per remote server.
    virtual OutboxReader& outbox() = 0;
    // Federation: remote servers' signing keys (issue 9).
    virtual ServerKeysReader& server_keys() = 0;

    Result<Position> current_position(Stream stream) { return streams().current(stream); }

protected:
    ReadTxn() = default;
};

// A write transaction: everything a ReadTxn offers (reads see this
// transaction's own writes) plus the writing half of every area. Given to one
// function of a group commit: its changes commit together with the group's,
// or roll back alone if the function returns an error.
class WriteTxn : public ReadTxn {
public:
    Events& events() override = 0;
    StateGroups& state() override = 0;
    CurrentState& current_state() override = 0;
    Extremities& extremities() override = 0;
    Rooms& rooms() override = 0;
    Members& members() override = 0;
    Receipts& receipts() override = 0;
    AccountData& account_data() override = 0;
    Users& users() override = 0;
    Devices& devices() override = 0;
    Tokens& tokens() override = 0;
    Media& media() override = 0;
    Streams& streams() override = 0;
    TxnIds& txn_ids() override = 0;
    Filters& filters() override = 0;
    PushRules& push_rules() override = 0;
    Aliases& aliases() override = 0;
    Reports& reports() override = 0;
    OpenIdTokens& openid_tokens() override = 0;
    Presence& presence() override = 0;
    Delivery& delivery() override = 0;
    PushActions& push_actions() override = 0;
    Admin& admin() override = 0;
    RegistrationTokens& registration_tokens() override = 0;
    E2eeKeys& e2ee_keys() override = 0;
    ToDevice& to_device() override = 0;
    KeyBackup& key_backup() override = 0;
    Pushers& pushers() override = 0;
    Outbox& outbox() override = 0;
    ServerKeys& server_keys() override = 0;

    // The position for a change written in this transaction (Streams::next).
    Result<Position> next_position(Stream stream) { return streams().next(stream); }
};

}  // namespace chat::store
