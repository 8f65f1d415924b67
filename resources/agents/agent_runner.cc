// SPDX-License-Identifier: GPL-2.0-or-later
// AgentRunner: validation, environment per class, timeouts (TERM, then KILL), output capture.
#include <signal.h>

#include <algorithm>
#include <cstdlib>

#include "resources/agents/agents.h"

namespace hb::resources {
namespace {

constexpr std::size_t kMetadataTailBytes = 1024 * 1024;  // meta-data XML must arrive whole
constexpr std::string_view kExitReasonPrefix = "ocf-exit-reason:";
constexpr std::size_t kMaxExitReason = 512;

bool validEnvName(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool allDigits(std::string_view n) {
  return !n.empty() && n.size() < 6 &&
         std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isMonitor(std::string_view a) { return a == "monitor" || a == "status"; }

// What the agent gets as its action argument.
std::string execAction(AgentClass cls, const std::string& action) {
  if (cls != AgentClass::Ocf && action == "monitor") return "status";
  return action;
}

std::string capitalized(std::string_view s) {
  std::string r(s);
  if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 32);
  return r;
}

// One output stream of one action: a bounded tail, line splitting, bounded logging.
struct StreamCapture {
  std::size_t cap = 0;
  std::string tail;
  std::uint64_t total = 0;
  std::string partial;
  bool partialCut = false;
  std::size_t logged = 0;
  std::size_t notLogged = 0;

  void reset(std::size_t tailCap) { *this = StreamCapture{}; cap = tailCap; }

  void appendTail(std::string_view chunk) {
    total += chunk.size();
    if (chunk.size() >= cap) {
      tail.assign(chunk.substr(chunk.size() - cap));
      return;
    }
    tail.append(chunk);
    if (tail.size() > 2 * cap) tail.erase(0, tail.size() - cap);  // amortised trimming
  }
  std::string takeTail() {
    if (tail.size() > cap) tail.erase(0, tail.size() - cap);
    return std::move(tail);
  }
};

}  // namespace

struct AgentRunner::Impl : std::enable_shared_from_this<AgentRunner::Impl> {
  enum class State { Metadata, Spawned, TermSent, KillSent };

  struct Action {
    std::uint64_t id = 0;
    ActionRequest req;
    std::function<void(const ActionResult&)> done;
    std::string path;
    State state = State::Spawned;
    bool metadataPhase = false;
    bool timedOut = false;
    bool cancelled = false;
    bool willNotDieLogged = false;
    std::chrono::milliseconds timeout{0};
    ProcessPtr proc;
    TimerPtr timer;
    MonoTime started{};
    StreamCapture out, err;
    std::string exitReason;
  };

  Impl(Scheduler& s, boost::asio::io_context& io, LogSink& l, AgentRunnerOptions o,
       ProcessLauncher* injected)
      : sched(s), log(l), opt(std::move(o)) {
    if (injected == nullptr) {
      owned = makeSpawnLauncher(io, l, opt.launcher);
      injected = owned.get();
    }
    launcher = injected;
  }

  Scheduler& sched;
  LogSink& log;
  AgentRunnerOptions opt;
  ProcessLauncherPtr owned;
  ProcessLauncher* launcher = nullptr;
  std::uint64_t nextId = 1;
  std::map<std::uint64_t, std::unique_ptr<Action>> actions;
  std::map<std::string, AgentMetadata> metadata;  // key: AgentSpec::toString()

