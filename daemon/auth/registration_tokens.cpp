#include "auth/registration_tokens.hpp"

#include <chat/federation/runtime/blocking_pool.hpp>
#include <chat/store/txn.hpp>

#include "services/services.hpp"

namespace chat::daemon {

Task<Result<bool>> reserve_registration_token(const Services& services, std::string token) {
    if (token.empty()) co_return false;
    const auto now = services.clock->now_ms();
    co_return co_await services.db->write("reserve_registration_token",
                                          [&](store::WriteTxn& txn) {
                                              return txn.registration_tokens().reserve(token, now);
                                          });
}

Task<Result<void>> finish_registration_token(const Services& services, std::string token,
                                             bool registered) {
    co_return co_await services.db->write(
        "finish_registration_token", [&](store::WriteTxn& txn) {
            return txn.registration_tokens().finish(token, registered);
        });
}

}  // namespace chat::daemon
