// SPDX-License-Identifier: GPL-2.0-or-later
// ResourceManager: the facade, the view from the peers' reports, placement from the pure policy,
// claim/grant hand-over, standby/takeover (one path) and --wait waiters. The other jobs live in
// the executor_*.cc files (see executor_private.h).
#include <algorithm>

#include "crm/executor/executor_private.h"

namespace hb::executor {

namespace {

using policy::GroupState;
using policy::Standby;

constexpr const char* kStandbyRequest = "standby";
constexpr const char* kClearStandby = "clear-standby";
/// "Send me your report": sent on nodeUp. The peer may have sent its last report before it knew
/// us as a member (membership delivers nothing from a non-member), so we would otherwise wait a
/// report interval for its state.
constexpr const char* kReportRequest = "report-request";
/// `hbctl cleanup` on a peer: forget the failures of group "group" and probe it again.
constexpr const char* kCleanupRequest = "cleanup";

/** hb_standby's words: failback is foreign (heartbeat). */
std::optional<Standby> parseStandbyWord(const std::string& s) {
  if (s == "failback") return Standby::Foreign;
  return policy::parseStandbyName(s);
}

/** The groups of `s` relative to `node` (local = preferred there). */
bool covers(Standby s, const cib::Group& g, const std::string& node) {
  const bool mine = g.preferred_node == node;
  return s == Standby::All || (s == Standby::Local && mine) || (s == Standby::Foreign && !mine);
}

}  // namespace

ResourceManager::Impl::Impl(Options o, Scheduler& s, LogSink& l, resources::AgentRunner& r)
    : opts(std::move(o)),
      sched(s),
      log(l),
      runner(r),
      claim_counter(firstClaimNumber(s.wallNow())),
      history(opts.history_size) {}

const cib::Group* ResourceManager::Impl::group(const std::string& id) const {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &opts.cib.groups[it->second];
}

void ResourceManager::Impl::trigger(std::string what) {
  pending_trigger = std::move(what);
  pending_trigger_at = sched.now();
}

// --- view and placement --------------------------------------------------------------------

policy::ClusterView ResourceManager::Impl::view() const {
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
  // Where each VRRP instance is MASTER: here if ours is, else the first live peer saying so.
  for (const auto& inst : vrrp_masters) v.vrrp_master[inst] = opts.self;
  for (const auto& [name, p] : peers) {
    if (!p.up) continue;
    for (const auto& inst : p.vrrp_master) v.vrrp_master.emplace(inst, name);
  }
  for (const auto& g : opts.cib.groups) {
    policy::GroupView gv;
    gv.group = g.id;
    const auto& lg = local.at(g.id);
    gv.state[opts.self] = lg.state;
    if (lg.failed_here) gv.failed_on.push_back(opts.self);
    const auto blocked_on = blocked.find(g.id);
    for (const auto& [name, p] : peers) {
      if (!p.up) {
        // Declared dead: holds nothing any more, unless its stop failed (its resources may still
        // run there; only cleanup or, later, fencing lifts that).
        if (blocked_on != blocked.end() && blocked_on->second.count(name) != 0) {
          gv.state[name] = GroupState::FailedStop;
        }
        continue;
      }
      if (const GroupReport* r = p.group(g.id)) {
        gv.state[name] = r->state;
        // A node that defines the group otherwise is never granted it (grantFor): placement
        // treats it as a node where the group cannot run, so a holder here keeps the group
        // instead of stopping it for a hand-over that could not happen.
        if (r->failed || (r->digest != 0 && r->digest != lg.digest)) gv.failed_on.push_back(name);
      } else if (!holding(lg.state)) {
        // Alive but the group not yet stated: it may hold the group; never start against it.
        // While we hold the group ourselves it must not count as a second holder (that would make
        // us stop the group for a node that has nothing); its statement arrives within a report
        // interval.
        gv.state[name] = GroupState::Starting;
      }
    }
    v.groups.push_back(std::move(gv));
  }
  return v;
}

void ResourceManager::Impl::scheduleReconcile() {
  if (!reconcile_timer) reconcile_timer = sched.createTimer();
  if (reconcile_timer->armed()) return;
  std::weak_ptr<Impl> weak = shared_from_this();
  reconcile_timer->arm(std::chrono::nanoseconds(0), [weak] {
    if (auto self = weak.lock()) self->reconcile();
  });
}

void ResourceManager::Impl::reconcile() {
  if (!probed) return;
  tryAdopt();
  placements = policy::place(opts.cib, view());
  for (const auto& pl : placements) {
    auto& lg = local[pl.group];
    std::string retiring;  // "removed" or "changed" by a reload being applied: stop it here first
    if (pending_cib) {
      if (auto it = pending_cib->retiring.find(pl.group); it != pending_cib->retiring.end()) retiring = it->second;
    }
    const bool here = pl.target && *pl.target == opts.self && !shutting_down && retiring.empty();
    const std::string reason(policy::reasonName(pl.reason));
    // Not yet probed (start-up, cleanup): whether it runs here is not known yet.
    if (lg.busy || lg.state == GroupState::FailedStop || lg.probes_pending > 0) continue;
    if (lg.state == GroupState::Started) {
      if (!here) {
        std::string why = pl.next ? "hand over to " + *pl.next + " (" + reason + ")" : "stop here (" + reason + ")";
        if (!retiring.empty()) why = "stop here (reload: group " + retiring + ")";
        if (shutting_down) why = "stop here (shutdown)";
        startStop(pl.group, false, why);
      } else if (comms_up && pl.reason != policy::Reason::Waiting &&
                 std::any_of(lg.resources.begin(), lg.resources.end(),
                             [](const LocalResource& r) { return r.state != ResourceState::Started; })) {
        // Probes (e.g. after an hbd restart in the middle of a start or stop) found only some of
        // the group running: start it left to right again (a start of a running resource is a
        // no-op for a conforming agent), unless it is about to move to its returning node.
        startStop(pl.group, true, "start here (" + reason + ", found partially running)");
      }
      continue;
    }
    // Stopped (or FailedStart, which is stopped with a failure mark).
    if (!here || !comms_up) {
      if (lg.claim != 0) {
        HB_LOG(log, Info, Crm, "withdrawing claim on {} | claim={} reason={}", pl.group, lg.claim, reason);
        lg.claim = 0;
      }
      continue;
    }
    if (losesTo(peers, opts.self, pl.group)) {
      if (lg.claim != 0) HB_LOG(log, Info, Crm, "claim on {} loses the tie to a peer", pl.group);
      lg.claim = 0;
      continue;
    }
    if (lg.claim == 0) {
      lg.claim = ++claim_counter;
      HB_LOG(log, Info, Crm, "claiming {} | claim={} reason={}", pl.group, lg.claim, reason);
    }
    if (claimGranted(peers, opts.self, pl.group, lg.claim)) {
      lg.claim = 0;
      startStop(pl.group, true, "start here (" + reason + ")");
    }
  }
  announceWhenAlone();
  sendReport(false);
  checkWaiters();
  checkShutdown();
}

// --- reports ---------------------------------------------------------------------------------

StateReport ResourceManager::Impl::buildReport() const {
  StateReport r;
  r.seq = report_seq;
  r.phase_over = comms_up && probed;
  r.standby = my_standby;
  r.vrrp_master = vrrp_masters;
  for (const auto& g : opts.cib.groups) {
    const auto& lg = local.at(g.id);
    // A group not yet probed is not stated: peers count it as possibly held here, and no claim on
    // it is granted. (A failed stop is stated at once: it blocks the group, which is safe.)
    if (lg.probes_pending > 0 && lg.state != GroupState::FailedStop) continue;
    GroupReport gr;
    gr.state = lg.state == GroupState::FailedStart ? GroupState::Stopped : lg.state;
    gr.claim = lg.claim;
    gr.failed = lg.failed_here;
    gr.digest = lg.digest;
    // A group a reload is about to remove or change is not handed to anyone meanwhile.
    const bool retiring = pending_cib && pending_cib->retiring.count(g.id) != 0;
    gr.grant = grantFor(peers, opts.self, g.id, lg.state == GroupState::Stopped && !lg.busy && !retiring, lg.claim,
                        lg.digest);
    r.groups.emplace(g.id, std::move(gr));
  }
  return r;
}

void ResourceManager::Impl::sendReport(bool force) {
  if (!sender) return;
  ++report_seq;
  auto chunks = encodeReport(buildReport(), opts.max_report_bytes);
  std::vector<Fields> bare = chunks;
  for (auto& c : bare) c.erase("s");
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    // Unforced: only the chunks that say something new.
    if (force || i >= last_chunks.size() || bare[i] != last_chunks[i]) sender(chunks[i]);
  }
  last_chunks = std::move(bare);
}

