// SPDX-License-Identifier: GPL-2.0-or-later
// Daemon: maps the parsed config into each library's options and wires them on the loop.
#include "hbd/daemon/daemon.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "crm/haresources/haresources.h"
#include "hbd/link/serial_frame.h"
#include "hb_build_config.h"

namespace hb::daemon {

namespace {

/** Adverts dropped before any instance could own them (a VRID with no instance here), by reason. */
control::Json vrrpUnassignedJson(const vrrp::VrrpRouter* router) {
  control::Json out = control::Json::object();
  if (router == nullptr) return out;
  const auto counts = router->unassignedDrops();
  for (std::size_t i = 0; i < vrrp::kDropReasonCount; ++i) {
    out[std::string(vrrp::dropReasonName(static_cast<vrrp::DropReason>(i)))] = counts[i];
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

link::LinkOptions::Kind kindOf(config::UdpMedium::Kind k) {
  switch (k) {
    case config::UdpMedium::Kind::Bcast: return link::LinkOptions::Kind::Bcast;
    case config::UdpMedium::Kind::Ucast: return link::LinkOptions::Kind::Ucast;
    case config::UdpMedium::Kind::Mcast: return link::LinkOptions::Kind::Mcast;
  }
  return link::LinkOptions::Kind::Ucast;
}

/** ha.cf media -> link options. ucast lines of one interface share one link (one name, as
 *  cl_status shows it); other media each get their own link. */
std::vector<link::LinkOptions> mapLinks(const config::HaCf& cf, const std::string& path,
                                        std::vector<Diagnostic>& diags) {
  std::vector<link::LinkOptions> out;
  std::map<std::string, std::size_t> ucast_by_if;
  std::set<std::string> names;
  for (const auto& m : cf.udp) {
    if (m.kind == config::UdpMedium::Kind::Ucast) {
      if (auto it = ucast_by_if.find(m.interface); it != ucast_by_if.end()) {
        out[it->second].peers.push_back(m.peer);
        continue;
      }
    }
    link::LinkOptions o;
    o.kind = kindOf(m.kind);
    o.interface = m.interface;
    o.port = m.port;
    o.group = m.group;
    o.ttl = m.ttl;
    o.loop = m.loop;
    if (m.kind == config::UdpMedium::Kind::Ucast) {
      o.peers.push_back(m.peer);
      ucast_by_if[m.interface] = out.size();
    }
    if (!names.insert(m.interface).second) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{path, m.line},
                                 "a second medium on interface '" + m.interface +
                                     "': link names must be unique (use one medium per interface)"});
      continue;
    }
    out.push_back(std::move(o));
  }
  for (const auto& s : cf.serial) {
    link::LinkOptions o;
    o.kind = link::LinkOptions::Kind::Serial;
    o.device = s.device;
    o.baud = cf.baud;
    if (!names.insert(s.device).second) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{path, s.line}, "serial device '" + s.device +
                                                                               "' listed twice"});
      continue;
    }
    out.push_back(std::move(o));
  }
  return out;
}

/** A serial line carries little (19200 baud: 1920 B/s): warn when heartbeats alone would use more
 *  than half of it. The size is that of a real heartbeat with the configured key, framed. */
void checkSerialBandwidth(const LoadedConfig& cfg, const std::string& node, const std::string& path,
                          std::vector<Diagnostic>& diags) {
  if (cfg.hacf.serial.empty() || cfg.keys.keys.empty() || cfg.hacf.keepalive.count() <= 0) return;
  message::Message hb;
  hb.type = message::MsgType::Heartbeat;
  hb.from = node;
  hb.generation = 1;
  hb.seq = 1;
  hb.fields["st"] = std::string("active");
  auto bytes = message::encode(hb, cfg.keys);
  if (!bytes) return;
  const std::size_t frame = link::maxEncodedSerialFrameSize(bytes->size());
  const double needed = static_cast<double>(frame) * 1000.0 / static_cast<double>(cfg.hacf.keepalive.count());
  const double capacity = static_cast<double>(link::serialBytesPerSecond(cfg.hacf.baud));
  if (needed > capacity / 2) {
    for (const auto& s : cfg.hacf.serial) {
      diags.push_back(Diagnostic{
          Severity::Warning, SourceLoc{path, s.line},
          fmt::format("serial {}: a heartbeat of {} bytes every {} ms needs {:.0f} B/s, more than half of the {:.0f} "
                      "B/s a {} baud line carries; raise keepalive or baud",
                      s.device, frame, cfg.hacf.keepalive.count(), needed, capacity, cfg.hacf.baud)});
    }
  }
}

}  // namespace

