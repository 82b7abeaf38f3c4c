#pragma once

#include <boost/asio/awaitable.hpp>

namespace chat::daemon {

// A coroutine that runs on an Asio executor. Await it from another Task, or
// start it with co_spawn. The federation runtime will own this alias once it
// exists; handlers only ever name Task<T>.
template <typename T>
using Task = boost::asio::awaitable<T>;

}  // namespace chat::daemon
