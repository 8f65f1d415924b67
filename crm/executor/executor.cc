// SPDX-License-Identifier: GPL-2.0-or-later
// ResourceManager: placement from the pure policy, claim/grant hand-over, ordered start/stop.
#include "crm/executor/executor.h"

#include <algorithm>
#include <deque>

namespace hb::executor {

namespace {

using policy::GroupState;
using policy::Standby;

constexpr const char* kReport = "rsc";
constexpr const char* kStandbyRequest = "standby";

std::optional<Standby> parseStandby(const std::string& s) {
  if (s == "none") return Standby::None;
  if (s == "local") return Standby::Local;
  if (s == "foreign" || s == "failback") return Standby::Foreign;
  if (s == "all") return Standby::All;
  return std::nullopt;
}

std::optional<GroupState> parseGroupState(const std::string& s) {
  for (auto st : {GroupState::Stopped, GroupState::Starting, GroupState::Started, GroupState::Stopping,
                  GroupState::FailedStart, GroupState::FailedStop}) {
    if (policy::groupStateName(st) == s) return st;
  }
  return std::nullopt;
}

std::int64_t msBetween(MonoTime a, MonoTime b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

bool isIpResource(const cib::Primitive& p) { return p.type == "IPaddr" || p.type == "IPaddr2"; }

}  // namespace

resources::ActionRequest actionFor(const cib::Primitive& p, const std::string& action,
                                   const resources::AgentPaths& paths) {
  resources::ActionRequest r;
  r.resource = p.id;
  r.action = action;
  std::map<std::string, std::string> params;
  for (const auto& kv : p.params) params[kv.name] = kv.value;
  if (p.cls == "ocf") {
    r.spec = resources::AgentSpec{resources::AgentClass::Ocf, p.provider, p.type};
    r.params = params;
  } else if (p.cls == "lsb") {
    r.spec = resources::AgentSpec{resources::AgentClass::Lsb, "", p.type};
  } else {
    r.spec = resources::AgentSpec{resources::AgentClass::Heartbeat, "", p.type};
    r.args = p.positionalArgs();
    if (p.ocf_fallback && !resources::resolveAgentPath(r.spec, paths).ok()) {
      r.spec = resources::AgentSpec{resources::AgentClass::Ocf, p.ocf_fallback->provider, p.ocf_fallback->type};
      r.args.clear();
      r.params.clear();
      for (const auto& kv : p.ocf_fallback->params) r.params[kv.name] = kv.value;
    }
  }
  if (action == "monitor") r.interval = std::chrono::milliseconds(0);  // a probe
  return r;
}

struct ResourceManager::Impl : std::enable_shared_from_this<ResourceManager::Impl> {
  Impl(Options o, Scheduler& s, LogSink& l, resources::AgentRunner& r)
      : opts(std::move(o)), sched(s), log(l), runner(r) {}

  struct Peer {
    bool up = false;
    std::uint64_t generation = 0;
    bool reported = false;  // a report of this generation arrived
    bool phase_over = false;
    Standby standby = Standby::None;
    std::map<std::string, GroupState> states;
    std::map<std::string, std::uint64_t> claims;                           // group -> claim
    std::map<std::string, std::pair<std::string, std::uint64_t>> grants;   // group -> (claimant, claim)
    std::set<std::string> failed;
  };

  struct LocalResource {
    ResourceStatus st;
  };

  struct LocalGroup {
    GroupState state = GroupState::Stopped;
    bool busy = false;               // an agent action is running for this group
    std::uint64_t claim = 0;         // our claim while the policy targets us and we do not hold it
    MonoTime claim_since{};
    bool failed_here = false;        // a start failed here (heartbeat: try the other node, once)
    std::vector<ResourceStatus> resources;
    std::optional<std::size_t> history;  // index into history of the running timeline
  };

  Options opts;
  Scheduler& sched;
  LogSink& log;
  resources::AgentRunner& runner;
  std::function<void(const Fields&)> sender;
  std::map<std::string, Peer> peers;
  std::map<std::string, LocalGroup> local;  // by group id
  Standby my_standby = Standby::None;
  std::set<std::string> vrrp_masters;  // our VRRP instances currently MASTER
  bool comms_up = false;
  bool probed = false;
  std::size_t probes_left = 0;
  bool shutting_down = false;
  std::function<void()> shutdown_done;
  // Claims are numbered from the wall clock (microseconds), so a restarted hbd never reuses the
  // number of a claim its previous incarnation made: a grant for that old claim may still be in
  // flight (late duplicate) and must not match a new claim.
  std::uint64_t claim_counter = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(sched.wallNow().time_since_epoch()).count());
  std::vector<policy::Placement> placements;
  Fields last_report;
  TimerPtr report_timer;
  TimerPtr reconcile_timer;
  std::string pending_trigger = "start-up";
  MonoTime pending_trigger_at{};
  std::deque<HistoryEntry> history;
  std::deque<MonoTime> history_t0;
  /** hb_standby/hb_takeover --wait: `check` says nothing yet (nullopt) or the final answer. */
  struct Waiter {
    std::function<std::optional<bool>()> check;
    std::function<void(bool)> done;
  };
  std::vector<Waiter> waiters;

