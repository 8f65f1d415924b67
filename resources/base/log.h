// SPDX-License-Identifier: GPL-2.0-or-later
// Logging: levels and subsystems as Pacemaker uses them, an injected sink, compile-time checked
// formats (fmt). Libraries never write to syslog or files themselves.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "resources/base/scheduler.h"

namespace hb {

/** Pacemaker's levels and meanings: crit = about to exit ... trace = very verbose. */
enum class LogLevel { Crit = 2, Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7, Trace = 8 };

/** Which part of hbd speaks; printed as a tag on every line. */
enum class Subsys { Daemon, Config, Link, Message, Membership, Exec, Cib, Policy, Crm, Control, Vrrp };

std::string_view levelName(LogLevel l);
std::string_view subsysName(Subsys s);

/** One log line before it is formatted for a destination. */
struct LogRecord {
  LogLevel level;
  Subsys subsys;
  std::string text;
  const char* file;
  int line;
};

/**
 * Where log records go. The daemon installs a sink that writes files/syslog/stderr; tests use
 * MemoryLogSink. Loop thread only.
 */
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual bool enabled(LogLevel level) const = 0;
  virtual void write(const LogRecord& record) = 0;
};

/** A sink that drops everything (for code that was given no sink). */
LogSink& nullLogSink();

/** Formats one record as `LEVEL: [subsys] text` (no timestamp). */
std::string formatRecord(const LogRecord& r);

}  // namespace hb

/**
 * HB_LOG(sink, Notice, Membership, "node {} dead after {} ms", node, ms);
 * The format string is checked at compile time; arguments are not evaluated when the level is off.
 */
#define HB_LOG(sink, level, subsys, fmtstr, ...)                                                 \
  do {                                                                                           \
    ::hb::LogSink& hb_log_sink_ = (sink);                                                        \
    if (hb_log_sink_.enabled(::hb::LogLevel::level)) {                                           \
      hb_log_sink_.write(::hb::LogRecord{::hb::LogLevel::level, ::hb::Subsys::subsys,            \
                                         ::fmt::format(FMT_STRING(fmtstr) __VA_OPT__(, ) __VA_ARGS__), \
                                         __FILE__, __LINE__});                                   \
    }                                                                                            \
  } while (0)
