// SPDX-License-Identifier: GPL-2.0-or-later
// hb::Result<T>: a value or an hb::Error, for every expected failure.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hb {

/** Where in an input file a problem was found (for `FILE:LINE: error: ...`). */
struct SourceLoc {
  std::string file;
  int line = 0;
};

/** Broad error categories; the message says the rest. */
enum class Errc {
  InvalidArgument,
  NotFound,
  Io,
  Permission,
  Parse,
  Config,
  Timeout,
  Unsupported,
  Auth,
  Malformed,
  Internal,
};

/** An expected failure: a category, a human message, optionally a file and line. */
struct Error {
  Errc code = Errc::Internal;
  std::string message;
  std::optional<SourceLoc> where;

  /** "FILE:LINE: message" when a location is known, else the message. */
  std::string describe() const;
};

/** Convenience constructor: `return hb::err(Errc::Io, "cannot open " + path);` */
Error err(Errc code, std::string message);

/**
 * A value of type T or an Error. A minimal stand-in for C++23 std::expected (GCC 12 only ships
 * it under -std=c++23, which the project does not use); move to std::expected when we can.
 */
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/** Result<void>: success or an Error. */
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}  // NOLINT: implicit by design

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(!ok()); return *e_; }

 private:
  std::optional<Error> e_;
};

}  // namespace hb