void ResourceManager::Impl::periodic() {
  sendReport(true);
  // Waiting claims, stale views and --wait requests are re-evaluated at least this often.
  scheduleReconcile();
  std::weak_ptr<Impl> weak = shared_from_this();
  report_timer->arm(opts.report_interval, [weak] {
    if (auto self = weak.lock()) self->periodic();
  });
}

void ResourceManager::Impl::receiveReport(const std::string& from, Peer& p, const Fields& f) {
  auto r = decodeReport(f);
  if (!r) {
    HB_LOG(log, Warning, Crm, "ignoring a report: {}", r.error().message);
    return;
  }
  std::map<std::string, GroupState> previous;
  for (const auto& [gid, g] : r->groups) {
    if (const GroupReport* before = p.group(gid)) previous[gid] = before->state;
  }
  // Groups we do not know (another configuration) are not kept.
  for (auto it = r->groups.begin(); it != r->groups.end();) {
    it = group(it->first) == nullptr ? r->groups.erase(it) : std::next(it);
  }
  p.apply(*r);
  for (const auto& [gid, g] : r->groups) {
    if (g.digest != 0 && g.digest != local[gid].digest) {
      warnDefinition(from, gid, g.digest);
    } else if (warned_definition.erase({from, gid}) != 0) {
      HB_LOG(log, Notice, Crm, "group {}: {} has the same definition again", gid, from);
    }
  }
  // A live peer is the authority on its own failed stops; we remember them for when it is gone.
  for (const auto& [gid, g] : r->groups) {
    if (const GroupReport* now = p.group(gid); now != nullptr && now->state == GroupState::FailedStop) {
      block(gid, from);
    } else if (now != nullptr) {
      unblock(gid, from);
    }
  }
  // A peer that held a group we hold too has let it go (its addresses are removed there): announce
  // ours again, or clients keep that peer's MAC. Not on a failed stop: the peer may still hold them.
  for (const auto& [gid, before] : previous) {
    const GroupReport* now = p.group(gid);
    if (holding(before) && now != nullptr && now->state == GroupState::Stopped) {
      auto& lg = local[gid];
      if (lg.state == GroupState::Started && !lg.busy) {
        lg.announce_when_alone = false;
        reannounce(gid);
      }
    }
  }
}

