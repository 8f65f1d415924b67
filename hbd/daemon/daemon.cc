// SPDX-License-Identifier: GPL-2.0-or-later
// Daemon: maps the parsed config into each library's options and wires them on the loop.
#include "hbd/daemon/daemon.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "crm/haresources/haresources.h"
#include "hbd/link/serial_frame.h"
#include "hb_build_config.h"

namespace hb::daemon {

namespace {

/** Adverts dropped before any instance could own them (a VRID with no instance here), by reason. */
std::map<std::string, std::uint64_t> vrrpUnassigned(const vrrp::VrrpRouter* router) {
  std::map<std::string, std::uint64_t> out;
  if (router == nullptr) return out;
  const auto counts = router->unassignedDrops();
  for (std::size_t i = 0; i < vrrp::kDropReasonCount; ++i) {
    out[std::string(vrrp::dropReasonName(static_cast<vrrp::DropReason>(i)))] = counts[i];
  }
  return out;
}

/** Re-send the full state a few times per deadtime, so a lost report costs little. */
std::chrono::milliseconds reportInterval(std::chrono::milliseconds deadtime) {
  return std::clamp(deadtime / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

}  // namespace

resources::AgentPaths agentPaths(const std::string& config_dir) {
  resources::AgentPaths p;
  p.configDir = config_dir;
  // Run from a build tree (build/bin/hbd): our agents are in build/ocf/resource.d/hbd.
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    const std::string build_agents = dir + "/../ocf/resource.d/hbd";
    if (::access(build_agents.c_str(), X_OK) == 0) p.hbdAgentDir = build_agents;
  }
  return p;
}

Daemon::Daemon(boost::asio::io_context& io, DaemonOptions o, LoadedConfig cfg, DaemonLogSink& log)
    : io_(io), opts_(std::move(o)), cfg_(std::move(cfg)), log_(log), sched_(io), signals_(io) {}

Daemon::~Daemon() = default;

Result<void> Daemon::start() {
  started_at_ = sched_.now();
  ::unlink(uncleanPath(opts_.run_dir).c_str());  // says how the previous daemon stopped
  if (!cfg_.has_hacf) return startControlAndVrrp();
  for (const auto& lo : cfg_.links) {
    auto l = link::makeLink(lo, io_, sched_, log_);
    if (!l) return err(Errc::Io, "link " + (lo.device.empty() ? lo.interface : lo.device) + ": " + l.error().message);
    links_.push_back(std::move(*l));
  }

  // Persisted before any frame can carry it: a generation that a restart could repeat would make
  // peers take the new incarnation's frames for replays.
  const auto wall_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(sched_.wallNow().time_since_epoch()).count());
  auto gen = nextGeneration(opts_.state_dir, opts_.run_dir,
                            cfg_.hacf.hbgenmethod == "time" ? GenMethod::Time : GenMethod::File, wall_ms);
  if (!gen) return gen.error();
  generation_ = gen->value;
  HB_LOG(log_, Info, Daemon, "generation {} | hbgenmethod={} basis={} file={}/generation", gen->value,
         cfg_.hacf.hbgenmethod, gen->basis, opts_.state_dir);

  std::vector<link::Link*> links;
  for (auto& l : links_) links.push_back(l.get());
  launcher_ = resources::makeSpawnLauncher(io_, log_);
  node_ = std::make_unique<node::Node>(nodeOptions(), std::move(links), sched_, *launcher_, log_);
  membership_ = &node_->membership();
  rm_ = node_->resources();
  for (auto& l : links_) {
    if (auto r = l->open(); !r) return err(Errc::Io, "cannot open link " + std::string(l->name()) + ": " + r.error().message);
    membership_->setLinkOpen(l->name(), l->stats().device_ok);
    HB_LOG(log_, Info, Link, "link {} open", l->name());
  }

