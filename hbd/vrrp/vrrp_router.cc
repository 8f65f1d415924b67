// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpRouter: runs the configured instances over a VrrpIo, scripts through a ProcessLauncher.
#include <boost/asio/io_context.hpp>

#include <algorithm>

#include <fmt/ranges.h>

#include "hbd/vrrp/vrrp_script_private.h"

namespace hb::vrrp {
namespace {

// "master", "backup", "fault": the suffix of the notify_* keyword, for log labels.
std::string_view toLowerState(State s) {
  switch (s) {
    case State::Master: return "master";
    case State::Backup: return "backup";
    case State::Fault: return "fault";
    case State::Init: break;
  }
  return "init";
}

}  // namespace

struct VrrpRouter::Impl : std::enable_shared_from_this<VrrpRouter::Impl> {
  struct Iface {
    InterfaceInfo info;
  };
  struct Inst {
    const InstanceConf* conf = nullptr;
    std::unique_ptr<Instance> inst;
    Iface* iface = nullptr;
    Ipv4Address src;
    std::uint64_t send_errors = 0;
    // notify_master, notify_backup, notify_fault, notify: prepared at start; unset = none or
    // disabled (it cannot run).
    std::array<std::optional<ScriptCommand>, 4> notify_cmds;
  };
  struct Script {
    const ScriptConf* conf = nullptr;
    ScriptCommand cmd;
    TimerPtr timer;
    bool running = false;
    std::optional<bool> last_ok;  // to log a track script's failure once per change
  };

  Impl(Scheduler& s, LogSink& l, VrrpConfig c, VrrpIo& i, resources::ProcessLauncher& pl)
      : sched(s), log(l), conf(std::move(c)), io(i), launcher(pl) {}

  Scheduler& sched;
  LogSink& log;
  VrrpConfig conf;
  VrrpIo& io;
  resources::ProcessLauncher& launcher;
  // The production constructor's own I/O and launcher (unset when injected).
  resources::ProcessLauncherPtr owned_launcher;
  VrrpIoPtr owned_io;
  std::map<std::string, Iface> ifaces;
  std::vector<Inst> insts;
  std::vector<Script> scripts;
  std::shared_ptr<VrrpScriptRunner> children;
  std::array<std::uint64_t, kDropReasonCount> unassigned{};
  StateHandler handler;
  bool running = false;

