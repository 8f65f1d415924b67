// SPDX-License-Identifier: GPL-2.0-or-later
// Log level and subsystem names; the null sink.
#include "resources/base/log.h"

namespace hb {

std::string_view levelName(LogLevel l) {
  switch (l) {
    case LogLevel::Crit: return "CRIT";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warning: return "WARN";
    case LogLevel::Notice: return "notice";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
    case LogLevel::Trace: return "trace";
  }
  return "?";
}

std::string_view subsysName(Subsys s) {
  switch (s) {
    case Subsys::Daemon: return "daemon";
    case Subsys::Config: return "config";
    case Subsys::Link: return "link";
    case Subsys::Message: return "message";
    case Subsys::Membership: return "membership";
    case Subsys::Exec: return "exec";
    case Subsys::Cib: return "cib";
    case Subsys::Policy: return "policy";
    case Subsys::Crm: return "crm";
    case Subsys::Control: return "control";
    case Subsys::Vrrp: return "vrrp";
  }
  return "?";
}

std::string formatRecord(const LogRecord& r) {
  return fmt::format("{}: [{}] {}", levelName(r.level), subsysName(r.subsys), r.text);
}

namespace {
class NullSink final : public LogSink {
 public:
  bool enabled(LogLevel) const override { return false; }
  void write(const LogRecord&) override {}
};
}  // namespace

LogSink& nullLogSink() {
  static NullSink sink;
  return sink;
}

}  // namespace hb
