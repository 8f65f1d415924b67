// SPDX-License-Identifier: GPL-2.0-or-later
// Ordered group actions: probes, start left to right, stop right to left with retries (a failed
// start releases what started), each step recorded on the group's timeline.
#include "crm/executor/executor_private.h"

namespace hb::executor {

using policy::GroupState;

void ResourceManager::Impl::event(LocalGroup& lg, std::string what) {
  history.event(lg.timeline, sched.now(), std::move(what));
}

void ResourceManager::Impl::closeTimeline(LocalGroup& lg, Outcome outcome) {
  history.close(lg.timeline, outcome);
  lg.timeline = 0;
}

void ResourceManager::Impl::startStop(const std::string& gid, bool start, const std::string& decision) {
  auto& lg = local[gid];
  lg.busy = true;
  lg.state = start ? GroupState::Starting : GroupState::Stopping;
  if (start) lg.failed_here = false;
  const auto wall_at_trigger =
      sched.wallNow() - std::chrono::duration_cast<WallTime::duration>(sched.now() - pending_trigger_at);
  lg.timeline = history.open(wall_at_trigger, pending_trigger_at, pending_trigger, gid, decision);
  event(lg, pending_trigger);
  event(lg, "decision: " + decision);
  HB_LOG(log, Notice, Crm, "{} group {} | decision={} trigger=\"{}\"", start ? "Starting" : "Stopping", gid,
         decision, pending_trigger);
  sendReport(false);
  const cib::Group* g = group(gid);
  if (start) {
    runStart(gid, 0);
  } else {
    runStop(gid, static_cast<int>(g->primitives.size()) - 1, 0, /*after_failed_start=*/false);
  }
}

void ResourceManager::Impl::runStart(const std::string& gid, std::size_t i) {
  const cib::Group* g = group(gid);
  auto& lg = local[gid];
  if (i >= g->primitives.size()) {
    lg.busy = false;
    lg.state = GroupState::Started;
    event(lg, "group started");
    closeTimeline(lg, Outcome::Started);
    HB_LOG(log, Notice, Crm, "Group {} started on {}", gid, opts.self);
    scheduleReconcile();
    sendReport(false);
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

void ResourceManager::Impl::runStop(const std::string& gid, int i, int attempt, bool after_failed_start) {
  auto& lg = local[gid];
  if (i < 0) {
    lg.busy = false;
    lg.state = GroupState::Stopped;
    event(lg, after_failed_start ? "group stopped after a failed start" : "group stopped");
    closeTimeline(lg, after_failed_start ? Outcome::FailedStart : Outcome::Stopped);
    HB_LOG(log, Notice, Crm, "Group {} stopped on {}{}", gid, opts.self,
           after_failed_start ? " (start failed here; handing it to another node)" : "");
    scheduleReconcile();
    sendReport(false);
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
    block(gid, opts.self);
    event(lg2, "stop of " + prim.id + " failed: group unmanaged, not started elsewhere without fencing");
    closeTimeline(lg2, Outcome::Unmanaged);
    HB_LOG(log, Crit, Crm,
           "Resource STOP failure: group {} is UNMANAGED on {}; no node will start it until the resource is "
           "stopped by hand and `hbctl cleanup` is run (or this node is fenced) | rsc={} rc={}",
           gid, opts.self, prim.id, r.exitCode);
    sendReport(false);
    scheduleReconcile();
  });
}

void ResourceManager::Impl::runAction(const std::string& gid, std::size_t i, const std::string& action,
                                      std::function<void(const resources::ActionResult&)> then) {
  const cib::Group* g = group(gid);
  const auto& p = g->primitives[i];
  auto req = actionFor(p, action, opts.paths);
  {
    auto& rs = local[gid].resources[i];
    if (action == "start") rs.state = ResourceState::Starting;
    if (action == "stop") rs.state = ResourceState::Stopping;
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
    if (action == "start") rs.state = r.ok() ? ResourceState::Started : ResourceState::Failed;
    if (action == "stop") {
      rs.state = (r.ok() || r.outcome == resources::Outcome::NotRunning) ? ResourceState::Stopped
                                                                          : ResourceState::Failed;
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

void ResourceManager::Impl::probe() {
  for (const auto& g : opts.cib.groups) probes_left += g.primitives.size();
  if (probes_left == 0) {
    probed = true;
    scheduleReconcile();
    return;
  }
  for (const auto& g : opts.cib.groups) probeGroup(g.id, /*initial=*/true);
}

void ResourceManager::Impl::probeGroup(const std::string& gid, bool initial) {
  const cib::Group* g = group(gid);
  auto& lg = local[gid];
  lg.probes_pending = g->primitives.size();
  lg.probe_failed = false;
  for (std::size_t i = 0; i < g->primitives.size(); ++i) {
    auto req = actionFor(g->primitives[i], "monitor", opts.paths);
    std::weak_ptr<Impl> weak = shared_from_this();
    auto done = [weak, gid, i, initial](const resources::ActionResult& r) {
      auto self = weak.lock();
      if (!self) return;
      auto& lg = self->local[gid];
      auto& rs = lg.resources[i];
      rs.last_action = "probe";
      rs.last_rc = r.exitCode;
      rs.last_duration_ms = r.duration.count();
      // An agent that is not installed here, or that hbd refused to run (the config lacks a
      // required parameter), cannot have been started here by this cluster: stopped (Pacemaker
      // reads OCF_ERR_INSTALLED from a probe so too). Any other failure, a timeout or a kill
      // leaves the state unknown.
      const bool cannot_run = r.outcome == resources::Outcome::ConfigError ||
                              (r.outcome == resources::Outcome::Failed &&
                               r.ocfStatus == resources::OcfStatus::ErrInstalled);
      rs.state = r.ok()                                                     ? ResourceState::Started
                 : r.outcome == resources::Outcome::NotRunning || cannot_run ? ResourceState::Stopped
                                                                             : ResourceState::Unknown;
      if (cannot_run) {
        HB_LOG(self->log, Warning, Crm, "probe of {}: {}: counted as not running here | group={}", rs.id,
               r.error.empty() ? std::string(r.resultWord()) : r.error, gid);
      }
      const bool blocked_here = lg.state == GroupState::FailedStop;  // stays so until cleanup
      if (r.ok()) {
        HB_LOG(self->log, Warning, Crm, "{} is already running here (probe) | group={}", rs.id, gid);
        // Something of the group runs: hold it, so that it is stopped cleanly if it must not
        // run here, or kept if it should.
        if (!blocked_here) lg.state = GroupState::Started;
        if (isIpResource(self->group(gid)->primitives[i])) lg.announce_when_alone = true;
      } else if (rs.state == ResourceState::Unknown) {
        HB_LOG(self->log, Error, Crm, "probe of {} failed: it may be running here | group={} rc={} result={}",
               rs.id, gid, r.exitCode, r.resultWord());
        lg.probe_failed = true;
      }
      const bool group_done = --lg.probes_pending == 0;
      if (group_done && lg.probe_failed && !blocked_here && !lg.busy) {
        // Pacemaker's rule: a resource whose state is unknown may be running; stop the group
        // (right to left; stopping what does not run is a no-op) before anything starts it.
        lg.probe_failed = false;
        self->trigger("probe of " + gid + " failed");
        self->startStop(gid, false, "stop here (probe failed: may be running)");
      }
      if (initial && --self->probes_left == 0) {
        self->probed = true;
        HB_LOG(self->log, Info, Crm, "probes done");
      }
      // The last start-up probe always completes its group too.
      if (group_done) {
        self->scheduleReconcile();
        self->sendReport(false);
      }
    };
    auto started = runner.run(req, done);
    if (!started) {
      resources::ActionResult r;
      r.outcome = resources::Outcome::ConfigError;
      r.error = started.error().message;
      HB_LOG(log, Error, Exec, "probe of {} not run: {}", g->primitives[i].id, started.error().message);
      sched.post([done, r] { done(r); });
    }
  }
}

void ResourceManager::Impl::announceWhenAlone() {
  // Before communications are up a peer not (yet) up proves nothing: it may hold the group.
  if (!comms_up) return;
  for (auto& [gid, lg] : local) {
    if (!lg.announce_when_alone) continue;
    if (lg.state != GroupState::Started) {
      if (!lg.busy) lg.announce_when_alone = false;  // we let it go: nothing to announce
      continue;
    }
    if (lg.busy) continue;
    const bool alone = std::all_of(peers.begin(), peers.end(), [&, &id = gid](const auto& np) {
      const Peer& p = np.second;
      if (!p.up) return true;
      const GroupReport* r = p.reported ? p.group(id) : nullptr;
      return r != nullptr && !holding(r->state) && r->state != GroupState::FailedStop;
    });
    if (!alone) continue;
    lg.announce_when_alone = false;
    reannounce(gid);
  }
}

void ResourceManager::Impl::reannounce(const std::string& gid) {
  const cib::Group* g = group(gid);
  if (g == nullptr) return;
  for (const auto& prim : g->primitives) {
    if (!isIpResource(prim)) continue;
    HB_LOG(log, Notice, Crm, "re-announcing {}: another node held group {} too", vipOf(prim), gid);
    auto req = actionFor(prim, "start", opts.paths);
    auto r = runner.run(req, [](const resources::ActionResult&) {});
    if (!r) HB_LOG(log, Error, Exec, "re-announce of {} not run: {}", prim.id, r.error().message);
  }
}

}  // namespace hb::executor