  Result<void> start();
  void stop();
  void dispatch(Iface& iface, std::span<const std::uint8_t> packet);
  void sendAdvert(Inst& in, std::uint8_t prio);
  void setVips(const Inst& in, bool add);
  void garp(const Inst& in);
  void notify(const Inst& in, State s, int prio);
  void runScript(Script& s);
  std::map<std::string, ScriptCommand> prepareScripts();
  void prepareNotify(Inst& in);
  int vipIfindex(const Inst& in, const VirtualAddress& v) const;
};

int VrrpRouter::Impl::vipIfindex(const Inst& in, const VirtualAddress& v) const {
  if (v.dev.empty() || v.dev == in.iface->info.name) return in.iface->info.index;
  auto q = io.queryInterface(v.dev);
  return q ? q->index : in.iface->info.index;
}

void VrrpRouter::Impl::sendAdvert(Inst& in, std::uint8_t prio) {
  const InstanceConf& c = *in.conf;
  const Advert a = advertFor(c, prio);
  std::vector<Ipv4Address> dsts = c.unicast_peers;
  if (dsts.empty()) dsts.push_back(kVrrpGroup);
  for (const auto& dst : dsts) {
    auto bytes = encodeVrrp(a, in.src, dst);
    auto r = io.sendAdvert(in.iface->info.name, bytes, in.src, dst);
    if (!r && (in.send_errors++ % 100) == 0) {
      HB_LOG(log, Warning, Vrrp, "({}) cannot send advert: {} | errors={}", c.name,
             r.error().message, in.send_errors);
    }
  }
}

void VrrpRouter::Impl::setVips(const Inst& in, bool add) {
  std::weak_ptr<Impl> weak = weak_from_this();
  for (const auto& v : in.conf->vips) {
    // The change is applied in call order; the kernel's answer comes back later on the loop.
    io.changeAddress(add, vipIfindex(in, v), v,
                     [weak, name = in.conf->name, v, add, quiet = !running](Result<void> r) {
                       auto self = weak.lock();
                       if (!self) return;
                       if (!r) {
                         HB_LOG(self->log, Error, Vrrp, "({}) {}", name, r.error().message);
                       } else if (!quiet) {
                         HB_LOG(self->log, Info, Vrrp, "({}) {} VIP {}/{}", name,
                                add ? "added" : "removed", v.address.toString(), v.prefix_len);
                       }
                     });
  }
}

void VrrpRouter::Impl::garp(const Inst& in) {
  for (const auto& v : in.conf->vips) {
    std::array<std::uint8_t, 6> mac = in.iface->info.mac;
    int idx = in.iface->info.index;
    if (!v.dev.empty() && v.dev != in.iface->info.name) {
      if (auto q = io.queryInterface(v.dev)) {
        mac = q->mac;
        idx = q->index;
      }
    }
    // keepalived sends vrrp_garp_master_repeat (5) per burst.
    auto r = io.sendGarp(idx, mac, v.address, 5);
    if (!r) HB_LOG(log, Warning, Vrrp, "({}) {}", in.conf->name, r.error().message);
  }
}

void VrrpRouter::Impl::notify(const Inst& in, State s, int prio) {
  const InstanceConf& c = *in.conf;
  const std::optional<ScriptCommand>* specific = nullptr;
  if (s == State::Master) specific = &in.notify_cmds[0];
  if (s == State::Backup) specific = &in.notify_cmds[1];
  if (s == State::Fault) specific = &in.notify_cmds[2];
  if (specific == nullptr) return;  // INIT (stopping): keepalived's notify_stop is not supported
  // Like keepalived, notify commands have no timeout; stop() still TERMs (then KILLs) them.
  auto report = [this](const std::string& label) {
    std::weak_ptr<Impl> weak = weak_from_this();
    return [weak, label](const ScriptOutcome& o) {
      auto self = weak.lock();
      if (!self || o.ok) return;
      HB_LOG(self->log, Warning, Vrrp, "{} failed: {} {} | output={}", label,
             o.signaled ? "signal" : "exit code", o.code, o.output_tail);
    };
  };
  if (specific->has_value()) {
    const std::string label = fmt::format("notify_{} of {}", toLowerState(s), c.name);
    children->run(label, **specific, {}, Micros(0), LogLevel::Info, report(label));
  }
  if (in.notify_cmds[3]) {
    const std::string label = "notify of " + c.name;
    children->run(label, *in.notify_cmds[3],
                  {"INSTANCE", c.name, std::string(stateName(s)), std::to_string(prio)}, Micros(0),
                  LogLevel::Info, report(label));
  }
}

void VrrpRouter::Impl::runScript(Script& s) {
  std::weak_ptr<Impl> weak = weak_from_this();
  const ScriptConf* sc = s.conf;
  s.timer->arm(sc->interval, [weak, &s] {
    if (auto self = weak.lock()) self->runScript(s);
  });
  if (s.running) return;  // keepalived skips a run while the previous one is still going
  const Micros timeout = sc->timeout.count() > 0 ? sc->timeout : sc->interval;
  // Track scripts run every interval: their output is debug, a change of result is logged.
  s.running = children->run("vrrp_script " + sc->name, s.cmd, {}, timeout, LogLevel::Debug,
                            [weak, &s](const ScriptOutcome& o) {
                              auto self = weak.lock();
                              if (!self || !self->running) return;
                              s.running = false;
                              if (s.last_ok != o.ok) {
                                if (o.ok) {
                                  HB_LOG(self->log, Notice, Vrrp, "vrrp_script {} succeeded",
                                         s.conf->name);
                                } else {
                                  HB_LOG(self->log, Notice, Vrrp,
                                         "vrrp_script {} failed: {} | {}={} output={}",
                                         s.conf->name, o.timed_out ? "timeout" : "error",
                                         o.signaled ? "signal" : "exit_code", o.code,
                                         o.output_tail);
                                }
                              }
                              s.last_ok = o.ok;
                              for (auto& in : self->insts) in.inst->scriptResult(s.conf->name, o.ok);
                            });
}

void VrrpRouter::Impl::dispatch(Iface& iface, std::span<const std::uint8_t> packet) {
  if (!running) return;
  Decoded d = decodePacket(packet);
  if (d.reason == DropReason::Ok) {
    for (const auto& in : insts) {
      if (in.iface == &iface && in.src == d.envelope.src) return;  // our own, looped back
    }
  }
  Inst* target = nullptr;
  if (d.vrid) {
    for (auto& in : insts) {
      if (in.iface != &iface || in.conf->vrid != *d.vrid) continue;
      if (target == nullptr || (d.reason == DropReason::Ok && in.conf->version == d.advert.version)) {
        target = &in;
      }
    }
  }
  if (target == nullptr) {
    const DropReason r = d.reason == DropReason::Ok ? DropReason::VridMismatch : d.reason;
    ++unassigned[static_cast<std::size_t>(r)];
    return;
  }
  if (d.reason != DropReason::Ok) {
    target->inst->countDrop(d.reason);
    return;
  }
  target->inst->receive(d.advert, d.envelope);
}

// keepalived's rule: a script that cannot run (its line does not split, its program is missing
// or not executable) is disabled, and the instances that track it behave as if it were not
// listed; their priority and state do not depend on it. Logged once, with the reason.
std::map<std::string, ScriptCommand> VrrpRouter::Impl::prepareScripts() {
  std::map<std::string, ScriptCommand> out;
  for (const auto& sc : conf.scripts) {
    auto cmd = prepareScriptCommand(sc.script);
    if (cmd) {
      out.emplace(sc.name, std::move(*cmd));
      continue;
    }
    std::vector<std::string> trackers;
    for (auto& ic : conf.instances) {
      const auto n = std::erase_if(ic.track_scripts, [&](const TrackedScript& t) { return t.name == sc.name; });
      if (n > 0) trackers.push_back(ic.name);
    }
    HB_LOG(log, Warning, Vrrp,
           "vrrp_script {} disabled: {} (scripts run without a shell, as keepalived runs them){} | script={}",
           sc.name, cmd.error().message,
           trackers.empty() ? std::string()
                            : fmt::format("; not tracked by {}", fmt::join(trackers, ", ")),
           sc.script);
  }
  return out;
}

void VrrpRouter::Impl::prepareNotify(Inst& in) {
  const InstanceConf& c = *in.conf;
  const std::array<std::pair<const char*, const std::string*>, 4> lines{{{"notify_master", &c.notify_master},
                                                                         {"notify_backup", &c.notify_backup},
                                                                         {"notify_fault", &c.notify_fault},
                                                                         {"notify", &c.notify}}};
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const std::string& line = *lines[k].second;
    if (line.empty()) continue;
    auto cmd = prepareScriptCommand(line);
    if (cmd) {
      in.notify_cmds[k] = std::move(*cmd);
    } else {
      HB_LOG(log, Warning, Vrrp, "({}) {} disabled: {} (scripts run without a shell, as keepalived runs them) | script={}",
             c.name, lines[k].first, cmd.error().message, line);
    }
  }
}