  if (auto r = startControlAndVrrp(); !r) return r;
  node_->start();
  HB_LOG(log_, Notice, Daemon, "hbd {} started | node={} generation={} links={} keepalive_ms={} deadtime_ms={}",
         HB_VERSION, opts_.node, membership_->generation(), links_.size(), cfg_.hacf.keepalive.count(),
         cfg_.hacf.deadtime.count());
  return {};
}

Result<void> Daemon::startControlAndVrrp() {
  control_ = std::make_unique<control::ControlServer>(
      io_, opts_.run_dir + "/hbd.sock",
      [this](const control::Request& req, const control::PeerCred& who, control::Reply reply) {
        handleRequest(req, who, std::move(reply));
      },
      log_, controlOptions());
  if (auto r = control_->start(); !r) return r;

  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  waitSignals();

  if (cfg_.vrrp) {
    vrrp_ = std::make_unique<vrrp::VrrpRouter>(io_, sched_, log_, *cfg_.vrrp);
    vrrp_->onStateChange([this](const std::string& instance, vrrp::State, vrrp::State now, int) {
      if (rm_) rm_->setVrrpMaster(instance, now == vrrp::State::Master);
    });
    if (auto r = vrrp_->start(); !r) return err(Errc::Io, "vrrp: " + r.error().message);
    if (!cfg_.has_hacf) {
      HB_LOG(log_, Notice, Daemon, "hbd {} started as a VRRP router | instances={}", HB_VERSION,
             cfg_.vrrp->instances.size());
    }
  }
  return {};
}

control::ControlOptions Daemon::controlOptions() const {
  control::ControlOptions co;
  co.admin_group = cfg_.hacf.admin_group;
  return co;
}

node::NodeOptions Daemon::nodeOptions() {
  node::NodeOptions no;
  membership::Options& mo = no.membership;
  mo.self = opts_.node;
  mo.nodes = cfg_.hacf.nodes;
  for (const auto& l : links_) mo.links.emplace_back(l->name());
  mo.keepalive = cfg_.hacf.keepalive;
  mo.deadtime = cfg_.hacf.deadtime;
  mo.warntime = cfg_.hacf.warntime;
  mo.initdead = cfg_.hacf.initdead;
  mo.keys = cfg_.keys;
  mo.generation = generation_;

  resources::AgentRunnerOptions& ro = no.runner;
  ro.paths = agentPaths(opts_.config_dir);
  ro.nodeName = opts_.node;
  // With the default run dir agents keep their state where they always do (HA_RSCTMP,
  // /run/resource-agents), as `hbctl agent run` sees it too. Each further hbd on the host (its own
  // --run-dir) gets its own state dir, so two nodes on one host never share pid or state files.
  if (opts_.run_dir != DaemonOptions{}.run_dir) {
    ro.stateDir = opts_.run_dir + "/rsctmp";
    ::mkdir(ro.stateDir.c_str(), 01755);
  }
  if (!cfg_.has_resources) return no;
  executor::Options eo;
  eo.self = opts_.node;
  eo.cib = cfg_.cib;
  eo.paths = ro.paths;
  eo.report_interval = reportInterval(cfg_.hacf.deadtime);
  // Groups blocked by a failed stop survive every restart (state dir).
  std::vector<std::string> problems;
  for (auto& b : readBlocked(opts_.state_dir, problems)) eo.blocked.push_back({std::move(b.group), std::move(b.node)});
  for (const auto& p : problems) HB_LOG(log_, Warning, Crm, "{}", p);
  eo.save_blocked = [this](const std::vector<executor::Blocked>& blocked) {
    std::vector<BlockedLine> lines;
    for (const auto& b : blocked) lines.push_back({b.group, b.node});
    if (auto r = writeBlocked(opts_.state_dir, lines); !r) {
      HB_LOG(log_, Crit, Crm, "{}; the blocks hold only until this hbd stops", r.error().message);
    }
  };
  report_interval_ = eo.report_interval;
  no.resources = std::move(eo);
  return no;
}

void Daemon::waitSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      (void)reload();  // logs its outcome
    } else {
      shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (!stopping_) waitSignals();
  });
}