  // ------------------------------------------------------------------ validation
  Result<std::string> validate(const ActionRequest& r) const {
    auto bad = [&](std::string why) {
      return err(Errc::Config, "resource '" + r.resource + "' (" + r.spec.toString() + "): " +
                                   std::move(why));
    };
    if (r.resource.empty()) {
      return err(Errc::InvalidArgument, "agent " + r.spec.toString() + ": empty resource name");
    }
    if (r.action.empty() || !std::all_of(r.action.begin(), r.action.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
        })) {
      return bad("bad action name '" + r.action + "'");
    }
    if (r.resource.find('\0') != std::string::npos) return bad("bad resource name");
    for (const auto& [k, v] : r.params) {
      if (v.find('\0') != std::string::npos) return bad("parameter '" + k + "' contains NUL");
    }
    switch (r.spec.cls) {
      case AgentClass::Ocf:
        if (!r.args.empty()) return bad("ocf agents take no positional arguments");
        for (const auto& [k, v] : r.params) {
          if (!validEnvName(k)) return bad("bad parameter name '" + k + "'");
        }
        break;
      case AgentClass::Lsb:
        if (!r.params.empty() || !r.args.empty()) return bad("lsb scripts take no parameters");
        break;
      case AgentClass::Heartbeat:
        if (!r.args.empty() && !r.params.empty()) {
          return bad("give heartbeat arguments either positionally or as numbered parameters");
        }
        for (const auto& [k, v] : r.params) {
          if (!allDigits(k) || k == "0") {
            return bad("heartbeat scripts take positional arguments (parameters 1, 2, ...), not '" +
                       k + "'");
          }
        }
        for (const auto& a : r.args) {
          if (a.find('\0') != std::string::npos) return bad("argument contains NUL");
        }
        break;
    }
    auto path = resolveAgentPath(r.spec, opt.paths);
    if (!path) {
      // The prefix names the agent already; say it once.
      std::string why = path.error().message;
      const std::string prefix = "agent " + r.spec.toString() + ": ";
      if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
      return bad(std::move(why));
    }
    if (r.spec.cls == AgentClass::Ocf && r.action != "meta-data") {
      if (const AgentMetadata* md = cached(r.spec)) {
        if (auto missing = requiredError(*md, r); !missing.empty()) return bad(missing);
      }
    }
    return path;
  }

  static std::string requiredError(const AgentMetadata& md, const ActionRequest& r) {
    // A resource without a required parameter is misconfigured whatever the action; only
    // meta-data (which needs no parameters) is exempt (see validate()).
    auto missing = md.missingRequired(r.params);
    if (missing.empty()) return {};
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    return "missing required parameter" + std::string(missing.size() > 1 ? "s " : " ") + names;
  }

  const AgentMetadata* cached(const AgentSpec& spec) const {
    auto it = metadata.find(spec.toString());
    return it == metadata.end() ? nullptr : &it->second;
  }

  // ------------------------------------------------------------------ environment
  ProcessSpec buildSpec(const Action& a, bool forMetadata) const {
    const ActionRequest& r = a.req;
    ProcessSpec p;
    p.path = a.path;
    p.argv.push_back(a.path);
    p.env.push_back("PATH=" + opt.paths.path);
    p.env.push_back("LANG=C");
    switch (r.spec.cls) {
      case AgentClass::Ocf: {
        const std::string action = forMetadata ? "meta-data" : r.action;
        p.argv.push_back(action);
        p.env.push_back("OCF_ROOT=" + opt.paths.ocfRoot);
        p.env.push_back("OCF_RA_VERSION_MAJOR=1");
        p.env.push_back("OCF_RA_VERSION_MINOR=1");
        p.env.push_back("OCF_RESOURCE_INSTANCE=" + r.resource);
        p.env.push_back("OCF_RESOURCE_TYPE=" + r.spec.type);
        p.env.push_back("OCF_RESOURCE_PROVIDER=" + r.spec.provider);
        if (!forMetadata) {
          for (const auto& [k, v] : r.params) p.env.push_back("OCF_RESKEY_" + k + "=" + v);
        }
        p.env.push_back("OCF_RESKEY_CRM_meta_timeout=" + std::to_string(a.timeout.count()));
        if (!forMetadata && isMonitor(action)) {
          p.env.push_back("OCF_RESKEY_CRM_meta_interval=" + std::to_string(r.interval.count()));
        }
        break;
      }
      case AgentClass::Lsb:
        p.argv.push_back(execAction(r.spec.cls, r.action));
        break;
      case AgentClass::Heartbeat: {
        if (!r.args.empty()) {
          p.argv.insert(p.argv.end(), r.args.begin(), r.args.end());
        } else {
          std::vector<std::pair<int, std::string>> numbered;
          for (const auto& [k, v] : r.params) {
            // Only "1", "2", ... are positional; anything else has no place on a command line.
            char* end = nullptr;
            const long n = std::strtol(k.c_str(), &end, 10);
            if (!k.empty() && end != nullptr && *end == '\0' && n > 0) numbered.emplace_back(static_cast<int>(n), v);
          }
          std::sort(numbered.begin(), numbered.end());
          for (auto& [n, v] : numbered) p.argv.push_back(v);
        }
        p.argv.push_back(execAction(r.spec.cls, r.action));
        p.env.push_back("HA_DIR=" + opt.paths.configDir);
        p.env.push_back("HA_FUNCS=" + opt.paths.configDir + "/shellfuncs");
        if (!opt.nodeName.empty()) p.env.push_back("HA_CURHOST=" + opt.nodeName);
        break;
      }
    }
    // Agents keep their runtime state (pid files, state files) here; one directory per hbd, so
    // several daemons on one host (each with its own --run-dir) do not share it.
    if (!opt.stateDir.empty()) p.env.push_back("HA_RSCTMP=" + opt.stateDir);
    return p;
  }