  // --- helpers -------------------------------------------------------------------------------

  const cib::Group* group(const std::string& id) const {
    for (const auto& g : opts.cib.groups) {
      if (g.id == id) return &g;
    }
    return nullptr;
  }

  bool managed(const cib::Group& g) const { return g.follows_vrrp.empty(); }

  static bool holding(GroupState s) {
    return s == GroupState::Starting || s == GroupState::Started || s == GroupState::Stopping;
  }

  /** Probes found only some of the group's resources running (heartbeat's SOME). */
  static bool partiallyStarted(const LocalGroup& lg) {
    return std::any_of(lg.resources.begin(), lg.resources.end(),
                       [](const ResourceStatus& r) { return r.state != "started"; });
  }

  void trigger(std::string what) {
    pending_trigger = std::move(what);
    pending_trigger_at = sched.now();
  }

  std::size_t openTimeline(const std::string& gid, const std::string& decision) {
    HistoryEntry h;
    h.started = sched.wallNow() - std::chrono::duration_cast<WallTime::duration>(sched.now() - pending_trigger_at);
    h.trigger = pending_trigger;
    h.group = gid;
    h.decision = decision;
    h.outcome = "in-progress";
    history.push_back(std::move(h));
    history_t0.push_back(pending_trigger_at);
    while (history.size() > opts.history_size) {
      history.pop_front();
      history_t0.pop_front();
      for (auto& [id, lg] : local) {
        if (lg.history) lg.history = *lg.history == 0 ? std::nullopt : std::optional<std::size_t>(*lg.history - 1);
      }
    }
    return history.size() - 1;
  }

  void event(LocalGroup& lg, std::string what) {
    if (!lg.history || *lg.history >= history.size()) return;
    history[*lg.history].events.push_back(TimelineEvent{msBetween(history_t0[*lg.history], sched.now()), std::move(what)});
  }

  void closeTimeline(LocalGroup& lg, const std::string& outcome) {
    if (lg.history && *lg.history < history.size()) history[*lg.history].outcome = outcome;
    lg.history.reset();
  }

  // --- view and placement --------------------------------------------------------------------

  policy::ClusterView view() const {
    policy::ClusterView v;
    for (const auto& n : opts.cib.nodes) {
      policy::NodeView nv;
      nv.name = n;
      if (n == opts.self) {
        nv.up = true;
        nv.initial_phase_over = comms_up && probed;
        nv.standby = my_standby;
      } else if (auto it = peers.find(n); it != peers.end() && it->second.up) {
        nv.up = true;
        nv.initial_phase_over = it->second.reported && it->second.phase_over;
        nv.standby = it->second.standby;
      }
      v.nodes.push_back(nv);
    }
    for (const auto& g : opts.cib.groups) {
      policy::GroupView gv;
      gv.group = g.id;
      const auto& lg = local.at(g.id);
      gv.state[opts.self] = lg.state;
      if (lg.failed_here) gv.failed_on.push_back(opts.self);
      for (const auto& [name, p] : peers) {
        if (!p.up) continue;  // declared dead: holds nothing any more
        if (auto it = p.states.find(g.id); it != p.states.end()) {
          gv.state[name] = it->second;
        } else if (!p.reported && !holding(lg.state)) {
          // Alive but not yet reported: it may hold the group; never start against it. While we
          // hold the group ourselves it must not count as a second holder (that would make us stop
          // the group for a node that has nothing); its report arrives within a report interval.
          gv.state[name] = GroupState::Starting;
        }
        if (p.failed.count(g.id) != 0) gv.failed_on.push_back(name);
      }
      v.groups.push_back(std::move(gv));
    }
    return v;
  }

  void scheduleReconcile() {
    if (!reconcile_timer) reconcile_timer = sched.createTimer();
    if (reconcile_timer->armed()) return;
    std::weak_ptr<Impl> weak = shared_from_this();
    reconcile_timer->arm(std::chrono::nanoseconds(0), [weak] {
      if (auto self = weak.lock()) self->reconcile();
    });
  }

  bool claimGranted(const std::string& gid, std::uint64_t claim) const {
    for (const auto& [name, p] : peers) {
      if (!p.up) continue;
      if (!p.reported) return false;
      auto st = p.states.find(gid);
      if (st == p.states.end() || st->second != GroupState::Stopped) return false;
      auto gr = p.grants.find(gid);
      if (gr == p.grants.end() || gr->second.first != opts.self || gr->second.second != claim) return false;
    }
    return true;
  }

  /** A live peer with a competing claim that wins the tie (lower name). */
  bool losesTo(const std::string& gid) const {
    for (const auto& [name, p] : peers) {
      if (!p.up) continue;
      if (p.claims.count(gid) != 0 && name < opts.self) return true;
    }
    return false;
  }

  /** Groups following a VRRP instance: here exactly while our instance is MASTER. */
  void reconcileVrrp() {
    for (const auto& g : opts.cib.groups) {
      if (managed(g)) continue;
      auto& lg = local[g.id];
      if (lg.busy || lg.state == GroupState::FailedStop) continue;
      const bool here = vrrp_masters.count(g.follows_vrrp) != 0 && !shutting_down;
      if (here && lg.state != GroupState::Started && !lg.failed_here) {
        startStop(g.id, true, "start here (vrrp " + g.follows_vrrp + " MASTER)");
      } else if (!here && lg.state == GroupState::Started) {
        startStop(g.id, false, shutting_down ? "stop here (shutdown)" : "stop here (vrrp " + g.follows_vrrp + " not MASTER)");
      }
    }
  }

