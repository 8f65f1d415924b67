// SPDX-License-Identifier: GPL-2.0-or-later
// DaemonLogSink: files, syslog and stderr.
#include "hbd/daemon/log_sinks.h"

#include <syslog.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <string_view>
#include <utility>

namespace hb::daemon {
namespace {

int facilityCode(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int>, 17> kTable{{
      {"auth", LOG_AUTH}, {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON}, {"daemon", LOG_DAEMON},
      {"kern", LOG_KERN}, {"lpr", LOG_LPR}, {"mail", LOG_MAIL}, {"news", LOG_NEWS},
      {"user", LOG_USER}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
      {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
      {"local7", LOG_LOCAL7},
  }};
  for (const auto& [n, code] : kTable) {
    if (n == name) return code;
  }
  return LOG_DAEMON;
}

int syslogPriority(LogLevel l) {
  switch (l) {
    case LogLevel::Crit: return LOG_CRIT;
    case LogLevel::Error: return LOG_ERR;
    case LogLevel::Warning: return LOG_WARNING;
    case LogLevel::Notice: return LOG_NOTICE;
    case LogLevel::Info: return LOG_INFO;
    case LogLevel::Debug:
    case LogLevel::Trace: return LOG_DEBUG;
  }
  return LOG_INFO;
}

}  // namespace

DaemonLogSink::DaemonLogSink(const Scheduler& clock, LogOptions o) : clock_(clock), opts_(std::move(o)) { open(); }

DaemonLogSink::~DaemonLogSink() { closeAll(); }

void DaemonLogSink::open() {
  if (!opts_.logfile.empty()) {
    log_ = std::fopen(opts_.logfile.c_str(), "ae");
    if (log_ != nullptr) std::setvbuf(log_, nullptr, _IOLBF, 0);
  }
  if (!opts_.debugfile.empty() && opts_.debugfile != opts_.logfile) {
    debug_ = std::fopen(opts_.debugfile.c_str(), "ae");
    if (debug_ != nullptr) std::setvbuf(debug_, nullptr, _IOLBF, 0);
  }
  if (!opts_.facility.empty() && opts_.facility != "none") {
    ::openlog("hbd", LOG_PID | LOG_NDELAY, facilityCode(opts_.facility));
    syslog_ = true;
  }
}

void DaemonLogSink::closeAll() {
  if (log_ != nullptr) std::fclose(log_);
  if (debug_ != nullptr) std::fclose(debug_);
  log_ = debug_ = nullptr;
  if (syslog_) ::closelog();
  syslog_ = false;
}

void DaemonLogSink::reopen(LogOptions o) {
  closeAll();
  opts_ = std::move(o);
  open();
}

bool DaemonLogSink::enabled(LogLevel level) const {
  if (level <= LogLevel::Info) return true;
  if (level == LogLevel::Debug) return opts_.debug >= 1;
  return opts_.debug >= 2;
}

void DaemonLogSink::write(const LogRecord& r) {
  const auto wall = clock_.wallNow();
  const std::time_t secs = std::chrono::system_clock::to_time_t(wall);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::localtime_r(&secs, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d_%H:%M:%S", &tm);
  const std::string body = formatRecord(r);
  const std::string line = fmt::format("{}.{:03d} {} hbd[{}]: {}\n", stamp, ms, opts_.node, ::getpid(), body);
  const bool debug_level = r.level >= LogLevel::Debug;
  if (log_ != nullptr && !debug_level) std::fputs(line.c_str(), log_);
  if (debug_ != nullptr) std::fputs(line.c_str(), debug_);
  if (opts_.to_stderr) std::fputs(line.c_str(), stderr);
  if (syslog_) ::syslog(syslogPriority(r.level), "%s", body.c_str());
}

}  // namespace hb::daemon