  std::chrono::milliseconds timeoutFor(const ActionRequest& r) const {
    if (r.timeout) return *r.timeout;
    if (r.spec.cls == AgentClass::Ocf) {
      if (const AgentMetadata* md = cached(r.spec)) {
        if (auto t = md->actionTimeout(r.action)) return *t;
      }
    }
    return opt.defaultTimeout;
  }

  // ------------------------------------------------------------------ lifecycle
  Result<std::uint64_t> run(ActionRequest req, std::function<void(const ActionResult&)> done) {
    auto path = validate(req);
    if (!path) {
      HB_LOG(log, Error, Exec, "Refused {} of {}: {} | rsc={} op={}", req.action, req.resource,
             path.error().message, req.resource, req.action);
      return path.error();
    }
    auto a = std::make_unique<Action>();
    a->id = nextId++;
    a->req = std::move(req);
    a->done = std::move(done);
    a->path = std::move(*path);
    const bool needMetadata = a->req.spec.cls == AgentClass::Ocf &&
                              a->req.action != "meta-data" && cached(a->req.spec) == nullptr;
    const std::uint64_t id = a->id;
    Result<void> started = needMetadata ? startPhase(*a, true) : startPhase(*a, false);
    if (!started) {
      HB_LOG(log, Error, Exec, "Could not start {} of {}: {} | rsc={} op={}", a->req.action,
             a->req.resource, started.error().message, a->req.resource, a->req.action);
      return err(started.error().code, "resource '" + a->req.resource + "' (" +
                                           a->req.spec.toString() + "): " + started.error().message);
    }
    actions.emplace(id, std::move(a));
    return id;
  }

  Result<void> startPhase(Action& a, bool forMetadata) {
    a.metadataPhase = forMetadata;
    a.timedOut = false;
    a.willNotDieLogged = false;
    a.exitReason.clear();
    a.timeout = forMetadata ? opt.metadataTimeout : timeoutFor(a.req);
    const bool bigStdout = forMetadata || a.req.action == "meta-data";
    a.out.reset(bigStdout ? std::max(kMetadataTailBytes, opt.outputTailBytes) : opt.outputTailBytes);
    a.err.reset(opt.outputTailBytes);
    ProcessSpec spec = buildSpec(a, forMetadata);
    std::weak_ptr<Impl> weak = shared_from_this();
    const std::uint64_t id = a.id;
    ProcessCallbacks cb;
    cb.onOutput = [weak, id](OutputStream s, std::string_view chunk) {
      if (auto self = weak.lock()) self->onOutput(id, s, chunk);
    };
    cb.onExit = [weak, id](ExitStatus st) {
      if (auto self = weak.lock()) self->onExit(id, st);
    };
    a.started = sched.now();
    auto proc = launcher->launch(spec, std::move(cb));
    if (!proc) return proc.error();
    a.proc = std::move(*proc);
    a.state = forMetadata ? State::Metadata : State::Spawned;
    HB_LOG(log, Debug, Exec, "Running {} {} | rsc={} op={} pid={} timeout_ms={}", a.path,
           forMetadata ? std::string("meta-data") : a.req.action, a.req.resource,
           forMetadata ? std::string("meta-data") : a.req.action, a.proc->pid(), a.timeout.count());
    if (!a.timer) a.timer = sched.createTimer();
    a.timer->arm(a.timeout, [weak, id] {
      if (auto self = weak.lock()) self->onDeadline(id, false);
    });
    return {};
  }