  void reconcile() {
    if (!probed) return;
    reconcileVrrp();
    placements = policy::place(opts.cib, view());
    for (const auto& pl : placements) {
      const cib::Group* g = group(pl.group);
      if (g == nullptr || !managed(*g)) continue;
      auto& lg = local[pl.group];
      const bool here = pl.target && *pl.target == opts.self && !shutting_down;
      if (lg.busy || lg.state == GroupState::FailedStop) continue;
      if (lg.state == GroupState::Started) {
        if (!here) {
          std::string why = pl.next ? "hand over to " + *pl.next + " (" + pl.reason + ")"
                                    : "stop here (" + pl.reason + ")";
          if (shutting_down) why = "stop here (shutdown)";
          startStop(pl.group, false, why);
        } else if (comms_up && pl.reason != "waiting" && partiallyStarted(lg)) {
          // Probes (e.g. after an hbd restart in the middle of a start or stop) found only some of
          // the group running: start it left to right again (a start of a running resource is a
          // no-op for a conforming agent), unless it is about to move to its returning node.
          startStop(pl.group, true, "start here (" + pl.reason + ", found partially running)");
        }
        continue;
      }
      // Stopped (or FailedStart, which is stopped with a failure mark).
      if (!here || !comms_up) {
        if (lg.claim != 0) {
          HB_LOG(log, Info, Crm, "withdrawing claim on {} | claim={} reason={}", pl.group, lg.claim, pl.reason);
          lg.claim = 0;
        }
        continue;
      }
      if (losesTo(pl.group)) {
        if (lg.claim != 0) HB_LOG(log, Info, Crm, "claim on {} loses the tie to a peer", pl.group);
        lg.claim = 0;
        continue;
      }
      if (lg.claim == 0) {
        lg.claim = ++claim_counter;
        lg.claim_since = sched.now();
        HB_LOG(log, Info, Crm, "claiming {} | claim={} reason={}", pl.group, lg.claim, pl.reason);
      }
      if (claimGranted(pl.group, lg.claim)) {
        lg.claim = 0;
        startStop(pl.group, true, "start here (" + pl.reason + ")");
      }
    }
    sendReport(false);
    checkWaiters();
    checkShutdown();
  }

  // --- ordered start / stop ------------------------------------------------------------------

  void startStop(const std::string& gid, bool start, const std::string& decision) {
    auto& lg = local[gid];
    lg.busy = true;
    lg.state = start ? GroupState::Starting : GroupState::Stopping;
    if (start) lg.failed_here = false;
    lg.history = openTimeline(gid, decision);
    event(lg, pending_trigger);
    event(lg, "decision: " + decision);
    HB_LOG(log, Notice, Crm, "{} group {} | decision={} trigger=\"{}\"", start ? "Starting" : "Stopping", gid,
           decision, pending_trigger);
    sendReport(true);
    const cib::Group* g = group(gid);
    if (start) {
      runStart(gid, 0);
    } else {
      runStop(gid, static_cast<int>(g->primitives.size()) - 1, 0, /*after_failed_start=*/false);
    }
  }

  void runStart(const std::string& gid, std::size_t i) {
    const cib::Group* g = group(gid);
    auto& lg = local[gid];
    if (i >= g->primitives.size()) {
      lg.busy = false;
      lg.state = GroupState::Started;
      event(lg, "group started");
      closeTimeline(lg, "started");
      HB_LOG(log, Notice, Crm, "Group {} started on {}", gid, opts.self);
      scheduleReconcile();
      sendReport(true);
      return;
    }
    runAction(gid, i, "start", [this, gid, i](const resources::ActionResult& r) {
      auto& lg2 = local[gid];
      const auto& prim = group(gid)->primitives[i];
      if (r.ok()) {
        if (isIpResource(prim)) {
          event(lg2, "VIP " + vipOf(prim) + " up");
          if (r.stdoutTail.find("ARP") != std::string::npos || r.stderrTail.find("ARP") != std::string::npos ||
              r.stdoutTail.find("arp") != std::string::npos || r.stderrTail.find("arp") != std::string::npos) {
            event(lg2, "gratuitous ARP sent for " + vipOf(prim));
          }
        }
        runStart(gid, i + 1);
        return;
      }
      HB_LOG(log, Crit, Crm, "Giving up resources due to failure of {} | group={} rc={} result={}", prim.id, gid,
             r.exitCode, r.resultWord());
      lg2.failed_here = true;
      // Release the whole group right to left, the failed resource included (heartbeat does).
      runStop(gid, static_cast<int>(i), 0, /*after_failed_start=*/true);
    });
  }

  static std::string vipOf(const cib::Primitive& p) {
    for (const auto& kv : p.params) {
      // "ip", or heartbeat's positional "10.0.0.5/24/eth0": the address is the part before '/'.
      if (kv.name == "ip" || kv.name == "1") return kv.value.substr(0, kv.value.find('/'));
    }
    if (p.ocf_fallback) {
      for (const auto& kv : p.ocf_fallback->params) {
        if (kv.name == "ip") return kv.value;
      }
    }
    return p.id;
  }