// --- standby / takeover, waiters and shutdown --------------------------------------------------

Result<std::string> ResourceManager::Impl::move(MoveRequest req, std::function<void(bool)> moved) {
  my_standby = req.my_standby;
  std::map<std::string, std::uint64_t> asked;  // peer -> generation the request went to
  if (sender) {
    for (const auto& [name, p] : peers) {
      if (!p.up) continue;
      Fields f = req.to_peer;
      f["node"] = name;
      sender(f);
      asked[name] = p.generation;
    }
  }
  trigger(req.trigger);
  if (moved) {
    std::weak_ptr<Impl> weak = shared_from_this();
    waiters.push_back(Waiter{
        [weak, req, asked]() -> std::optional<bool> {
          auto self = weak.lock();
          if (!self) return false;
          bool done = true;
          for (const auto& gid : req.affected) {
            const auto it = self->local.find(gid);
            if (it == self->local.end()) continue;  // removed by a reload meanwhile
            const auto& lg = it->second;
            if (lg.busy) return std::nullopt;
            done = done && (req.want_here ? lg.state == GroupState::Started
                                          : lg.state != GroupState::Started && self->startedOnPeer(gid));
          }
          if (done) return true;
          // Not before every asked peer has reported what it was asked for (or is gone): until
          // then "stable" only means the peer has not acted on the request yet.
          for (const auto& [name, gen] : asked) {
            const auto& p = self->peers.at(name);
            if (p.up && p.generation == gen && (!p.reported || p.standby != req.peer_standby)) return std::nullopt;
          }
          return self->stableNow() ? std::optional<bool>(false) : std::nullopt;
        },
        std::move(moved)});
  }
  reconcile();
  return std::string();
}