  Action* find(std::uint64_t id) {
    auto it = actions.find(id);
    return it == actions.end() ? nullptr : it->second.get();
  }

  // Timeout (or cancel): TERM the group, then KILL after the grace period.
  void onDeadline(std::uint64_t id, bool cancel) {
    Action* a = find(id);
    if (a == nullptr || !a->proc) return;
    std::weak_ptr<Impl> weak = shared_from_this();
    auto rearm = [&] {
      a->timer->arm(opt.killGrace, [weak, id] {
        if (auto self = weak.lock()) self->onDeadline(id, false);
      });
    };
    const std::string op = a->metadataPhase ? "meta-data" : a->req.action;
    if (cancel) {
      if (a->cancelled) return;
      a->cancelled = true;
    }
    switch (a->state) {
      case State::Metadata:
      case State::Spawned:
        if (!cancel) a->timedOut = true;
        HB_LOG(log, Warning, Exec, "{} of {} {}: sending TERM | rsc={} op={} pid={} timeout_ms={}",
               capitalized(op), a->req.resource, cancel ? "cancelled" : "timed out",
               a->req.resource, op, a->proc->pid(), a->timeout.count());
        a->proc->killGroupOnExit();
        a->proc->signalGroup(SIGTERM);
        a->state = State::TermSent;
        rearm();
        break;
      case State::TermSent:
        if (cancel) return;  // already on its way down
        HB_LOG(log, Warning, Exec, "{} of {} ignored TERM: sending KILL | rsc={} op={} pid={}",
               capitalized(op), a->req.resource, a->req.resource, op, a->proc->pid());
        a->proc->signalGroup(SIGKILL);
        a->state = State::KillSent;
        rearm();
        break;
      case State::KillSent:
        if (cancel) return;
        if (!a->willNotDieLogged) {
          a->willNotDieLogged = true;
          HB_LOG(log, Error, Exec, "{} of {}: child will not die | rsc={} op={} pid={}",
                 capitalized(op), a->req.resource, a->req.resource, op, a->proc->pid());
        }
        break;
    }
  }

  void onOutput(std::uint64_t id, OutputStream s, std::string_view chunk) {
    Action* a = find(id);
    if (a == nullptr) return;
    StreamCapture& c = s == OutputStream::Stdout ? a->out : a->err;
    c.appendTail(chunk);
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      std::string_view piece = chunk.substr(0, nl);
      if (!c.partialCut) {
        std::size_t room = opt.maxLineBytes > c.partial.size() ? opt.maxLineBytes - c.partial.size() : 0;
        if (piece.size() > room) {
          c.partial.append(piece.substr(0, room));
          c.partialCut = true;
        } else {
          c.partial.append(piece);
        }
      }
      if (nl == std::string_view::npos) break;
      onLine(*a, s, c);
      chunk.remove_prefix(nl + 1);
    }
  }

  void onLine(Action& a, OutputStream s, StreamCapture& c) {
    std::string line = std::move(c.partial);
    c.partial.clear();
    const bool cut = c.partialCut;
    c.partialCut = false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (s == OutputStream::Stderr && line.rfind(kExitReasonPrefix, 0) == 0) {
      a.exitReason = line.substr(kExitReasonPrefix.size(), kMaxExitReason);
    }
    if (a.metadataPhase || (s == OutputStream::Stdout && a.req.action == "meta-data")) return;
    if (c.logged >= opt.maxLoggedLines) {
      if (c.notLogged++ == 0) {
        HB_LOG(log, Notice, Exec, "{} of {}: further {} lines not logged | rsc={} op={} limit={}",
               capitalized(a.req.action), a.req.resource,
               s == OutputStream::Stdout ? "stdout" : "stderr", a.req.resource, a.req.action,
               opt.maxLoggedLines);
      }
      return;
    }
    ++c.logged;
    HB_LOG(log, Info, Exec, "{} {}: {}{} | rsc={} op={}", a.req.resource,
           s == OutputStream::Stdout ? "stdout" : "stderr", line, cut ? " [...]" : "",
           a.req.resource, a.req.action);
  }