std::string defaultNodeName() {
  struct utsname u {};
  if (::uname(&u) != 0) return "localhost";
  return lower(u.nodename);
}

std::optional<LoadedConfig> loadConfig(const DaemonOptions& o, std::vector<Diagnostic>& diags) {
  const std::string hacf_path = o.config_dir + "/ha.cf";
  const std::string keys_path = o.config_dir + "/authkeys";
  const std::string vrrp_path = o.config_dir + "/vrrp.conf";
  LoadedConfig cfg;
  bool usable = true;

  // vrrp.conf is optional; a directory holding only vrrp.conf runs hbd as a pure VRRP router.
  const bool has_vrrp = ::access(vrrp_path.c_str(), F_OK) == 0;
  if (has_vrrp) {
    auto text = config::readFile(vrrp_path);
    if (!text) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{vrrp_path, 0}, text.error().message});
      usable = false;
    } else {
      auto parsed = vrrp::parseVrrpConf(*text, vrrp_path);
      diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      if (parsed.ok()) cfg.vrrp = std::move(*parsed.value);
    }
  }
  cfg.has_hacf = !has_vrrp || ::access(hacf_path.c_str(), F_OK) == 0 || ::access(keys_path.c_str(), F_OK) == 0 ||
                 ::access((o.config_dir + "/haresources").c_str(), F_OK) == 0;
  if (!cfg.has_hacf) {
    for (const auto& d : diags) {
      if (d.severity == Severity::Error) usable = false;
    }
    if (!usable) return std::nullopt;
    return cfg;
  }

  auto hacf_text = config::readFile(hacf_path);
  if (!hacf_text) {
    diags.push_back(Diagnostic{Severity::Error, SourceLoc{hacf_path, 0}, hacf_text.error().message});
    usable = false;
  } else {
    auto parsed = config::parseHaCf(*hacf_text, hacf_path);
    diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (parsed.value && !parsed.hasErrors()) {
      cfg.hacf = std::move(*parsed.value);
      auto own = link::localIpv4Addresses();
      std::vector<Diagnostic> more;
      config::validateHaCf(cfg.hacf, o.node, own ? *own : std::vector<std::string>{}, hacf_path, more);
      diags.insert(diags.end(), more.begin(), more.end());
      cfg.links = mapLinks(cfg.hacf, hacf_path, diags);
    } else {
      usable = false;
    }
  }

  auto keys_text = config::readFile(keys_path);
  if (!keys_text) {
    diags.push_back(Diagnostic{Severity::Error, SourceLoc{keys_path, 0}, keys_text.error().message});
    usable = false;
  } else {
    if (auto perm = config::checkAuthKeysPermissions(keys_path)) diags.push_back(*perm);
    auto parsed = config::parseAuthKeys(*keys_text, keys_path);
    diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (parsed.value) cfg.keys = std::move(*parsed.value);
  }

  // haresources is optional: without it hbd runs membership only.
  const std::string res_path = o.config_dir + "/haresources";
  if (::access(res_path.c_str(), F_OK) == 0 && usable) {
    auto text = config::readFile(res_path);
    if (!text) {
      diags.push_back(Diagnostic{Severity::Error, SourceLoc{res_path, 0}, text.error().message});
    } else {
      auto parsed = haresources::parseHaresources(*text, res_path, cfg.hacf.nodes);
      diags.insert(diags.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
      if (parsed.value) {
        cfg.cib = std::move(*parsed.value);
        cfg.cib.nodes = cfg.hacf.nodes;
        cib::AutoFailback af = cfg.hacf.auto_failback == config::AutoFailback::On    ? cib::AutoFailback::On
                               : cfg.hacf.auto_failback == config::AutoFailback::Off ? cib::AutoFailback::Off
                                                                                     : cib::AutoFailback::Legacy;
        cib::setAutoFailback(cfg.cib, af);
        cfg.has_resources = true;
      }
    }
  }

  checkSerialBandwidth(cfg, o.node, hacf_path, diags);

  for (const auto& d : diags) {
    if (d.severity == Severity::Error) usable = false;
  }
  if (!usable) return std::nullopt;
  return cfg;
}