  void runStop(const std::string& gid, int i, int attempt, bool after_failed_start) {
    auto& lg = local[gid];
    if (i < 0) {
      lg.busy = false;
      lg.state = GroupState::Stopped;
      event(lg, after_failed_start ? "group stopped after a failed start" : "group stopped");
      closeTimeline(lg, after_failed_start ? "failed-start" : "stopped");
      HB_LOG(log, Notice, Crm, "Group {} stopped on {}{}", gid, opts.self,
             after_failed_start ? " (start failed here; handing it to another node)" : "");
      scheduleReconcile();
      sendReport(true);
      return;
    }
    const auto idx = static_cast<std::size_t>(i);
    runAction(gid, idx, "stop", [this, gid, i, attempt, after_failed_start](const resources::ActionResult& r) {
      auto& lg2 = local[gid];
      const auto& prim = group(gid)->primitives[static_cast<std::size_t>(i)];
      // A stop that reports "not running" (7) did stop it: OCF says stop should return 0, but the
      // resource is not running, which is what matters.
      if (r.ok() || r.outcome == resources::Outcome::NotRunning) {
        runStop(gid, i - 1, 0, after_failed_start);
        return;
      }
      if (attempt < opts.stop_retries) {
        HB_LOG(log, Error, Crm, "Stop of {} failed, retrying | group={} rc={} attempt={}", prim.id, gid, r.exitCode,
               attempt + 1);
        auto t = std::shared_ptr<Timer>(sched.createTimer());
        std::weak_ptr<Impl> weak = shared_from_this();
        t->arm(opts.stop_retry_delay, [weak, gid, i, attempt, after_failed_start, t] {
          if (auto self = weak.lock()) self->runStop(gid, i, attempt + 1, after_failed_start);
        });
        return;
      }
      lg2.busy = false;
      lg2.state = GroupState::FailedStop;
      event(lg2, "stop of " + prim.id + " failed: group unmanaged, not started elsewhere without fencing");
      closeTimeline(lg2, "unmanaged");
      HB_LOG(log, Crit, Crm,
             "Resource STOP failure: group {} is UNMANAGED on {}; it will not be started elsewhere until this "
             "node is fenced or the resource is stopped by hand | rsc={} rc={}",
             gid, opts.self, prim.id, r.exitCode);
      sendReport(true);
      scheduleReconcile();
    });
  }

  void runAction(const std::string& gid, std::size_t i, const std::string& action,
                 std::function<void(const resources::ActionResult&)> then) {
    const cib::Group* g = group(gid);
    const auto& p = g->primitives[i];
    auto req = actionFor(p, action, runnerPaths());
    {
      auto& rs = local[gid].resources[i];
      rs.state = action == "start" ? "starting" : action == "stop" ? "stopping" : rs.state;
      rs.last_action = action;
    }
    std::weak_ptr<Impl> weak = shared_from_this();
    auto started = runner.run(req, [weak, gid, i, action, then](const resources::ActionResult& r) {
      auto self = weak.lock();
      if (!self) return;
      auto& lg = self->local[gid];
      auto& rs = lg.resources[i];
      rs.last_rc = r.exitCode;
      rs.last_duration_ms = r.duration.count();
      if (action == "start") rs.state = r.ok() ? "started" : "failed";
      if (action == "stop") {
        rs.state = (r.ok() || r.outcome == resources::Outcome::NotRunning) ? "stopped" : "failed";
      }
      self->event(lg, action + " " + rs.id + ": " + std::string(r.resultWord()) + " rc=" +
                          std::to_string(r.exitCode) + " in " + std::to_string(r.duration.count()) + " ms" +
                          (r.exitReason.empty() ? "" : " (" + r.exitReason + ")"));
      HB_LOG(self->log, Notice, Exec, "{} {}: {} | rc={} duration_ms={} group={}", action, rs.id, r.resultWord(),
             r.exitCode, r.duration.count(), gid);
      then(r);
    });
    if (!started) {
      resources::ActionResult r;
      r.resource = p.id;
      r.action = action;
      r.outcome = resources::Outcome::ConfigError;
      r.error = started.error().message;
      HB_LOG(log, Error, Exec, "{} {} not run: {}", action, p.id, started.error().message);
      std::weak_ptr<Impl> weak2 = shared_from_this();
      sched.post([weak2, then, r] {
        if (weak2.lock()) then(r);
      });
    }
  }

  const resources::AgentPaths& runnerPaths() const { return opts.paths; }

  // --- probes ----------------------------------------------------------------------------------