void ResourceManager::Impl::checkWaiters() {
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

bool ResourceManager::Impl::stableNow() const {
  for (const auto& [gid, lg] : local) {
    if (lg.busy || lg.claim != 0) return false;
  }
  return std::none_of(placements.begin(), placements.end(), [](const policy::Placement& p) { return p.transient(); });
}

bool ResourceManager::Impl::startedOnPeer(const std::string& gid) const {
  return std::any_of(peers.begin(), peers.end(), [&](const auto& np) {
    const GroupReport* g = np.second.up ? np.second.group(gid) : nullptr;
    return g != nullptr && g->state == GroupState::Started;
  });
}

void ResourceManager::Impl::checkShutdown() {
  if (!shutting_down || !shutdown_done) return;
  for (const auto& [gid, lg] : local) {
    if (lg.busy || holding(lg.state)) return;
  }
  auto done = std::move(shutdown_done);
  shutdown_done = nullptr;
  done();
}

std::set<std::string> ResourceManager::Impl::groupsFor(Standby s, const std::string& relative_to) const {
  std::set<std::string> out;
  for (const auto& g : opts.cib.groups) {
    if (g.follows_vrrp.empty() && covers(s, g, relative_to)) out.insert(g.id);  // VRRP decides those
  }
  return out;
}

// --- blocks (failed stops) and cleanup ----------------------------------------------------------

void ResourceManager::Impl::block(const std::string& gid, const std::string& node) {
  if (blocked[gid].insert(node).second) saveBlocked();
}

void ResourceManager::Impl::unblock(const std::string& gid, const std::string& node) {
  auto it = blocked.find(gid);
  if (it == blocked.end() || it->second.erase(node) == 0) return;
  if (it->second.empty()) blocked.erase(it);
  saveBlocked();
}

void ResourceManager::Impl::saveBlocked() {
  if (!opts.save_blocked) return;
  std::vector<Blocked> all;
  for (const auto& [gid, nodes] : blocked) {
    for (const auto& n : nodes) all.push_back(Blocked{gid, n});
  }
  opts.save_blocked(all);
}

void ResourceManager::Impl::cleanupHere(const std::string& gid, const std::string& who) {
  auto& lg = local[gid];
  HB_LOG(log, Notice, Crm, "cleanup of group {} (by {}): failures forgotten, probing again", gid, who);
  if (blocked.erase(gid) != 0) saveBlocked();
  lg.failed_here = false;
  trigger("hbctl cleanup " + gid + " on " + who);
  // A group being started or stopped, or running here, keeps its state; anything else is probed
  // again (and, until probed, not stated: peers count it as possibly held here).
  if (lg.busy || lg.state == GroupState::Started || lg.probes_pending > 0) {
    scheduleReconcile();
    return;
  }
  lg.state = GroupState::Stopped;
  probeGroup(gid, /*initial=*/false);
  sendReport(true);
}

// --- the facade ----------------------------------------------------------------------------------

ResourceManager::ResourceManager(Options o, Scheduler& sched, LogSink& log, resources::AgentRunner& runner)
    : impl_(std::make_shared<Impl>(std::move(o), sched, log, runner)) {
  for (std::size_t i = 0; i < impl_->opts.cib.groups.size(); ++i) {
    const auto& g = impl_->opts.cib.groups[i];
    impl_->index.emplace(g.id, i);
    impl_->local[g.id] = impl_->freshLocal(g);
  }
  for (const auto& n : impl_->opts.cib.nodes) {
    if (n != impl_->opts.self) impl_->peers[n];
  }
  bool dropped = false;
  for (const auto& b : impl_->opts.blocked) {
    const bool known_node = std::find(impl_->opts.cib.nodes.begin(), impl_->opts.cib.nodes.end(), b.node) !=
                            impl_->opts.cib.nodes.end();
    if (impl_->group(b.group) == nullptr || !known_node) {
      dropped = true;  // no longer configured: nothing to start, nothing to block
      continue;
    }
    impl_->blocked[b.group].insert(b.node);
    if (b.node == impl_->opts.self) impl_->local[b.group].state = GroupState::FailedStop;
    HB_LOG(impl_->log, Crit, Crm,
           "group {} is blocked: its stop failed on {} (state dir); no node starts it until `hbctl cleanup {}`",
           b.group, b.node, b.group);
  }
  if (dropped) impl_->saveBlocked();
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
    p = Peer{};
    p.generation = generation;
  }
  p.up = true;
  impl_->trigger("node " + node + " up");
  HB_LOG(impl_->log, Info, Crm, "peer {} up | generation={}", node, generation);
  impl_->sendReport(true);
  if (impl_->sender) impl_->sender(Fields{{"t", kReportRequest}, {"node", node}});
  impl_->scheduleReconcile();
}

