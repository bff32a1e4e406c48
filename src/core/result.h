#pragma once
//! Status and Result<T>: expected failures as values (GCC 12 has no std::expected).
//! A Status is either ok or carries a Problem, the same value the HTTP boundary renders,
//! so an error made deep in the store reaches the client unchanged.

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/problem.h"

namespace sluice {

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Problem problem) : problem_(std::move(problem)) {}  // NOLINT: implicit by design

  static Status Ok() { return {}; }
  bool ok() const { return !problem_.has_value(); }
  const Problem& problem() const { return *problem_; }
  Problem& problem() { return *problem_; }
  const std::string& message() const { return problem_->detail; }

 private:
  std::optional<Problem> problem_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT
  Result(Problem problem) : v_(std::move(problem)) {}  // NOLINT
  Result(Status status) : v_(std::move(status.problem())) {}  // must not be ok

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Problem& problem() const { return std::get<1>(v_); }
  Status status() const { return ok() ? Status() : Status(problem()); }

 private:
  std::variant<T, Problem> v_;
};

}  // namespace sluice