  void probe() {
    for (const auto& g : opts.cib.groups) {
      if (!managed(g)) continue;
      probes_left += g.primitives.size();
    }
    if (probes_left == 0) {
      probed = true;
      scheduleReconcile();
      return;
    }
    for (const auto& g : opts.cib.groups) {
      if (!managed(g)) continue;
      for (std::size_t i = 0; i < g.primitives.size(); ++i) {
        const std::string gid = g.id;
        auto req = actionFor(g.primitives[i], "monitor", runnerPaths());
        std::weak_ptr<Impl> weak = shared_from_this();
        auto done = [weak, gid, i](const resources::ActionResult& r) {
          auto self = weak.lock();
          if (!self) return;
          auto& lg = self->local[gid];
          auto& rs = lg.resources[i];
          rs.last_action = "probe";
          rs.last_rc = r.exitCode;
          rs.last_duration_ms = r.duration.count();
          rs.state = r.ok() ? "started" : r.outcome == resources::Outcome::NotRunning ? "stopped" : "unknown";
          if (r.ok()) {
            HB_LOG(self->log, Warning, Crm, "{} is already running here (probe) | group={}", rs.id, gid);
            // Something of the group runs: hold it, so that it is stopped cleanly if it must not
            // run here, or kept if it should.
            lg.state = GroupState::Started;
          }
          if (--self->probes_left == 0) {
            self->probed = true;
            HB_LOG(self->log, Info, Crm, "probes done");
            self->scheduleReconcile();
            self->sendReport(true);
          }
        };
        auto started = runner.run(req, done);
        if (!started) {
          resources::ActionResult r;
          r.outcome = resources::Outcome::ConfigError;
          HB_LOG(log, Error, Exec, "probe of {} not run: {}", g.primitives[i].id, started.error().message);
          sched.post([done, r] { done(r); });
        }
      }
    }
  }

  // --- reports ---------------------------------------------------------------------------------

  Fields buildReport() const {
    Fields f;
    f["t"] = kReport;
    f["phase"] = (comms_up && probed) ? "1" : "0";
    f["standby"] = std::string(policy::standbyName(my_standby));
    for (const auto& g : opts.cib.groups) {
      const auto& lg = local.at(g.id);
      f["g:" + g.id] = std::string(policy::groupStateName(lg.state == GroupState::FailedStart ? GroupState::Stopped
                                                                                             : lg.state));
      if (lg.claim != 0) f["c:" + g.id] = std::to_string(lg.claim);
      if (lg.failed_here) f["f:" + g.id] = "1";
      // Grant: to the winning live claimant, while our copy is stopped and idle.
      if (lg.state != GroupState::Stopped || lg.busy) continue;
      std::string best;
      std::uint64_t best_claim = 0;
      for (const auto& [name, p] : peers) {
        if (!p.up) continue;
        auto c = p.claims.find(g.id);
        if (c == p.claims.end()) continue;
        if (best.empty() || name < best) {
          best = name;
          best_claim = c->second;
        }
      }
      if (best.empty()) continue;
      if (lg.claim != 0 && opts.self < best) continue;  // we win the tie
      f["a:" + g.id] = best + "/" + std::to_string(best_claim);
    }
    return f;
  }

  void sendReport(bool force) {
    if (!sender) return;
    Fields f = buildReport();
    if (!force && f == last_report) return;
    last_report = f;
    sender(f);
  }

  void periodic() {
    if (sender) {
      last_report = buildReport();
      sender(last_report);
    }
    // Waiting claims, stale views and --wait requests are re-evaluated at least this often.
    scheduleReconcile();
    std::weak_ptr<Impl> weak = shared_from_this();
    report_timer->arm(opts.report_interval, [weak] {
      if (auto self = weak.lock()) self->periodic();
    });
  }

  /** Another node held a group we hold too (hbd restarted there, or a healed partition) and has
   *  now stopped it: its VIP announcements may have pointed clients at it, so announce ours again
   *  (IPaddr's start on a plumbed address re-sends gratuitous ARP). */
  void reannounce(const std::string& gid) {
    const cib::Group* g = group(gid);
    if (g == nullptr) return;
    for (const auto& prim : g->primitives) {
      if (!isIpResource(prim)) continue;
      HB_LOG(log, Notice, Crm, "re-announcing {}: another node held group {} too", vipOf(prim), gid);
      auto req = actionFor(prim, "start", runnerPaths());
      auto r = runner.run(req, [](const resources::ActionResult&) {});
      if (!r) HB_LOG(log, Error, Exec, "re-announce of {} not run: {}", prim.id, r.error().message);
    }
  }

  void applyReport(Peer& p, const Fields& f) {
    const auto previous = p.states;
    p.reported = true;
    p.phase_over = f.count("phase") != 0 && f.at("phase") == "1";
    if (auto it = f.find("standby"); it != f.end()) {
      if (auto s = parseStandby(it->second)) p.standby = *s;
    }
    p.states.clear();
    p.claims.clear();
    p.grants.clear();
    p.failed.clear();
    for (const auto& [k, v] : f) {
      if (k.size() < 3 || k[1] != ':') continue;
      const std::string gid = k.substr(2);
      if (group(gid) == nullptr) continue;
      switch (k[0]) {
        case 'g':
          if (auto s = parseGroupState(v)) p.states[gid] = *s;
          break;
        case 'c':
          p.claims[gid] = std::strtoull(v.c_str(), nullptr, 10);
          break;
        case 'f':
          p.failed.insert(gid);
          break;
        case 'a': {
          auto slash = v.rfind('/');
          if (slash != std::string::npos) {
            p.grants[gid] = {v.substr(0, slash), std::strtoull(v.c_str() + slash + 1, nullptr, 10)};
          }
          break;
        }
        default:
          break;
      }
    }
    for (const auto& [gid, before] : previous) {
      auto now = p.states.find(gid);
      if (before == GroupState::Started && now != p.states.end() && now->second != GroupState::Started) {
        auto& lg = local[gid];
        if (lg.state == GroupState::Started && !lg.busy) reannounce(gid);
      }
    }
  }