Result<std::string> Daemon::reload() {
  HB_LOG(log_, Notice, Daemon, "reload: re-reading configuration");
  std::vector<Diagnostic> diags;
  auto cfg = loadConfig(opts_, diags);
  std::vector<std::string> errors;
  for (const auto& d : diags) {
    if (d.severity == Severity::Error) {
      HB_LOG(log_, Error, Config, "{}", d.format());
      errors.push_back(d.format());
    } else {
      HB_LOG(log_, Warning, Config, "{}", d.format());
    }
  }
  auto refuse = [&](const std::string& why, const std::vector<std::string>& items) -> Result<std::string> {
    std::string text = "reload refused, nothing changed: " + why;
    for (const auto& i : items) text += "\n  " + i;
    HB_LOG(log_, Error, Config, "reload refused, nothing changed: {} ({} problem(s))", why, items.size());
    return err(Errc::Config, text);
  };
  if (!cfg) return refuse("the configuration has errors", errors);
  // What reload cannot apply yet: refused as a whole, so that nothing is half-applied.
  std::vector<std::string> restart;
  if (cfg->has_hacf != cfg_.has_hacf) restart.push_back("ha.cf appeared or disappeared");
  if (cfg->hacf.nodes != cfg_.hacf.nodes) restart.push_back("the node lines");
  if (cfg->has_resources != cfg_.has_resources) restart.push_back("haresources appeared or disappeared");
  // New followers of a VRRP instance the running router does not have (vrrp.conf is not re-read).
  for (const auto& g : cfg->cib.groups) {
    if (g.follows_vrrp.empty() || rm_ == nullptr || rm_->cib().findGroup(g.id) != nullptr) continue;
    const bool known = cfg_.vrrp && std::any_of(cfg_.vrrp->instances.begin(), cfg_.vrrp->instances.end(),
                                                [&](const vrrp::InstanceConf& i) { return i.name == g.follows_vrrp; });
    if (!known) restart.push_back("group " + g.id + " follows VRRP instance " + g.follows_vrrp + ", not running");
  }
  if (cfg->vrrp.has_value() != cfg_.vrrp.has_value()) restart.push_back("vrrp.conf appeared or disappeared");
  if (cfg->hacf.admin_group != cfg_.hacf.admin_group) restart.push_back("admin_group (who may change state)");
  if (!restart.empty()) return refuse("these changes need a restart of hbd", restart);
  // Groups: what the resource manager would do, or why it cannot (blocked groups, a reload still
  // being applied): checked before anything is applied.
  if (rm_ != nullptr && cfg->has_resources) {
    if (auto plan = rm_->checkReconfigure(cfg->cib); !plan) {
      return refuse("the resource groups cannot change now", {plan.error().message});
    }
  }

  // New links are built and opened before anything is applied: one that cannot be opened (no such
  // interface, a port taken) refuses the whole reload, and the ones opened are closed again.
  LinkPlan links;
  if (cfg->links != cfg_.links) {
    auto planned = planLinks(cfg->links);
    if (!planned) return refuse("a new link cannot be opened", {planned.error().message});
    links = std::move(*planned);
  }

  std::vector<std::string> applied;
  if (cfg->links != cfg_.links) applied.push_back(applyLinks(std::move(links), cfg->links));
  const auto& now = cfg->hacf;
  const auto& was = cfg_.hacf;
  if (cfg->keys != cfg_.keys) {
    applied.push_back("keys (sending with auth " + std::to_string(cfg->keys.send_index) + ", accepting " +
                      std::to_string(cfg->keys.keys.size()) + ")");
  }
  if (now.keepalive != was.keepalive || now.deadtime != was.deadtime || now.warntime != was.warntime ||
      now.initdead != was.initdead) {
    applied.push_back(fmt::format("timings (keepalive {} ms, deadtime {} ms, warntime {} ms)", now.keepalive.count(),
                                  now.deadtime.count(), now.warntime.count()));
  }
  if (membership_) membership_->reconfigure(cfg->keys, now.keepalive, now.deadtime, now.warntime, now.initdead);
  if (rm_ != nullptr) {
    report_interval_ = reportInterval(now.deadtime);
    rm_->setReportInterval(report_interval_);
    // Checked above; cannot fail now but for a request that raced in on the loop (there is none).
    auto groups = rm_->reconfigure(cfg->cib);
    if (!groups) {
      HB_LOG(log_, Error, Crm, "reload: groups not changed: {}", groups.error().message);
    } else if (!groups->empty()) {
      applied.push_back(*groups);
    }
  }
  cfg_.cib = cfg->cib;
  LogOptions lo{opts_.node, now.logfile, now.debugfile, now.logfacility, now.debug, opts_.foreground};
  log_.reopen(lo);
  cfg_.hacf = cfg->hacf;
  cfg_.keys = cfg->keys;
  cfg_.links = cfg->links;
  std::string msg = "Reloaded: " + (applied.empty() ? std::string("no change") : applied.front());
  for (std::size_t i = 1; i < applied.size(); ++i) msg += ", " + applied[i];
  msg += "; log files reopened.";
  if (cfg_.vrrp) msg += " (vrrp.conf is not re-read: restart hbd for VRRP changes.)";
  HB_LOG(log_, Notice, Daemon, "{}", msg);
  return msg;
}