std::uint64_t nextGeneration(const std::string& run_dir, std::uint64_t wall_ms) {
  const std::string path = run_dir + "/generation";
  std::uint64_t prev = 0;
  if (std::ifstream in(path); in) in >> prev;
  std::uint64_t gen = std::max(prev + 1, wall_ms);
  const std::string tmp = path + ".tmp";
  if (std::ofstream out(tmp, std::ios::trunc); out) {
    out << gen << "\n";
    out.close();
    if (out) std::rename(tmp.c_str(), path.c_str());
  }
  return gen;
}

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

void applyRealtime(bool on, LogSink& log) {
  if (!on) return;
#if defined(__SANITIZE_ADDRESS__)
  constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  constexpr bool kSanitized = true;
#else
  constexpr bool kSanitized = false;
#endif
#else
  constexpr bool kSanitized = false;
#endif
  // ASan reserves terabytes of shadow address space: locking it would exhaust memory.
  if (kSanitized) {
    HB_LOG(log, Info, Daemon, "realtime: not locking memory in a sanitizer build");
  } else if (::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 &&
             ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    // MCL_ONFAULT (Linux 4.4+) locks each page when it is first touched: everything the
    // heartbeat path uses stays in memory, without faulting in every page of every shared
    // library up front (which would triple the resident size). Older kernels lock everything.
    HB_LOG(log, Warning, Daemon, "realtime: cannot lock memory: {}", std::strerror(errno));
  }
  struct sched_param sp {};
  // A middle real-time priority, like heartbeat's default: above every normal task, below the
  // kernel's own threads.
  sp.sched_priority = std::min(sched_get_priority_max(SCHED_FIFO), 50);
  if (::sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) != 0) {
    HB_LOG(log, Warning, Daemon, "realtime: cannot set SCHED_FIFO: {}", std::strerror(errno));
  } else {
    HB_LOG(log, Info, Daemon, "realtime: SCHED_FIFO priority {}", sp.sched_priority);
  }
}

Daemon::Daemon(boost::asio::io_context& io, DaemonOptions o, LoadedConfig cfg, DaemonLogSink& log)
    : io_(io), opts_(std::move(o)), cfg_(std::move(cfg)), log_(log), sched_(io), signals_(io) {}

Daemon::~Daemon() = default;