  void flushPartial(Action& a) {
    if (!a.out.partial.empty()) onLine(a, OutputStream::Stdout, a.out);
    if (!a.err.partial.empty()) onLine(a, OutputStream::Stderr, a.err);
  }

  void onExit(std::uint64_t id, ExitStatus st) {
    Action* a = find(id);
    if (a == nullptr) return;
    if (a->timer) a->timer->cancel();
    flushPartial(*a);
    const auto duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(sched.now() - a->started);
    const int pid = a->proc ? a->proc->pid() : 0;
    if (a->metadataPhase) {
      onMetadataDone(*a, st);
      return;
    }
    ActionResult r;
    r.id = a->id;
    r.resource = a->req.resource;
    r.action = a->req.action;
    r.duration = duration;
    r.pid = pid;
    r.exitReason = a->exitReason;
    r.stdoutBytes = a->out.total;
    r.stderrBytes = a->err.total;
    r.stdoutTail = a->out.takeTail();
    r.stderrTail = a->err.takeTail();
    if (a->cancelled || a->timedOut) {
      r.outcome = a->cancelled ? Outcome::Cancelled : Outcome::TimedOut;
      r.exitCode = -1;
      r.signal = st.signaled ? st.code : 0;
      r.ocfStatus = OcfStatus::Unknown;
    } else if (st.signaled) {
      r.outcome = Outcome::Signaled;
      r.signal = st.code;
      r.exitCode = -1;
      r.ocfStatus = OcfStatus::Unknown;
    } else {
      const bool probe = isMonitor(a->req.action) && a->req.interval.count() == 0;
      interpretExit(a->req.spec.cls, a->req.action, probe, st.code, r.stdoutTail, r);
    }
    finish(id, std::move(r));
  }

  void onMetadataDone(Action& a, ExitStatus st) {
    const std::string key = a.req.spec.toString();
    std::string why;
    if (a.timedOut || a.cancelled || st.signaled || st.code != 0) {
      why = a.cancelled ? "cancelled"
            : a.timedOut ? "timed out"
                         : (st.signaled ? "killed by signal " : "exit code ") + std::to_string(st.code);
    } else {
      auto md = parseMetadata(a.out.takeTail());
      if (md) {
        metadata[key] = std::move(*md);
      } else {
        why = md.error().message;
      }
    }
    a.proc.reset();
    if (a.cancelled) {
      ActionResult r = baseResult(a);
      r.outcome = Outcome::Cancelled;
      finish(a.id, std::move(r));
      return;
    }
    if (!why.empty()) {
      // Without meta-data we cannot check parameters; the agent's own checks still apply.
      HB_LOG(log, Warning, Exec, "No meta-data for {}: {} | rsc={} agent={}", key, why,
             a.req.resource, key);
    } else if (auto missing = requiredError(metadata[key], a.req); !missing.empty()) {
      ActionResult r = baseResult(a);
      r.outcome = Outcome::ConfigError;
      r.error = "resource '" + a.req.resource + "' (" + key + "): " + missing;
      HB_LOG(log, Error, Exec, "Refused {} of {}: {} | rsc={} op={}", a.req.action,
             a.req.resource, missing, a.req.resource, a.req.action);
      finish(a.id, std::move(r));
      return;
    }
    if (auto started = startPhase(a, false); !started) {
      ActionResult r = baseResult(a);
      r.outcome = Outcome::Failed;
      r.error = started.error().message;
      HB_LOG(log, Error, Exec, "Could not start {} of {}: {} | rsc={} op={}", a.req.action,
             a.req.resource, r.error, a.req.resource, a.req.action);
      finish(a.id, std::move(r));
    }
  }

  static ActionResult baseResult(const Action& a) {
    ActionResult r;
    r.id = a.id;
    r.resource = a.req.resource;
    r.action = a.req.action;
    r.exitCode = -1;
    r.ocfStatus = OcfStatus::Unknown;
    return r;
  }

  void finish(std::uint64_t id, ActionResult r) {
    auto it = actions.find(id);
    if (it == actions.end()) return;
    std::unique_ptr<Action> a = std::move(it->second);
    actions.erase(it);
    logResult(*a, r);
    auto done = std::move(a->done);
    a.reset();  // the process handle goes before done() may start new work
    if (done) done(r);
  }