void ResourceManager::nodeDead(const std::string& node, const std::string& why) {
  auto it = impl_->peers.find(node);
  if (it == impl_->peers.end() || !it->second.up) return;
  const auto gen = it->second.generation;
  // A start that failed here earlier does not rule this node out for the groups the dead node
  // held: heartbeat's mach_down takes them over all the same (else they would stay down).
  for (const auto& [gid, g] : it->second.groups) {
    auto lg = impl_->local.find(gid);
    if (lg != impl_->local.end() && Impl::holding(g.report.state)) lg->second.failed_here = false;
  }
  it->second = Peer{};
  it->second.generation = gen;
  impl_->trigger("node " + node + " " + why);
  std::string still_blocked;
  for (const auto& [gid, nodes] : impl_->blocked) {
    if (nodes.count(node) != 0) still_blocked += (still_blocked.empty() ? "" : ",") + gid;
  }
  HB_LOG(impl_->log, Notice, Crm, "peer {} {}: its groups are free | fencing=none", node, why);
  if (!still_blocked.empty()) {
    HB_LOG(impl_->log, Crit, Crm,
           "groups {} stay blocked: their stop failed on {}, whose resources may still run; run `hbctl cleanup` "
           "once they are stopped there",
           still_blocked, node);
  }
  // React now, not at the next tick: this is the failover path.
  impl_->reconcile();
}

void ResourceManager::receive(const std::string& from, std::uint64_t generation, const Fields& f) {
  auto it = impl_->peers.find(from);
  if (it == impl_->peers.end()) return;
  auto& p = it->second;
  // Membership alone says who is up (nodeUp/nodeDead). A message is never a sign of life: a report
  // overtaken by the peer's shutdown notice, or one from a node declared dead, would otherwise
  // bring the peer back here, and groups could be handed over to a node that is gone.
  if (!p.up) return;
  if (generation < p.generation) return;  // a stale incarnation
  if (generation > p.generation) {
    p = Peer{};
    p.generation = generation;
    p.up = true;
  }
  auto t = f.find("t");
  if (t == f.end()) return;
  if (t->second == "rsc") {
    impl_->receiveReport(from, p, f);
    impl_->scheduleReconcile();  // once for the chunks of a burst
  } else if (t->second == kStandbyRequest) {
    // A peer's hb_takeover: we give away the mirrored set.
    auto target = f.find("node");
    auto what = f.find("what");
    if (target == f.end() || target->second != impl_->opts.self || what == f.end()) return;
    auto s = parseStandbyWord(what->second);
    if (!s) return;
    impl_->my_standby = *s;
    impl_->trigger("hb_takeover on " + from + " (standby " + what->second + " here)");
    HB_LOG(impl_->log, Notice, Crm, "Going standby [{}] at the request of {}", what->second, from);
    impl_->reconcile();
  } else if (t->second == kReportRequest) {
    auto target = f.find("node");
    if (target != f.end() && target->second == impl_->opts.self) impl_->sendReport(true);
  } else if (t->second == kCleanupRequest) {
    auto gid = f.find("group");
    if (gid != f.end() && impl_->group(gid->second) != nullptr) impl_->cleanupHere(gid->second, from);
  } else if (t->second == kClearStandby) {
    auto target = f.find("node");
    if (target == f.end() || target->second != impl_->opts.self) return;
    impl_->my_standby = Standby::None;
    impl_->scheduleReconcile();
  }
}