Result<void> Daemon::start() {
  started_at_ = sched_.now();
  if (!cfg_.has_hacf) return startControlAndVrrp();
  for (const auto& lo : cfg_.links) {
    auto l = link::makeLink(lo, io_, sched_, log_);
    if (!l) return err(Errc::Io, "link " + (lo.device.empty() ? lo.interface : lo.device) + ": " + l.error().message);
    links_.push_back(std::move(*l));
  }

  membership::Options mo;
  mo.self = opts_.node;
  mo.nodes = cfg_.hacf.nodes;
  for (const auto& l : links_) mo.links.emplace_back(l->name());
  mo.keepalive = cfg_.hacf.keepalive;
  mo.deadtime = cfg_.hacf.deadtime;
  mo.warntime = cfg_.hacf.warntime;
  mo.initdead = cfg_.hacf.initdead;
  mo.keys = cfg_.keys;
  const auto wall_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(sched_.wallNow().time_since_epoch()).count());
  mo.generation = nextGeneration(opts_.run_dir, wall_ms);
  membership_ = std::make_unique<membership::Membership>(mo, sched_, log_);

  startResources();

  membership_->setSender([this](const message::Bytes& frame) {
    for (auto& l : links_) (void)l->send(link::ByteView(frame.data(), frame.size()));
  });
  for (auto& l : links_) {
    std::string name(l->name());
    l->onFrame([this, name](link::ByteView bytes, const link::PeerHint&) {
      membership_->receive(name, message::ByteView(bytes.data(), bytes.size()));
    });
    // A link that is not open cannot testify: membership counts no silence on it (initdead).
    l->onStatus([this, name](bool device_ok) { membership_->setLinkOpen(name, device_ok); });
    if (auto r = l->open(); !r) return err(Errc::Io, "cannot open link " + name + ": " + r.error().message);
    membership_->setLinkOpen(name, l->stats().device_ok);
    HB_LOG(log_, Info, Link, "link {} open", name);
  }

  if (auto r = startControlAndVrrp(); !r) return r;
  membership_->start();
  if (rm_) rm_->start();
  HB_LOG(log_, Notice, Daemon, "hbd {} started | node={} generation={} links={} keepalive_ms={} deadtime_ms={}",
         HB_VERSION, opts_.node, membership_->generation(), links_.size(), cfg_.hacf.keepalive.count(),
         cfg_.hacf.deadtime.count());
  return {};
}

Result<void> Daemon::startControlAndVrrp() {
  control_ = std::make_unique<control::ControlServer>(
      io_, opts_.run_dir + "/hbd.sock",
      [this](const control::Json& req, const control::PeerCred& who, control::Reply reply) {
        handleRequest(req, who, std::move(reply));
      },
      log_);
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

void Daemon::startResources() {
  resources::AgentRunnerOptions ro;
  ro.paths = agentPaths(opts_.config_dir);
  ro.nodeName = opts_.node;
  // With the default run dir agents keep their state where they always do (HA_RSCTMP,
  // /run/resource-agents), as `hbctl agent run` sees it too. Each further hbd on the host (its own
  // --run-dir) gets its own state dir, so two nodes on one host never share pid or state files.
  if (opts_.run_dir != DaemonOptions{}.run_dir) {
    ro.stateDir = opts_.run_dir + "/rsctmp";
    ::mkdir(ro.stateDir.c_str(), 01755);
  }
  runner_ = std::make_unique<resources::AgentRunner>(sched_, io_, log_, ro);

  // Membership events drive the resource manager; messages of type Cluster carry its reports.
  membership_->onChange([this](const membership::Change& c) {
    if (!rm_) return;
    if (c.node == opts_.node) {
      if (c.kind == membership::ChangeKind::NodeState && c.new_state == membership::NodeState::Active) {
        rm_->setCommsUp(true);
      }
      return;
    }
    std::uint64_t gen = 0;
    for (const auto& n : membership_->nodes()) {
      if (n.name == c.node) gen = n.generation;
    }
    if (c.kind == membership::ChangeKind::NodeState) {
      if (c.new_state == membership::NodeState::Dead) {
        rm_->nodeDead(c.node, shutdown_notice_.erase(c.node) != 0 ? "shut down" : "declared dead");
      } else if (c.old_state == membership::NodeState::Dead || c.old_state == membership::NodeState::Init) {
        rm_->nodeUp(c.node, gen);
      }
    } else if (c.kind == membership::ChangeKind::Restart) {
      rm_->nodeUp(c.node, gen);
    }
  });
  membership_->onMessage([this](const message::Message& m) {
    if (m.type == message::MsgType::Shutdown) {
      shutdown_notice_.insert(m.from);
      return;
    }
    if (m.type != message::MsgType::Cluster || !rm_) return;
    executor::Fields f;
    for (const auto& [k, v] : m.fields) {
      if (const auto* str = std::get_if<std::string>(&v)) f[k] = *str;
      else f[k] = std::to_string(std::get<std::uint64_t>(v));
    }
    rm_->receive(m.from, m.generation, f);
  });
  if (!cfg_.has_resources) return;

  executor::Options eo;
  eo.self = opts_.node;
  eo.cib = cfg_.cib;
  eo.paths = ro.paths;
  // Re-send the full state a few times per deadtime, so a lost report costs little.
  eo.report_interval = std::clamp(cfg_.hacf.deadtime / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  rm_ = std::make_unique<executor::ResourceManager>(eo, sched_, log_, *runner_);
  rm_->setSender([this](const executor::Fields& f) {
    message::Message m;
    m.type = message::MsgType::Cluster;
    for (const auto& [k, v] : f) m.fields[k] = v;
    if (auto r = membership_->send(std::move(m)); !r) {
      HB_LOG(log_, Error, Crm, "cannot send a cluster message: {}", r.error().message);
    }
  });
}

void Daemon::waitSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reload();
    } else {
      shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (!stopping_) waitSignals();
  });
}