  void logResult(const Action& a, const ActionResult& r) {
    const std::string op = capitalized(r.action);
    const std::string reason = r.exitReason.empty() ? "" : " (" + r.exitReason + ")";
    switch (r.outcome) {
      case Outcome::Success:
      case Outcome::NotRunning:
        HB_LOG(log, Notice, Exec,
               "{} of {} {}{} | rsc={} op={} agent={} rc={} status={} duration_ms={} pid={}", op,
               r.resource, r.resultWord(), reason, r.resource, r.action, a.req.spec.toString(),
               r.exitCode, ocfStatusName(r.ocfStatus), r.duration.count(), r.pid);
        break;
      default:
        HB_LOG(log, Error, Exec,
               "{} of {} failed: {}{} | rsc={} op={} agent={} rc={} signal={} status={} "
               "duration_ms={} pid={} timeout_ms={}",
               op, r.resource, r.resultWord(), reason.empty() ? (r.error.empty() ? "" : " (" + r.error + ")") : reason,
               r.resource, r.action, a.req.spec.toString(), r.exitCode, r.signal,
               ocfStatusName(r.ocfStatus), r.duration.count(), r.pid, a.timeout.count());
        break;
    }
  }

  void loadMetadata(const AgentSpec& spec, std::function<void(const Result<AgentMetadata>&)> done) {
    ActionRequest req;
    req.resource = spec.type;
    req.spec = spec;
    req.action = "meta-data";
    req.timeout = opt.metadataTimeout;
    if (spec.cls != AgentClass::Ocf) {
      auto e = err(Errc::Unsupported, "agent " + spec.toString() + ": only OCF agents have meta-data");
      sched.post([done = std::move(done), e] { done(e); });
      return;
    }
    std::weak_ptr<Impl> weak = shared_from_this();
    auto id = run(req, [weak, spec, done](const ActionResult& r) {
      auto self = weak.lock();
      if (!self) return;
      if (r.outcome != Outcome::Success) {
        done(err(Errc::Io, "agent " + spec.toString() + ": meta-data " + std::string(r.resultWord()) +
                               " rc=" + std::to_string(r.exitCode)));
        return;
      }
      auto md = parseMetadata(r.stdoutTail);
      if (!md) {
        done(err(Errc::Parse, "agent " + spec.toString() + ": " + md.error().message));
        return;
      }
      self->metadata[spec.toString()] = *md;
      done(md);
    });
    if (!id) {
      sched.post([done = std::move(done), e = id.error()] { done(e); });
    }
  }
};

AgentRunner::AgentRunner(Scheduler& scheduler, boost::asio::io_context& io, LogSink& log,
                         AgentRunnerOptions options, ProcessLauncher* launcher)
    : impl_(std::make_shared<Impl>(scheduler, io, log, std::move(options), launcher)) {}

AgentRunner::~AgentRunner() {
  // Children die with their Process handles (SIGKILL to the group); done() is not called.
  impl_->actions.clear();
}

Result<std::uint64_t> AgentRunner::run(ActionRequest request,
                                       std::function<void(const ActionResult&)> done) {
  return impl_->run(std::move(request), std::move(done));
}

void AgentRunner::loadMetadata(const AgentSpec& spec,
                               std::function<void(const Result<AgentMetadata>&)> done) {
  impl_->loadMetadata(spec, std::move(done));
}

const AgentMetadata* AgentRunner::cachedMetadata(const AgentSpec& spec) const {
  return impl_->cached(spec);
}

void AgentRunner::cacheMetadata(const AgentSpec& spec, AgentMetadata metadata) {
  impl_->metadata[spec.toString()] = std::move(metadata);
}

bool AgentRunner::cancel(std::uint64_t id) {
  if (impl_->find(id) == nullptr) return false;
  impl_->onDeadline(id, true);
  return true;
}

void AgentRunner::cancelAll() {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, a] : impl_->actions) ids.push_back(id);
  for (auto id : ids) impl_->onDeadline(id, true);
}

std::size_t AgentRunner::running() const { return impl_->actions.size(); }

}  // namespace hb::resources
