// Device management (spec client-server.md §3): list, get, rename, delete.

#include <chat/accounts/account_service.hpp>

#include "accounts/validation.hpp"

namespace chat::accounts {

Result<std::vector<Device>> AccountService::list_devices(const UserId& user) {
    return store_.read("list_devices",
                       [&](store::ReadTxn& txn) { return txn.devices().list(user); });
}

Result<Device> AccountService::get_device(const UserId& user, std::string_view device_id) {
    auto row = store_.read("get_device",
                           [&](store::ReadTxn& txn) { return txn.devices().get(user, device_id); });
    if (!row) return row.error();
    if (!*row) return make_error(Errc::not_found, "Unknown device.");
    return std::move(**row);
}

Result<void> AccountService::rename_device(const UserId& user, std::string_view device_id,
                                           std::optional<std::string> display_name) {
    if (auto valid = detail::check_device_display_name(display_name); !valid) return valid.error();
    return store_.write("rename_device", [&](store::WriteTxn& txn) {
        return txn.devices().set_display_name(user, device_id, display_name);
    });
}

Result<bool> AccountService::delete_device(const UserId& user, std::string_view device_id) {
    // The device's access tokens go with it (Devices::remove).
    return store_.write("delete_device", [&](store::WriteTxn& txn) {
        return txn.devices().remove(user, device_id);
    });
}

Result<std::int64_t> AccountService::delete_devices(const UserId& user,
                                                    std::span<const std::string> device_ids) {
    return store_.write("delete_devices", [&](store::WriteTxn& txn) -> Result<std::int64_t> {
        std::int64_t removed = 0;
        for (const auto& id : device_ids) {
            auto gone = txn.devices().remove(user, id);
            if (!gone) return gone.error();
            removed += *gone ? 1 : 0;
        }
        return removed;
    });
}

}  // namespace chat::accounts