void Daemon::reload() {
  HB_LOG(log_, Notice, Daemon, "SIGHUP: re-reading configuration");
  std::vector<Diagnostic> diags;
  auto cfg = loadConfig(opts_, diags);
  for (const auto& d : diags) {
    if (d.severity == Severity::Error) {
      HB_LOG(log_, Error, Config, "{}", d.format());
    } else {
      HB_LOG(log_, Warning, Config, "{}", d.format());
    }
  }
  if (!cfg) {
    HB_LOG(log_, Error, Config, "reload refused: configuration has errors; keeping the running one");
    return;
  }
  LogOptions lo{opts_.node, cfg->hacf.logfile, cfg->hacf.debugfile, cfg->hacf.logfacility, cfg->hacf.debug,
                opts_.foreground};
  log_.reopen(lo);
  HB_LOG(log_, Notice, Daemon, "reload: log files reopened; other changes take effect at the next restart");
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
    rm_->shutdown([this] { finishShutdown(); });
    return;
  }
  finishShutdown();
}

void Daemon::finishShutdown() {
  if (rm_) HB_LOG(log_, Notice, Crm, "All HA resources relinquished.");
  if (runner_) runner_->cancelAll();
  if (membership_) membership_->announceShutdown();
  // Let the shutdown notice leave the sockets before closing them.
  exit_timer_ = sched_.createTimer();
  exit_timer_->arm(std::chrono::milliseconds(20), [this] {
    if (membership_) membership_->stop();
    for (auto& l : links_) l->close();
    if (control_) control_->stop();
    boost::system::error_code ec;
    signals_.cancel(ec);
    HB_LOG(log_, Notice, Daemon, "{} hbd shutdown complete.", opts_.node);
    io_.stop();
  });
}