  // --- waiters (hb_standby --wait) and shutdown ------------------------------------------------

  void checkWaiters() {
    for (std::size_t i = 0; i < waiters.size();) {
      auto answer = waiters[i].check();
      if (!answer) {
        ++i;
        continue;
      }
      auto cb = std::move(waiters[i].done);
      waiters.erase(waiters.begin() + static_cast<std::ptrdiff_t>(i));
      if (cb) cb(*answer);
    }
  }

  /** Nothing local is running an action or waiting for a grant, and the policy sees no move. */
  bool stableNow() const {
    for (const auto& [gid, lg] : local) {
      if (lg.busy || lg.claim != 0) return false;
    }
    for (const auto& pl : placements) {
      if (pl.status == "starting" || pl.status == "stopping" || pl.status == "moving") return false;
    }
    return true;
  }

  bool startedOnPeer(const std::string& gid) const {
    for (const auto& [name, p] : peers) {
      if (!p.up) continue;
      auto st = p.states.find(gid);
      if (st != p.states.end() && st->second == GroupState::Started) return true;
    }
    return false;
  }

  void checkShutdown() {
    if (!shutting_down || !shutdown_done) return;
    for (const auto& [gid, lg] : local) {
      if (lg.busy || lg.state == GroupState::Started || lg.state == GroupState::Starting ||
          lg.state == GroupState::Stopping) {
        return;
      }
    }
    auto done = std::move(shutdown_done);
    shutdown_done = nullptr;
    done();
  }