namespace {
std::string linkName(const link::LinkOptions& o) { return o.device.empty() ? o.interface : o.device; }
}  // namespace

Result<Daemon::LinkPlan> Daemon::planLinks(const std::vector<link::LinkOptions>& want) {
  LinkPlan plan;
  std::vector<bool> kept(cfg_.links.size(), false);
  for (const auto& lo : want) {
    std::size_t i = 0;
    while (i < cfg_.links.size() && (kept[i] || !(cfg_.links[i] == lo))) ++i;
    if (i < cfg_.links.size()) {
      kept[i] = true;
      continue;
    }
    auto l = link::makeLink(lo, io_, sched_, log_);
    auto opened = l ? (*l)->open() : Result<void>(l.error());
    if (!opened) {
      for (auto& [o, added] : plan.added) added->close();
      return err(Errc::Io, "link " + linkName(lo) + ": " + opened.error().message);
    }
    plan.added.emplace_back(lo, std::move(*l));
  }
  return plan;
}

std::string Daemon::applyLinks(LinkPlan plan, const std::vector<link::LinkOptions>& want) {
  // links_ follows cfg_.links index by index: rebuild both in the new order.
  std::vector<link::LinkPtr> old = std::move(links_);
  std::vector<link::LinkOptions> old_opts = cfg_.links;
  links_.clear();
  std::string added_names;
  std::string removed_names;
  for (const auto& lo : want) {
    std::size_t i = 0;
    while (i < old_opts.size() && (old[i] == nullptr || !(old_opts[i] == lo))) ++i;
    if (i < old_opts.size()) {
      links_.push_back(std::move(old[i]));
      continue;
    }
    auto it = std::find_if(plan.added.begin(), plan.added.end(),
                           [&](const auto& a) { return a.second != nullptr && a.first == lo; });
    link::LinkPtr l = std::move(it->second);
    // Added before the links it may replace are removed: a link replaced by one of the same name
    // (other peers, another udpport) keeps its state in membership.
    node_->addLink(*l);
    HB_LOG(log_, Info, Link, "link {} open (reload)", l->name());
    added_names += (added_names.empty() ? "" : " ") + std::string(l->name());
    links_.push_back(std::move(l));
  }
  for (auto& l : old) {
    if (l == nullptr) continue;
    node_->removeLink(*l);
    l->close();
    HB_LOG(log_, Info, Link, "link {} closed (reload)", l->name());
    removed_names += (removed_names.empty() ? "" : " ") + std::string(l->name());
  }
  std::string what = "links (";
  if (!added_names.empty()) what += "opened " + added_names;
  if (!removed_names.empty()) what += std::string(added_names.empty() ? "" : "; ") + "closed " + removed_names;
  return what + ")";
}

void Daemon::shutdown(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  HB_LOG(log_, Notice, Daemon, "hbd shutdown in progress ({})", why);
  // VRRP first: the priority-0 advert lets the backup take over at once; groups following an
  // instance are stopped as it leaves MASTER.
  if (vrrp_) vrrp_->stop();
  if (rm_) {
    // heartbeat: give up every resource (right to left), then tell the peers, who take over at
    // once (no deadtime wait).
    node_->shutdown([this] { finishShutdown(); });
    return;
  }
  finishShutdown();
}

void Daemon::finishShutdown() {
  const auto unmanaged = rm_ ? rm_->unmanaged() : std::vector<std::string>{};
  if (!unmanaged.empty() && !unmanaged_grace_done_) {
    std::string names;
    for (const auto& g : unmanaged) names += (names.empty() ? "" : ",") + g;
    const std::string why = "group(s) " + names + " could not be stopped (UNMANAGED): they may still run here, " +
                            "and no node starts them until they are stopped by hand and `hbctl cleanup` is run";
    HB_LOG(log_, Crit, Crm, "Shutdown with {}", why);
    exit_code_ = kExitRuntime;
    if (std::ofstream out(uncleanPath(opts_.run_dir)); out) out << why << "\n";
    // The peers keep such a group blocked because our reports say failed-stop. Before the shutdown
    // notice, let two more full reports go out (the resource manager re-sends one every report
    // interval), so that one lost datagram cannot leave a peer believing the group is free.
    unmanaged_grace_done_ = true;
    grace_timer_ = sched_.createTimer();
    grace_timer_->arm(2 * report_interval_ + std::chrono::milliseconds(20), [this] { finishShutdown(); });
    return;
  }
  if (rm_ && unmanaged.empty()) HB_LOG(log_, Notice, Crm, "All HA resources relinquished.");
  if (node_) node_->announceShutdown();
  // Let the shutdown notice leave the sockets before closing them.
  exit_timer_ = sched_.createTimer();
  exit_timer_->arm(std::chrono::milliseconds(20), [this] {
    if (node_) node_->stop();
    for (auto& l : links_) l->close();
    if (control_) control_->stop();
    boost::system::error_code ec;
    signals_.cancel(ec);
    HB_LOG(log_, Notice, Daemon, "{} hbd shutdown complete.", opts_.node);
    io_.stop();
  });
}

