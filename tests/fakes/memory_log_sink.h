// SPDX-License-Identifier: GPL-2.0-or-later
// MemoryLogSink: keeps log records for tests that assert on logging behaviour.
#pragma once

#include <string>
#include <vector>

#include "resources/base/log.h"

namespace hb::test {

class MemoryLogSink final : public LogSink {
 public:
  explicit MemoryLogSink(LogLevel max = LogLevel::Trace) : max_(max) {}
  bool enabled(LogLevel level) const override { return level <= max_; }
  void write(const LogRecord& r) override { records.push_back(r); }

  /** Number of records whose text contains `needle`. */
  std::size_t count(const std::string& needle) const {
    std::size_t n = 0;
    for (const auto& r : records) n += r.text.find(needle) != std::string::npos;
    return n;
  }
  std::vector<LogRecord> records;

 private:
  LogLevel max_;
};

}  // namespace hb::test
