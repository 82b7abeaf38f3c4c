#pragma once

#include <boost/asio/awaitable.hpp>

namespace chat::federation {

// A coroutine that runs on an Asio executor. Await it from another Task, or
// start it with co_spawn. Every asynchronous function of federation and chatd
// returns one.
template <typename T>
using Task = boost::asio::awaitable<T>;

}  // namespace chat::federation