  std::set<std::string> groupsFor(Standby s, bool held_only) const {
    std::set<std::string> out;
    for (const auto& g : opts.cib.groups) {
      if (!managed(g)) continue;
      const bool mine = g.preferred_node == opts.self;
      const bool in = s == Standby::All || (s == Standby::Local && mine) || (s == Standby::Foreign && !mine);
      if (!in) continue;
      const auto& lg = local.at(g.id);
      if (held_only && lg.state == GroupState::Stopped && !lg.busy) continue;
      out.insert(g.id);
    }
    return out;
  }
};

ResourceManager::ResourceManager(Options o, Scheduler& sched, LogSink& log, resources::AgentRunner& runner)
    : impl_(std::make_shared<Impl>(std::move(o), sched, log, runner)) {
  for (const auto& g : impl_->opts.cib.groups) {
    auto& lg = impl_->local[g.id];
    for (const auto& p : g.primitives) {
      ResourceStatus rs;
      rs.id = p.id;
      // The agent that really runs: a heartbeat script not found here falls back to ocf:hbd.
      rs.agent = actionFor(p, "start", impl_->opts.paths).spec.toString();
      rs.state = "unknown";
      lg.resources.push_back(rs);
    }
  }
  for (const auto& n : impl_->opts.cib.nodes) {
    if (n != impl_->opts.self) impl_->peers[n];
  }
}

ResourceManager::~ResourceManager() {
  if (impl_->report_timer) impl_->report_timer->cancel();
  if (impl_->reconcile_timer) impl_->reconcile_timer->cancel();
}

void ResourceManager::setSender(std::function<void(const Fields&)> send) { impl_->sender = std::move(send); }

void ResourceManager::start() {
  impl_->report_timer = impl_->sched.createTimer();
  impl_->pending_trigger_at = impl_->sched.now();
  impl_->probe();
  impl_->periodic();
}

void ResourceManager::setCommsUp(bool up) {
  if (impl_->comms_up == up) return;
  impl_->comms_up = up;
  impl_->trigger("communications up");
  impl_->scheduleReconcile();
  impl_->sendReport(true);
}

void ResourceManager::nodeUp(const std::string& node, std::uint64_t generation) {
  auto it = impl_->peers.find(node);
  if (it == impl_->peers.end()) return;
  auto& p = it->second;
  if (p.up && p.generation == generation) return;
  if (p.generation != generation) {
    // A new incarnation: whatever it reported before (claims, grants) is void.
    p = Impl::Peer{};
    p.generation = generation;
  }
  p.up = true;
  impl_->trigger("node " + node + " up");
  HB_LOG(impl_->log, Info, Crm, "peer {} up | generation={}", node, generation);
  impl_->sendReport(true);
  impl_->scheduleReconcile();
}

void ResourceManager::nodeDead(const std::string& node, const std::string& why) {
  auto it = impl_->peers.find(node);
  if (it == impl_->peers.end() || !it->second.up) return;
  const auto gen = it->second.generation;
  // A start that failed here earlier does not rule this node out for the groups the dead node
  // held: heartbeat's mach_down takes them over all the same (else they would stay down).
  for (const auto& [gid, st] : it->second.states) {
    if (st == policy::GroupState::Started || st == policy::GroupState::Starting ||
        st == policy::GroupState::Stopping) {
      impl_->local[gid].failed_here = false;
    }
  }
  it->second = Impl::Peer{};
  it->second.generation = gen;
  impl_->trigger("node " + node + " " + why);
  HB_LOG(impl_->log, Notice, Crm, "peer {} {}: its groups are free | fencing=none", node, why);
  // React now, not at the next tick: this is the failover path.
  impl_->reconcile();
}

void ResourceManager::receive(const std::string& from, std::uint64_t generation, const Fields& f) {
  auto it = impl_->peers.find(from);
  if (it == impl_->peers.end()) return;
  auto& p = it->second;
  if (generation < p.generation) return;  // a stale incarnation
  if (generation > p.generation) {
    p = Impl::Peer{};
    p.generation = generation;
  }
  if (!p.up) {
    p.up = true;
  }
  auto t = f.find("t");
  if (t == f.end()) return;
  if (t->second == kReport) {
    impl_->applyReport(p, f);
    impl_->reconcile();
  } else if (t->second == kStandbyRequest) {
    // A peer's hb_takeover: we give away the mirrored set.
    auto target = f.find("node");
    auto what = f.find("what");
    if (target == f.end() || target->second != impl_->opts.self || what == f.end()) return;
    auto s = parseStandby(what->second);
    if (!s) return;
    impl_->my_standby = *s;
    impl_->trigger("hb_takeover on " + from + " (standby " + what->second + " here)");
    HB_LOG(impl_->log, Notice, Crm, "Going standby [{}] at the request of {}", what->second, from);
    impl_->reconcile();
  } else if (t->second == "clear-standby") {
    auto target = f.find("node");
    if (target == f.end() || target->second != impl_->opts.self) return;
    impl_->my_standby = Standby::None;
    impl_->scheduleReconcile();
  }
}

Result<std::string> ResourceManager::standby(const std::string& what, std::function<void(bool)> moved) {
  auto s = parseStandby(what);
  if (!s || what == "none") return err(Errc::InvalidArgument, "unknown standby set '" + what + "'");
  if (impl_->opts.cib.auto_failback == cib::AutoFailback::Legacy) {
    return err(Errc::Unsupported, "Standby mode only implemented when auto_failback is on or off (it is legacy)");
  }
  bool any_peer = false;
  for (const auto& [name, p] : impl_->peers) any_peer = any_peer || p.up;
  auto affected = impl_->groupsFor(*s, /*held_only=*/false);
  impl_->my_standby = *s;
  // Our request replaces any standby the peer was put in by an earlier hb_takeover of ours.
  std::map<std::string, std::uint64_t> asked;  // peer -> generation asked to clear its standby
  if (impl_->sender) {
    for (const auto& [name, p] : impl_->peers) {
      if (!p.up) continue;
      impl_->sender(Fields{{"t", "clear-standby"}, {"node", name}});
      asked[name] = p.generation;
    }
  }
  impl_->trigger("hb_standby " + what + " on " + impl_->opts.self);
  HB_LOG(impl_->log, Notice, Crm, "Going standby [{}]", what);
  if (moved) {
    std::weak_ptr<Impl> weak = impl_;
    impl_->waiters.push_back(Impl::Waiter{
        [weak, affected, asked]() -> std::optional<bool> {
          auto self = weak.lock();
          if (!self) return false;
          bool all_elsewhere = true;
          for (const auto& gid : affected) {
            const auto& lg = self->local.at(gid);
            if (lg.busy) return std::nullopt;
            // Still started here once stable: nobody else can take it (answered false below).
            all_elsewhere = all_elsewhere && lg.state != GroupState::Started && self->startedOnPeer(gid);
          }
          if (all_elsewhere) return true;
          // Not before every live peer has left the standby we asked it to clear: until then
          // "stable" only means the peer has not acted on our request yet.
          for (const auto& [name, gen] : asked) {
            const auto& p = self->peers.at(name);
            if (p.up && p.generation == gen && (!p.reported || p.standby != Standby::None)) return std::nullopt;
          }
          return self->stableNow() ? std::optional<bool>(false) : std::nullopt;
        },
        std::move(moved)});
  }
  impl_->reconcile();
  return std::string(any_peer ? "Going standby [" + what + "]."
                              : "Going standby [" + what + "]: no other node is up; groups stay here.");
}

Result<std::string> ResourceManager::takeover(const std::string& what, std::function<void(bool)> moved) {
  auto s = parseStandby(what);
  if (!s || what == "none") return err(Errc::InvalidArgument, "unknown takeover set '" + what + "'");
  if (impl_->opts.cib.auto_failback == cib::AutoFailback::Legacy) {
    return err(Errc::Unsupported, "Takeover only implemented when auto_failback is on or off (it is legacy)");
  }
  // heartbeat: the peer runs hb_standby with the mirrored set; `failback` is passed unmapped and
  // ends as `all` there.
  std::string mirror = what == "local" ? "foreign" : what == "foreign" ? "local" : "all";
  Standby mine = what == "local" ? Standby::Local : what == "foreign" ? Standby::Foreign : Standby::All;
  impl_->my_standby = Standby::None;
  impl_->trigger("hb_takeover " + what + " on " + impl_->opts.self);
  for (auto& [name, p] : impl_->peers) {
    if (!p.up || !impl_->sender) continue;
    impl_->sender(Fields{{"t", kStandbyRequest}, {"node", name}, {"what", mirror}});
  }
  std::map<std::string, std::uint64_t> asked;  // peer -> generation the request went to
  for (const auto& [name, p] : impl_->peers) {
    if (p.up && impl_->sender) asked[name] = p.generation;
  }
  const Standby requested = *parseStandby(mirror);
  std::set<std::string> affected;
  for (const auto& g : impl_->opts.cib.groups) {
    if (!impl_->managed(g)) continue;
    const bool mine_pref = g.preferred_node == impl_->opts.self;
    if (mine == Standby::All || (mine == Standby::Local && mine_pref) || (mine == Standby::Foreign && !mine_pref)) {
      affected.insert(g.id);
    }
  }
  if (moved) {
    std::weak_ptr<Impl> weak = impl_;
    impl_->waiters.push_back(Impl::Waiter{
        [weak, affected, asked, requested]() -> std::optional<bool> {
          auto self = weak.lock();
          if (!self) return false;
          bool all_here = true;
          for (const auto& gid : affected) all_here = all_here && self->local.at(gid).state == GroupState::Started;
          if (all_here) return true;
          // Not before every asked peer has reported the standby it was asked for (or is gone):
          // until then "stable" only means the peer has not acted yet.
          for (const auto& [name, gen] : asked) {
            const auto& p = self->peers.at(name);
            if (p.up && p.generation == gen && (!p.reported || p.standby != requested)) return std::nullopt;
          }
          return self->stableNow() ? std::optional<bool>(false) : std::nullopt;
        },
        std::move(moved)});
  }
  impl_->reconcile();
  return std::string("Taking over [" + what + "].");
}

void ResourceManager::setVrrpMaster(const std::string& instance, bool master) {
  const bool was = impl_->vrrp_masters.count(instance) != 0;
  if (was == master) return;
  if (master) {
    impl_->vrrp_masters.insert(instance);
  } else {
    impl_->vrrp_masters.erase(instance);
    // A new MASTER phase gives a group that failed here another chance.
  }
  for (const auto& g : impl_->opts.cib.groups) {
    if (g.follows_vrrp == instance && master) impl_->local[g.id].failed_here = false;
  }
  impl_->trigger("vrrp " + instance + (master ? " became MASTER" : " left MASTER"));
  impl_->reconcile();
}

void ResourceManager::shutdown(std::function<void()> done) {
  impl_->shutting_down = true;
  impl_->shutdown_done = std::move(done);
  impl_->trigger("shutdown of " + impl_->opts.self);
  HB_LOG(impl_->log, Notice, Crm, "Giving up all HA resources.");
  impl_->reconcile();
}

std::vector<GroupStatus> ResourceManager::groups() const {
  std::vector<GroupStatus> out;
  auto placements = impl_->placements;
  for (const auto& g : impl_->opts.cib.groups) {
    GroupStatus s;
    s.id = g.id;
    s.key = g.key();
    s.preferred = g.preferred_node;
    const auto& lg = impl_->local.at(g.id);
    s.local_state = std::string(policy::groupStateName(lg.state));
    s.resources = lg.resources;
    for (const auto& pl : placements) {
      if (pl.group != g.id) continue;
      s.status = pl.status;
      s.reason = pl.reason;
    }
    if (lg.state == GroupState::Started || lg.state == GroupState::Starting || lg.state == GroupState::Stopping ||
        lg.state == GroupState::FailedStop) {
      s.owner = impl_->opts.self;
    }
    if (lg.failed_here) s.failed_on.push_back(impl_->opts.self);
    for (const auto& [name, p] : impl_->peers) {
      if (!p.up) continue;
      auto st = p.states.find(g.id);
      if (!s.owner && st != p.states.end() && st->second != GroupState::Stopped) s.owner = name;
      if (p.failed.count(g.id) != 0) s.failed_on.push_back(name);
    }
    if (!impl_->managed(g)) {
      s.reason = "vrrp";
      s.status = lg.busy ? (lg.state == GroupState::Starting ? "starting" : "stopping")
                         : lg.state == GroupState::Started ? "started"
                         : lg.state == GroupState::FailedStop ? "unmanaged" : "stopped";
    }
    if (s.status.empty()) s.status = s.owner ? "started" : "stopped";
    out.push_back(std::move(s));
  }
  return out;
}

std::string ResourceManager::rscstatus() const {
  bool local_held = false, foreign_held = false;
  for (const auto& g : impl_->opts.cib.groups) {
    const auto& lg = impl_->local.at(g.id);
    if (lg.busy) return "transition";
    if (lg.state != GroupState::Started) continue;
    (g.preferred_node == impl_->opts.self ? local_held : foreign_held) = true;
  }
  if (local_held && foreign_held) return "all";
  if (local_held) return "local";
  if (foreign_held) return "foreign";
  return "none";
}

std::vector<HistoryEntry> ResourceManager::history() const {
  return std::vector<HistoryEntry>(impl_->history.begin(), impl_->history.end());
}

const cib::Cib& ResourceManager::cib() const { return impl_->opts.cib; }

bool ResourceManager::stable() const { return impl_->stableNow(); }

}  // namespace hb::executor
