#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include <chat/core/error.hpp>

namespace chat {

// Result<T> holds a T or an Error, shaped like C++23 std::expected so that the
// switch is mechanical later. Built implicitly from either; test it with
// `if (!r) return r.error();`. Dereferencing an error is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
public:
    using value_type = T;

    Result(const T& value) : data_(std::in_place_index<0>, value) {}  // NOLINT: implicit by design
    Result(T&& value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
    Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    template <typename U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
                 !std::is_same_v<std::remove_cvref_t<U>, Error> &&
                 !std::is_same_v<std::remove_cvref_t<U>, Result>)
    Result(U&& value) : data_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

    bool has_value() const noexcept { return data_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(data_); }
    const T& value() const& { assert(has_value()); return std::get<0>(data_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(data_)); }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { assert(!has_value()); return std::get<1>(data_); }
    Error&& error() && { assert(!has_value()); return std::get<1>(std::move(data_)); }

    template <typename U>
    T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, Error> data_;
};

struct Ok {};

template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;

    Result(Ok) {}  // NOLINT: implicit by design
    Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT

    bool has_value() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return has_value(); }
    const Error& error() const& { assert(failed_); return error_; }
    Error&& error() && { assert(failed_); return std::move(error_); }

private:
    Error error_{};
    bool failed_ = false;
};

// The success value of Result<void>.
inline Ok ok() noexcept { return {}; }

}  // namespace chat
