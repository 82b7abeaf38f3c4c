#pragma once

#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "http/task.hpp"

namespace chat::daemon::test {

namespace detail {
// use_future needs a default-constructible value, which Result<T> is not.
template <typename T>
Task<std::optional<T>> optional_of(Task<T> task) {
    co_return co_await std::move(task);
}
}  // namespace detail

// Runs `task` to completion on a private io_context in this thread and
// returns its value (or rethrows its exception).
template <typename T>
T run_task(Task<T> task) {
    boost::asio::io_context io;
    auto result =
        boost::asio::co_spawn(io, detail::optional_of(std::move(task)), boost::asio::use_future);
    io.run();
    return std::move(*result.get());
}

}  // namespace chat::daemon::test
