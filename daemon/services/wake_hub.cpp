#include "services/wake_hub.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chat::daemon {

namespace asio = boost::asio;

struct WakeHub::Waiter {
    explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
};

void WakeHub::advanced(store::Stream stream, store::Position position) {
    wake_all();
    if (listener_ != nullptr) listener_->local_advanced(stream, position);
}

void WakeHub::poke() {
    wake_all();
    if (listener_ != nullptr) listener_->local_poke();
}

void WakeHub::wake_all() {
    std::lock_guard lock(mutex_);
    // Bumped under the lock that wait_past() checks it under, so a waiter
    // either sees the new generation or is in the list when we wake it.
    generation_.fetch_add(1);
    for (const auto& waiter : waiters_) {
        // A timer may only be touched from its own executor (the session's strand).
        asio::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
    }
}

Task<bool> WakeHub::wait_past(std::uint64_t seen, std::chrono::milliseconds timeout) {
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor);
    waiter->timer.expires_after(timeout);
    std::list<std::shared_ptr<Waiter>>::iterator position;
    {
        std::lock_guard lock(mutex_);
        if (generation_.load() > seen) co_return true;
        position = waiters_.insert(waiters_.end(), waiter);
    }
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    {
        std::lock_guard lock(mutex_);
        waiters_.erase(position);
    }
    co_return generation_.load() > seen;
}

std::size_t WakeHub::waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

}  // namespace chat::daemon
