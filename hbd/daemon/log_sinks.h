// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's log destinations: heartbeat's logfile, debugfile and logfacility (syslog), plus
// stderr in the foreground.
#pragma once

#include <cstdio>
#include <string>

#include "resources/base/log.h"
#include "resources/base/scheduler.h"

namespace hb::daemon {

/** Where and how much to log; mapped from ha.cf (logfile, debugfile, logfacility, debug). */
struct LogOptions {
  std::string node;
  std::string logfile;      ///< non-debug messages; empty = none
  std::string debugfile;    ///< every message (debug too when debug > 0); empty = none
  std::string facility;     ///< syslog facility name; empty or "none" = no syslog
  int debug = 0;            ///< heartbeat's debug level: 0 = up to info, >=1 debug, >=2 trace
  bool to_stderr = false;   ///< foreground
};

/**
 * Writes each record as `YYYY/MM/DD_HH:MM:SS.mmm NODE hbd[PID]: LEVEL: [subsys] text` to the files
 * (opened in append mode, line-buffered, reopened on SIGHUP for log rotation) and to syslog.
 */
class DaemonLogSink final : public LogSink {
 public:
  DaemonLogSink(const Scheduler& clock, LogOptions o);
  ~DaemonLogSink() override;
  DaemonLogSink(const DaemonLogSink&) = delete;
  DaemonLogSink& operator=(const DaemonLogSink&) = delete;

  bool enabled(LogLevel level) const override;
  void write(const LogRecord& r) override;
  /** Re-opens the files (after logrotate) and applies new options. */
  void reopen(LogOptions o);
  void setStderr(bool on) { opts_.to_stderr = on; }

 private:
  void open();
  void closeAll();
  const Scheduler& clock_;
  LogOptions opts_;
  std::FILE* log_ = nullptr;
  std::FILE* debug_ = nullptr;
  bool syslog_ = false;
};

}  // namespace hb::daemon