Result<void> VrrpRouter::Impl::start() {
  if (running) return {};
  if (!insts.empty()) return err(Errc::InvalidArgument, "a VrrpRouter can be started only once");
  children = std::make_shared<VrrpScriptRunner>(sched, log, launcher);
  std::map<std::string, ScriptCommand> commands = prepareScripts();
  insts.reserve(conf.instances.size());
  for (const auto& c : conf.instances) {
    auto it = ifaces.find(c.interface);
    if (it == ifaces.end()) {
      auto q = io.queryInterface(c.interface);
      if (!q) {
        stop();
        return q.error();
      }
      Iface f;
      f.info = *q;
      it = ifaces.emplace(c.interface, std::move(f)).first;
    }
    Inst in;
    in.conf = &c;
    in.iface = &it->second;
    in.src = c.unicast_src.value_or(it->second.info.primary);
    prepareNotify(in);
    insts.push_back(std::move(in));
  }
  for (auto& [name, f] : ifaces) {
    bool multicast = false;
    for (const auto& in : insts) {
      if (in.iface == &f && in.conf->unicast_peers.empty()) multicast = true;
    }
    Iface* fp = &f;
    std::weak_ptr<Impl> weak = weak_from_this();
    auto r = io.openInterface(f.info, multicast, [weak, fp](std::span<const std::uint8_t> pkt) {
      if (auto self = weak.lock()) self->dispatch(*fp, pkt);
    });
    if (!r) {
      stop();
      return r;
    }
  }
  for (auto& in : insts) {
    Inst* p = &in;
    InstanceCallbacks cb;
    cb.sendAdvert = [this, p](std::uint8_t prio) { sendAdvert(*p, prio); };
    cb.becomeMaster = [this, p] { setVips(*p, true); };
    cb.leaveMaster = [this, p] { setVips(*p, false); };
    cb.sendGarp = [this, p] { garp(*p); };
    cb.stateChanged = [this, p](State o, State s, int prio) {
      notify(*p, s, prio);
      if (handler) handler(p->conf->name, o, s, prio);
    };
    in.inst = std::make_unique<Instance>(*in.conf, conf.scripts, sched, log, std::move(cb));
    in.inst->setLocalAddress(in.src);
    // Like keepalived at start-up: a VIP left behind by a crash is removed before the election.
    setVips(in, false);
  }
  running = true;
  {
    std::weak_ptr<Impl> weak = weak_from_this();
    auto r = io.watchLinks([weak](const std::string& ifname, bool up) {
      auto self = weak.lock();
      if (!self || !self->running) return;
      for (auto& in : self->insts) in.inst->setInterfaceUp(ifname, up);
    });
    if (!r) {
      stop();
      return r;
    }
  }
  for (auto& in : insts) {
    in.inst->setInterfaceUp(in.conf->interface, io.interfaceRunning(in.conf->interface));
    for (const auto& t : in.conf->track_interfaces) {
      in.inst->setInterfaceUp(t.name, io.interfaceRunning(t.name));
    }
  }
  for (const auto& sc : conf.scripts) {
    bool used = false;
    for (const auto& c : conf.instances) {
      for (const auto& t : c.track_scripts) used = used || t.name == sc.name;
    }
    if (!used) continue;
    Script s;
    s.conf = &sc;
    s.cmd = commands.at(sc.name);
    s.timer = sched.createTimer();
    scripts.push_back(std::move(s));
  }
  for (auto& in : insts) in.inst->start();
  for (auto& s : scripts) runScript(s);
  return {};
}

