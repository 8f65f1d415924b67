// SPDX-License-Identifier: GPL-2.0-or-later
// Parser diagnostics in the compiler format editors jump to: `FILE:LINE: error: TEXT`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/result.h"
#include "resources/base/text.h"  // splitLines, used by every parser

namespace hb {

enum class Severity { Error, Warning };

/** One problem found in an input file. */
struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc where;
  std::string text;

  /** `FILE:LINE: error: TEXT` (or `warning:`); `FILE: error: TEXT` when line is 0. */
  std::string format() const;
};

/**
 * What a pure parser returns: the parsed value (absent when an error made it unusable) and
 * every diagnostic, in file order. Parsers never stop at the first problem.
 */
template <class T>
struct ParseResult {
  std::optional<T> value;
  std::vector<Diagnostic> diagnostics;

  bool hasErrors() const {
    for (const auto& d : diagnostics) {
      if (d.severity == Severity::Error) return true;
    }
    return false;
  }
  /** Usable: a value and no error. */
  bool ok() const { return value.has_value() && !hasErrors(); }
};

/** Collects diagnostics for one file; helper for parsers. */
class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file) : file_(std::move(file)) {}
  void error(int line, std::string text) { add(Severity::Error, line, std::move(text)); }
  void warning(int line, std::string text) { add(Severity::Warning, line, std::move(text)); }
  void add(Severity s, int line, std::string text) {
    list_.push_back(Diagnostic{s, SourceLoc{file_, line}, std::move(text)});
  }
  bool hasErrors() const {
    for (const auto& d : list_) {
      if (d.severity == Severity::Error) return true;
    }
    return false;
  }
  const std::string& file() const { return file_; }
  std::vector<Diagnostic>& list() { return list_; }
  std::vector<Diagnostic> take() { return std::move(list_); }

 private:
  std::string file_;
  std::vector<Diagnostic> list_;
};

}  // namespace hb