Result<std::string> ResourceManager::standby(const std::string& what, std::function<void(bool)> moved) {
  auto s = parseStandbyWord(what);
  if (!s || *s == Standby::None) return err(Errc::InvalidArgument, "unknown standby set '" + what + "'");
  if (impl_->opts.cib.auto_failback == cib::AutoFailback::Legacy) {
    return err(Errc::Unsupported, "Standby mode only implemented when auto_failback is on or off (it is legacy)");
  }
  const bool any_peer =
      std::any_of(impl_->peers.begin(), impl_->peers.end(), [](const auto& np) { return np.second.up; });
  HB_LOG(impl_->log, Notice, Crm, "Going standby [{}]", what);
  // Our request replaces any standby the peer was put in by an earlier hb_takeover of ours.
  MoveRequest req{"hb_standby " + what + " on " + impl_->opts.self, *s, Fields{{"t", kClearStandby}},
                  Standby::None, impl_->groupsFor(*s, impl_->opts.self), /*want_here=*/false};
  auto r = impl_->move(std::move(req), std::move(moved));
  if (!r) return r;
  return std::string(any_peer ? "Going standby [" + what + "]."
                              : "Going standby [" + what + "]: no other node is up; groups stay here.");
}

Result<std::string> ResourceManager::takeover(const std::string& what, std::function<void(bool)> moved) {
  auto s = parseStandbyWord(what);
  if (!s || *s == Standby::None) return err(Errc::InvalidArgument, "unknown takeover set '" + what + "'");
  if (impl_->opts.cib.auto_failback == cib::AutoFailback::Legacy) {
    return err(Errc::Unsupported, "Takeover only implemented when auto_failback is on or off (it is legacy)");
  }
  // heartbeat: the peer runs hb_standby with the mirrored set; `failback` is passed unmapped and
  // ends as `all` there.
  const Standby mine = what == "local" ? Standby::Local : what == "foreign" ? Standby::Foreign : Standby::All;
  const Standby mirror = mine == Standby::Local ? Standby::Foreign : mine == Standby::Foreign ? Standby::Local
                                                                                              : Standby::All;
  const std::string mirror_word(policy::standbyName(mirror));
  MoveRequest req{"hb_takeover " + what + " on " + impl_->opts.self, Standby::None,
                  Fields{{"t", kStandbyRequest}, {"what", mirror_word}}, mirror,
                  impl_->groupsFor(mine, impl_->opts.self), /*want_here=*/true};
  auto r = impl_->move(std::move(req), std::move(moved));
  if (!r) return r;
  return std::string("Taking over [" + what + "].");
}

void ResourceManager::setVrrpMaster(const std::string& instance, bool master) {
  if (master) {
    impl_->all_vrrp_masters.insert(instance);
  } else {
    impl_->all_vrrp_masters.erase(instance);
  }
  // Only instances some group follows travel in reports (they are all the view needs): a router
  // with many instances does not crowd every report chunk's node-wide part.
  const auto& groups = impl_->opts.cib.groups;
  if (std::none_of(groups.begin(), groups.end(), [&](const cib::Group& g) { return g.follows_vrrp == instance; })) {
    return;
  }
  const bool was = impl_->vrrp_masters.count(instance) != 0;
  if (was == master) return;
  if (master) {
    impl_->vrrp_masters.insert(instance);
    // A new MASTER phase gives a group that failed here another chance.
    for (const auto& g : impl_->opts.cib.groups) {
      if (g.follows_vrrp == instance) impl_->local[g.id].failed_here = false;
    }
  } else {
    impl_->vrrp_masters.erase(instance);
  }
  impl_->trigger("vrrp " + instance + (master ? " became MASTER" : " left MASTER"));
  impl_->sendReport(true);
  impl_->reconcile();
}