void VrrpRouter::Impl::stop() {
  for (auto& in : insts) {
    if (in.inst) in.inst->stop();
  }
  running = false;
  for (auto& s : scripts) s.timer->cancel();
  if (children) children->stopAll();
  io.close();
}

VrrpRouter::VrrpRouter(boost::asio::io_context& io, Scheduler& scheduler, LogSink& log,
                       VrrpConfig conf) {
  auto owned_io = makeLinuxVrrpIo(io, log);
  auto owned_launcher = resources::makeSpawnLauncher(io);
  impl_ = std::make_shared<Impl>(scheduler, log, std::move(conf), *owned_io, *owned_launcher);
  impl_->owned_io = std::move(owned_io);
  impl_->owned_launcher = std::move(owned_launcher);
}

VrrpRouter::VrrpRouter(Scheduler& scheduler, LogSink& log, VrrpConfig conf, VrrpIo& io,
                       resources::ProcessLauncher& launcher)
    : impl_(std::make_shared<Impl>(scheduler, log, std::move(conf), io, launcher)) {}

VrrpRouter::~VrrpRouter() { stop(); }

Result<void> VrrpRouter::start() { return impl_->start(); }

void VrrpRouter::stop() {
  if (impl_->running) impl_->stop();
}

void VrrpRouter::onStateChange(StateHandler handler) { impl_->handler = std::move(handler); }

std::vector<InstanceStatus> VrrpRouter::status() const {
  std::vector<InstanceStatus> out;
  for (const auto& in : impl_->insts) {
    if (in.inst) out.push_back(in.inst->status());
  }
  return out;
}

std::array<std::uint64_t, kDropReasonCount> VrrpRouter::unassignedDrops() const {
  return impl_->unassigned;
}

}  // namespace hb::vrrp