control::Json Daemon::status() const { return statusOf(); }

control::Status Daemon::statusOf() const {
  const auto now = sched_.now();
  auto ageMs = [&](const std::optional<MonoTime>& t) -> std::optional<std::int64_t> {
    if (!t) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - *t).count();
  };
  control::Status st;
  st.node = opts_.node;
  st.version = HB_VERSION;
  st.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_at_).count();
  st.groups = groupsStatus();
  st.rscstatus = rm_ ? rm_->rscstatus() : std::string("none");
  st.vrrp = vrrpStatus();
  st.vrrp_unassigned_dropped = vrrpUnassigned(vrrp_.get());
  if (!membership_) {
    st.state = "active";
    st.managed_by = "vrrp";
    return st;
  }
  st.cluster = cfg_.hacf.cluster;
  st.state = membership::nodeStateName(membership_->selfState());
  st.comms_up = membership_->commsUp();
  st.generation = membership_->generation();
  st.managed_by = "haresources";
  for (const auto& n : membership_->nodes()) {
    control::NodeStatus ns;
    ns.name = n.name;
    ns.state = membership::nodeStateName(n.state);
    ns.self = n.name == opts_.node;
    ns.generation = n.generation;
    ns.last_heard_ms = ageMs(n.last_heard);
    for (const auto& l : n.links) {
      ns.links.push_back({l.name, std::string(membership::linkStateName(l.state)), ageMs(l.last_heard)});
    }
    st.nodes.push_back(std::move(ns));
  }
  for (const auto& l : links_) {
    const auto& s = l->stats();
    st.links.push_back(control::LinkStatus{std::string(l->name()), s.frames_sent, s.frames_received, s.bytes_sent,
                                           s.bytes_received, s.send_errors, s.receive_errors, s.bad_frames,
                                           s.device_ok});
  }
  const auto& c = membership_->counters();
  st.counters.received = c.received;
  st.counters.duplicates = c.duplicates;
  st.counters.late_heartbeats = c.late_heartbeats;
  st.counters.restarts = c.restarts;
  st.counters.from_non_member = c.from_non_member;
  st.counters.stalls = c.stalls;
  for (int i = 0; i < message::kDropReasonCount; ++i) {
    st.counters.dropped[std::string(message::dropReasonName(static_cast<message::DropReason>(i)))] =
        c.dropped[static_cast<std::size_t>(i)];
  }
  return st;
}

