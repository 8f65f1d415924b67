// SPDX-License-Identifier: GPL-2.0-or-later
// `hbctl agent run`: argument parsing, a private loop, and the result line.
#include "hbd/tools/hbctl_agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <climits>
#include <iostream>

#include "resources/agents/agents.h"
#include "resources/base/asio_scheduler.h"

namespace hb::tools {
namespace {

using resources::ActionRequest;
using resources::ActionResult;
using resources::AgentClass;
using resources::Outcome;

constexpr const char* kUsage =
    "usage: hbctl agent run [--resource NAME] [--timeout DURATION] [--interval DURATION]\n"
    "                       [--ocf-root DIR] [--hbd-agents DIR] [--init-dir DIR] [--config-dir DIR] [-v]\n"
    "                       CLASS:[PROVIDER:]TYPE ACTION [name=value | arg ...]\n";

// Writes runner log records to a stream (only when -v was given).
class StreamLogSink final : public LogSink {
 public:
  StreamLogSink(std::ostream& os, LogLevel max) : os_(os), max_(max) {}
  bool enabled(LogLevel level) const override { return level <= max_; }
  void write(const LogRecord& r) override { os_ << formatRecord(r) << '\n'; }

 private:
  std::ostream& os_;
  LogLevel max_;
};

std::string buildTreeHbdDir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string exe(buf, static_cast<std::size_t>(n));
  auto slash = exe.rfind('/');
  if (slash == std::string::npos) return {};
  std::string dir = exe.substr(0, slash) + "/../ocf/resource.d/hbd";
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? dir : std::string();
}

}  // namespace

int hbctlAgentRun(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  resources::AgentRunnerOptions opt;
  if (auto dir = buildTreeHbdDir(); !dir.empty()) opt.paths.hbdAgentDir = dir;
  std::string resource;
  std::optional<std::chrono::milliseconds> timeout;
  std::chrono::milliseconds interval{0};
  int verbose = 0;
  std::size_t i = 0;
  auto usage = [&](const std::string& why) {
    err << "hbctl: " << why << '\n' << kUsage;
    return 2;
  };
  for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
    const std::string& a = args[i];
    if (a == "-v") { ++verbose; continue; }
    if (a == "-vv") { verbose += 2; continue; }
    if (a == "--") { ++i; break; }
    if (i + 1 >= args.size()) return usage("option " + a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--resource") {
      resource = v;
    } else if (a == "--timeout" || a == "--interval") {
      auto d = resources::parseAgentDuration(v);
      if (!d) return usage(a + ": " + d.error().message);
      if (a == "--timeout") {
        if (d->count() <= 0) return usage("--timeout must be positive");
        timeout = *d;
      } else {
        interval = *d;
      }
    } else if (a == "--ocf-root") {
      opt.paths.ocfRoot = v;
    } else if (a == "--hbd-agents") {
      opt.paths.hbdAgentDir = v;
    } else if (a == "--init-dir") {
      opt.paths.initDir = v;
    } else if (a == "--config-dir") {
      opt.paths.configDir = v;
    } else {
      return usage("unknown option " + a);
    }
  }
  if (args.size() - i < 2) return usage("need an agent and an action");
  auto spec = resources::parseAgentSpec(args[i]);
  if (!spec) return usage(spec.error().message);
  ActionRequest req;
  req.spec = *spec;
  req.action = args[i + 1];
  req.resource = resource.empty() ? spec->type : resource;
  req.timeout = timeout;
  req.interval = interval;
  for (std::size_t k = i + 2; k < args.size(); ++k) {
    const std::string& w = args[k];
    if (spec->cls == AgentClass::Heartbeat) {
      req.args.push_back(w);
      continue;
    }
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return usage("expected name=value, got '" + w + "'");
    req.params[w.substr(0, eq)] = w.substr(eq + 1);
  }

  boost::asio::io_context io;
  AsioScheduler sched(io);
  StreamLogSink sink(err, verbose >= 2 ? LogLevel::Debug : verbose == 1 ? LogLevel::Info : LogLevel::Crit);
  LogSink& log = verbose > 0 ? static_cast<LogSink&>(sink) : nullLogSink();
  resources::AgentRunner runner(sched, io, log, opt);
  std::optional<ActionResult> result;
  auto id = runner.run(req, [&](const ActionResult& r) { result = r; });
  if (!id) {
    err << "hbctl: error: " << id.error().message << '\n';
    return 1;
  }
  io.run();
  if (!result) {
    err << "hbctl: error: no result\n";
    return 1;
  }
  const ActionResult& r = *result;
  if (r.outcome == Outcome::ConfigError) {
    err << "hbctl: error: " << r.error << '\n';
    return 1;
  }
  if (req.action == "meta-data") out << r.stdoutTail;
  out << r.resultWord() << " rc=" << r.exitCode << " duration=" << r.duration.count() << "ms";
  if (r.outcome != Outcome::Success || r.ocfStatus != resources::OcfStatus::Success) {
    out << " status=" << resources::ocfStatusName(r.ocfStatus);
  }
  if (r.signal != 0) out << " signal=" << r.signal;
  if (!r.exitReason.empty()) out << " reason=\"" << r.exitReason << '"';
  if (!r.error.empty()) out << " error=\"" << r.error << '"';
  out << '\n';
  out.flush();
  switch (r.outcome) {
    case Outcome::Success: return 0;
    case Outcome::NotRunning: return 7;
    default: return 1;
  }
}

}  // namespace hb::tools