void ResourceManager::shutdown(std::function<void()> done) {
  impl_->shutting_down = true;
  impl_->pending_cib.reset();  // a reload being applied: its groups are stopped like every other
  impl_->shutdown_done = std::move(done);
  impl_->trigger("shutdown of " + impl_->opts.self);
  HB_LOG(impl_->log, Notice, Crm, "Giving up all HA resources.");
  impl_->reconcile();
}

std::vector<GroupStatus> ResourceManager::groups() const {
  std::vector<GroupStatus> out;
  out.reserve(impl_->opts.cib.groups.size());
  const auto& placements = impl_->placements;
  for (std::size_t gi = 0; gi < impl_->opts.cib.groups.size(); ++gi) {
    const auto& g = impl_->opts.cib.groups[gi];
    GroupStatus s;
    s.id = g.id;
    s.key = g.key();
    s.preferred = g.preferred_node;
    const auto& lg = impl_->local.at(g.id);
    s.local_state_enum = lg.state;
    s.local_state = lg.probes_pending > 0 && lg.state != GroupState::FailedStop
                        ? std::string("unknown")  // being probed: may be running here
                        : std::string(policy::groupStateName(lg.state));
    for (const auto& r : lg.resources) {
      s.resources.push_back(ResourceStatus{r.id, r.agent, std::string(resourceStateName(r.state)), r.state,
                                           r.last_action, r.last_rc, r.last_duration_ms});
    }
    std::optional<policy::Status> status;
    if (gi < placements.size() && placements[gi].group == g.id) {  // place() keeps cib order
      status = placements[gi].status;
      s.reason_enum = placements[gi].reason;
      s.reason = std::string(policy::reasonName(s.reason_enum));
    }
    if (Impl::holding(lg.state) || lg.state == GroupState::FailedStop) s.owner = impl_->opts.self;
    if (lg.failed_here) s.failed_on.push_back(impl_->opts.self);
    const auto blocked_on = impl_->blocked.find(g.id);
    for (const auto& [name, p] : impl_->peers) {
      if (!p.up) {
        if (!s.owner && blocked_on != impl_->blocked.end() && blocked_on->second.count(name) != 0) s.owner = name;
        continue;
      }
      const GroupReport* r = p.group(g.id);
      if (r == nullptr) continue;
      if (!s.owner && r->state != GroupState::Stopped) s.owner = name;
      if (r->failed) s.failed_on.push_back(name);
    }
    s.status_enum = status.value_or(s.owner ? policy::Status::Started : policy::Status::Stopped);
    s.status = std::string(policy::statusName(s.status_enum));
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

Result<std::string> ResourceManager::cleanup(const std::string& what) {
  const cib::Group* g = impl_->group(what);
  for (const auto& cand : impl_->opts.cib.groups) {
    if (g != nullptr) break;
    for (const auto& p : cand.primitives) {
      if (p.id == what) g = &cand;
    }
  }
  if (g == nullptr) return err(Errc::InvalidArgument, "no resource or group named '" + what + "'");
  const std::string gid = g->id;
  impl_->cleanupHere(gid, impl_->opts.self);
  // One message to every peer; a peer that misses it keeps its own failure marks (safe), and the
  // operator can run cleanup there too.
  if (impl_->sender) impl_->sender(Fields{{"t", kCleanupRequest}, {"group", gid}});
  return std::string("Cleaned up group " + gid + ": failures forgotten, probing again on every live node.");
}

std::vector<std::string> ResourceManager::unmanaged() const {
  std::vector<std::string> out;
  for (const auto& g : impl_->opts.cib.groups) {
    if (impl_->local.at(g.id).state == GroupState::FailedStop) out.push_back(g.id);
  }
  return out;
}

std::vector<HistoryEntry> ResourceManager::history() const { return impl_->history.entries(); }

const cib::Cib& ResourceManager::cib() const { return impl_->opts.cib; }

bool ResourceManager::stable() const { return impl_->stableNow(); }

void ResourceManager::setReportInterval(std::chrono::milliseconds every) { impl_->opts.report_interval = every; }

}  // namespace hb::executor