std::vector<control::VrrpStatus> Daemon::vrrpStatus() const {
  std::vector<control::VrrpStatus> out;
  if (!vrrp_) return out;
  for (const auto& st : vrrp_->status()) {
    control::VrrpStatus v;
    v.name = st.name;
    v.vrid = st.vrid;
    v.state = vrrp::stateName(st.state);
    v.priority = st.base_priority;
    v.effective_priority = st.effective_priority;
    v.advert_int_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.advert_int).count();
    v.master_down_interval_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.master_down_interval).count();
    if (st.master) v.master = st.master->toString();
    v.adverts_sent = st.adverts_sent;
    v.adverts_received = st.adverts_received;
    v.become_master = st.become_master;
    for (std::size_t i = 0; i < vrrp::kDropReasonCount; ++i) {
      v.dropped[std::string(vrrp::dropReasonName(static_cast<vrrp::DropReason>(i)))] = st.dropped[i];
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<control::GroupStatusJson> Daemon::groupsStatus() const {
  std::vector<control::GroupStatusJson> out;
  if (!rm_) return out;
  for (const auto& g : rm_->groups()) {
    control::GroupStatusJson gs{g.id, g.key, g.preferred, g.status, g.owner, g.local_state, g.reason, g.failed_on, {}};
    for (const auto& r : g.resources) {
      gs.resources.push_back({r.id, r.agent, r.state, r.last_action, r.last_rc, r.last_duration_ms});
    }
    out.push_back(std::move(gs));
  }
  return out;
}

std::vector<control::HistoryStatus> Daemon::historyStatus() const {
  std::vector<control::HistoryStatus> out;
  if (!rm_) return out;
  for (const auto& h : rm_->history()) {
    control::HistoryStatus hs;
    for (const auto& e : h.events) hs.events.push_back({e.at_ms, e.what});
    const auto secs = std::chrono::system_clock::to_time_t(h.started);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(h.started.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    hs.started = fmt::format("{}.{:03d}", stamp, ms);
    hs.trigger = h.trigger;
    hs.group = h.group;
    hs.decision = h.decision;
    hs.outcome = h.outcome;
    out.push_back(std::move(hs));
  }
  return out;
}

void Daemon::handleRequest(const control::Request& request, const control::PeerCred&, control::Reply reply) {
  using control::Json;
  using control::errorReply;
  if (std::holds_alternative<control::StatusRequest>(request)) {
    reply(status());
  } else if (const auto* p = std::get_if<control::ParameterRequest>(&request)) {
    if (p->name == "hbversion") {
      reply(control::okReply(control::kValueKey, HB_VERSION));
      return;
    }
    auto it = cfg_.hacf.parameters.find(p->name);
    if (it == cfg_.hacf.parameters.end()) {
      reply(errorReply("Cannot get parameter " + p->name + "'s value"));
    } else {
      reply(control::okReply(control::kValueKey, it->second));
    }
  } else if (std::holds_alternative<control::CibRequest>(request)) {
    reply(control::okReply(control::kXmlKey, cib::toXml(rm_ ? rm_->cib() : cfg_.cib)));
  } else if (std::holds_alternative<control::VrrpRequest>(request)) {
    reply(control::vrrpReply(vrrpStatus()));
  } else if (std::holds_alternative<control::HistoryRequest>(request)) {
    reply(control::historyReply(historyStatus()));
  } else if (const auto* m = std::get_if<control::MoveRequest>(&request)) {
    move(*m, std::move(reply));
  } else if (std::holds_alternative<control::ShutdownRequest>(request)) {
    reply(control::okReply());
    shutdown("hbd -k");
  } else if (std::holds_alternative<control::ReloadRequest>(request)) {
    auto r = reload();
    reply(r ? control::okReply(control::kMessageKey, *r) : errorReply(r.error().message));
  } else if (const auto* c = std::get_if<control::CleanupRequest>(&request)) {
    if (!rm_) {
      reply(errorReply("no resource groups are configured (no haresources)"));
      return;
    }
    auto r = rm_->cleanup(c->name);
    reply(r ? control::okReply(control::kMessageKey, *r) : errorReply(r.error().message));
  }
}

void Daemon::move(const control::MoveRequest& req, control::Reply reply) {
  using control::Json;
  using control::errorReply;
  if (!rm_) {
    reply(errorReply("no resource groups are configured (no haresources)"));
    return;
  }
  auto shared_reply = std::make_shared<control::Reply>(std::move(reply));
  auto msg = std::make_shared<std::string>();
  std::function<void(bool)> moved;
  if (req.wait) {
    // Answer when the move completed (or the time ran out).
    auto timer = std::shared_ptr<Timer>(sched_.createTimer());
    auto answered = std::make_shared<bool>(false);
    moved = [shared_reply, msg, answered, timer](bool ok) {
      if (*answered) return;
      *answered = true;
      timer->cancel();
      (*shared_reply)(ok ? control::okReply(control::kMessageKey, *msg + " Done.")
                         : errorReply(*msg + " The groups did not move."));
    };
    timer->arm(req.wait_ms, [shared_reply, msg, answered] {
      if (*answered) return;
      *answered = true;
      (*shared_reply)(errorReply(*msg + " Timed out waiting for the move."));
    });
  }
  auto r = req.kind == control::MoveRequest::Kind::Standby ? rm_->standby(req.what, moved)
                                                           : rm_->takeover(req.what, moved);
  if (!r) {
    (*shared_reply)(errorReply(r.error().message));
    return;
  }
  *msg = *r;
  if (!req.wait) (*shared_reply)(control::okReply(control::kMessageKey, *r));
}

}  // namespace hb::daemon
