#pragma once
//! Result<T>: a T or the error Status that explains why there is none (GCC 12 has no
//! std::expected). Status itself is in core/status.h.

#include <utility>
#include <variant>

#include "core/status.h"

namespace sluice {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  //! A failure. An ok `status` carries no T, so it is a caller's bug: it becomes an internal
  //! error rather than a Result that claims a value it does not hold.
  Result(Status status)  // NOLINT: implicit by design
      : v_(status.ok() ? InternalError("Result made from an ok Status, without a value") : std::move(status)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  //! The value; throws std::bad_variant_access when !ok() (check first).
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  //! The error; an ok Status when there is a value.
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sluice