control::Json Daemon::status() const {
  using control::Json;
  const auto now = sched_.now();
  auto ageMs = [&](const std::optional<MonoTime>& t) -> Json {
    if (!t) return nullptr;
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - *t).count();
  };
  Json nodes = Json::array();
  if (!membership_) {
    return Json{{"ok", true},
                {"node", opts_.node},
                {"version", HB_VERSION},
                {"state", "active"},
                {"managed_by", "vrrp"},
                {"uptime_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - started_at_).count()},
                {"nodes", nodes},
                {"links", Json::array()},
                {"counters", {{"dropped", Json::object()}}},
                {"groups", groupsJson()},
                {"rscstatus", rm_ ? rm_->rscstatus() : std::string("none")},
                {"vrrp", vrrpJson()},
                {"vrrp_unassigned_dropped", vrrpUnassignedJson(vrrp_.get())}};
  }
  for (const auto& n : membership_->nodes()) {
    Json links = Json::array();
    for (const auto& l : n.links) {
      links.push_back({{"name", l.name}, {"state", membership::linkStateName(l.state)},
                       {"last_heard_ms", ageMs(l.last_heard)}});
    }
    nodes.push_back({{"name", n.name}, {"state", membership::nodeStateName(n.state)}, {"type", "normal"},
                     {"self", n.name == opts_.node}, {"generation", n.generation},
                     {"last_heard_ms", ageMs(n.last_heard)}, {"links", links}});
  }
  Json links = Json::array();
  for (const auto& l : links_) {
    const auto& s = l->stats();
    links.push_back({{"name", std::string(l->name())}, {"frames_sent", s.frames_sent},
                     {"frames_received", s.frames_received}, {"bytes_sent", s.bytes_sent},
                     {"bytes_received", s.bytes_received}, {"send_errors", s.send_errors},
                     {"receive_errors", s.receive_errors}, {"bad_frames", s.bad_frames},
                     {"device_ok", s.device_ok}});
  }
  const auto& c = membership_->counters();
  Json dropped = Json::object();
  for (int i = 0; i < message::kDropReasonCount; ++i) {
    dropped[std::string(message::dropReasonName(static_cast<message::DropReason>(i)))] =
        c.dropped[static_cast<std::size_t>(i)];
  }
  return Json{{"ok", true},
              {"node", opts_.node},
              {"version", HB_VERSION},
              {"cluster", cfg_.hacf.cluster},
              {"state", membership::nodeStateName(membership_->selfState())},
              {"comms_up", membership_->commsUp()},
              {"generation", membership_->generation()},
              {"uptime_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - started_at_).count()},
              {"managed_by", "haresources"},
              {"nodes", nodes},
              {"links", links},
              {"counters",
               {{"received", c.received},
                {"duplicates", c.duplicates},
                {"late_heartbeats", c.late_heartbeats},
                {"restarts", c.restarts},
                {"dropped", dropped}}},
              {"groups", groupsJson()},
              {"rscstatus", rm_ ? rm_->rscstatus() : std::string("none")},
              {"vrrp", vrrpJson()},
              {"vrrp_unassigned_dropped", vrrpUnassignedJson(vrrp_.get())}};
}

control::Json Daemon::vrrpJson() const {
  using control::Json;
  Json out = Json::array();
  if (!vrrp_) return out;
  for (const auto& st : vrrp_->status()) {
    Json dropped = Json::object();
    for (std::size_t i = 0; i < vrrp::kDropReasonCount; ++i) {
      dropped[std::string(vrrp::dropReasonName(static_cast<vrrp::DropReason>(i)))] = st.dropped[i];
    }
    out.push_back({{"name", st.name},
                   {"vrid", st.vrid},
                   {"state", std::string(vrrp::stateName(st.state))},
                   {"priority", st.base_priority},
                   {"effective_priority", st.effective_priority},
                   {"advert_int_ms", std::chrono::duration_cast<std::chrono::milliseconds>(st.advert_int).count()},
                   {"master_down_interval_ms",
                    std::chrono::duration_cast<std::chrono::milliseconds>(st.master_down_interval).count()},
                   {"master", st.master ? Json(st.master->toString()) : Json(nullptr)},
                   {"adverts_sent", st.adverts_sent},
                   {"adverts_received", st.adverts_received},
                   {"become_master", st.become_master},
                   {"dropped", dropped}});
  }
  return out;
}

control::Json Daemon::groupsJson() const {
  using control::Json;
  Json out = Json::array();
  if (!rm_) return out;
  for (const auto& g : rm_->groups()) {
    Json res = Json::array();
    for (const auto& r : g.resources) {
      res.push_back({{"id", r.id}, {"agent", r.agent}, {"state", r.state}, {"last_action", r.last_action},
                     {"last_rc", r.last_rc}, {"last_duration_ms", r.last_duration_ms}});
    }
    out.push_back({{"id", g.id}, {"key", g.key}, {"preferred", g.preferred}, {"state", g.status},
                   {"owner", g.owner ? Json(*g.owner) : Json(nullptr)}, {"local_state", g.local_state},
                   {"reason", g.reason}, {"failed_on", g.failed_on}, {"resources", res}});
  }
  return out;
}

control::Json Daemon::historyJson() const {
  using control::Json;
  Json out = Json::array();
  if (!rm_) return out;
  for (const auto& h : rm_->history()) {
    Json events = Json::array();
    for (const auto& e : h.events) events.push_back({{"at_ms", e.at_ms}, {"what", e.what}});
    const auto secs = std::chrono::system_clock::to_time_t(h.started);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(h.started.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char stamp[40];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    out.push_back({{"started", fmt::format("{}.{:03d}", stamp, ms)}, {"trigger", h.trigger}, {"group", h.group},
                   {"decision", h.decision}, {"outcome", h.outcome}, {"events", events}});
  }
  return out;
}

void Daemon::handleRequest(const control::Json& req, const control::PeerCred&, control::Reply reply) {
  using control::Json;
  const std::string cmd = req.value("cmd", "");
  if (cmd == "status") {
    reply(status());
  } else if (cmd == "parameter") {
    const std::string name = req.value("name", "");
    if (name == "hbversion") {
      reply(Json{{"ok", true}, {"value", HB_VERSION}});
      return;
    }
    auto it = cfg_.hacf.parameters.find(name);
    if (it == cfg_.hacf.parameters.end()) {
      reply(Json{{"ok", false}, {"error", "Cannot get parameter " + name + "'s value"}});
    } else {
      reply(Json{{"ok", true}, {"value", it->second}});
    }
  } else if (cmd == "cib") {
    if (!rm_) {
      reply(Json{{"ok", true}, {"xml", cib::toXml(cfg_.cib)}});
    } else {
      reply(Json{{"ok", true}, {"xml", cib::toXml(rm_->cib())}});
    }
  } else if (cmd == "vrrp") {
    reply(Json{{"ok", true}, {"vrrp", vrrpJson()}});
  } else if (cmd == "history") {
    reply(Json{{"ok", true}, {"history", historyJson()}});
  } else if (cmd == "standby" || cmd == "takeover") {
    if (!rm_) {
      reply(Json{{"ok", false}, {"error", "no resource groups are configured (no haresources)"}});
      return;
    }
    const std::string what = req.value("what", "all");
    const bool wait = req.value("wait", false);
    auto shared_reply = std::make_shared<control::Reply>(std::move(reply));
    auto msg = std::make_shared<std::string>();
    std::function<void(bool)> moved;
    if (wait) {
      // Answer when the move completed (or the time ran out).
      auto timer = std::shared_ptr<Timer>(sched_.createTimer());
      auto answered = std::make_shared<bool>(false);
      moved = [shared_reply, msg, answered, timer](bool ok) {
        if (*answered) return;
        *answered = true;
        timer->cancel();
        (*shared_reply)(ok ? Json{{"ok", true}, {"message", *msg + " Done."}}
                           : Json{{"ok", false}, {"error", *msg + " The groups did not move."}});
      };
      const auto wait_ms = std::chrono::milliseconds(req.value("wait_ms", 60000));
      timer->arm(wait_ms, [shared_reply, msg, answered] {
        if (*answered) return;
        *answered = true;
        (*shared_reply)(Json{{"ok", false}, {"error", *msg + " Timed out waiting for the move."}});
      });
    }
    auto r = cmd == "standby" ? rm_->standby(what, moved) : rm_->takeover(what, moved);
    if (!r) {
      (*shared_reply)(Json{{"ok", false}, {"error", r.error().message}});
      return;
    }
    *msg = *r;
    if (!wait) (*shared_reply)(Json{{"ok", true}, {"message", *r}});
  } else if (cmd == "shutdown") {
    reply(Json{{"ok", true}});
    shutdown("hbd -k");
  } else {
    reply(Json{{"ok", false}, {"error", "unknown command '" + cmd + "'"}});
  }
}

}  // namespace hb::daemon
