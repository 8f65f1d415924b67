// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpRouter: runs the configured instances over raw sockets, rtnetlink, GARP and child processes.
#include <algorithm>

#include "hbd/vrrp/vrrp_io_private.h"

namespace hb::vrrp {

struct VrrpRouter::Impl : std::enable_shared_from_this<VrrpRouter::Impl> {
  struct Iface {
    InterfaceInfo info;
    std::shared_ptr<VrrpSocket> sock;
  };
  struct Inst {
    const InstanceConf* conf = nullptr;
    std::unique_ptr<Instance> inst;
    Iface* iface = nullptr;
    Ipv4Address src;
    std::uint64_t send_errors = 0;
  };
  struct Script {
    const ScriptConf* conf = nullptr;
    TimerPtr timer;
    bool running = false;
  };

  Impl(boost::asio::io_context& i, Scheduler& s, LogSink& l, VrrpConfig c)
      : io(i), sched(s), log(l), conf(std::move(c)) {}

  boost::asio::io_context& io;
  Scheduler& sched;
  LogSink& log;
  VrrpConfig conf;
  std::map<std::string, Iface> ifaces;
  std::vector<Inst> insts;
  std::vector<Script> scripts;
  std::shared_ptr<LinkMonitor> links;
  std::shared_ptr<ChildRunner> children;
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
  int vipIfindex(const Inst& in, const VirtualAddress& v) const;
};

int VrrpRouter::Impl::vipIfindex(const Inst& in, const VirtualAddress& v) const {
  if (v.dev.empty() || v.dev == in.iface->info.name) return in.iface->info.index;
  auto q = queryInterface(v.dev);
  return q ? q->index : in.iface->info.index;
}

void VrrpRouter::Impl::sendAdvert(Inst& in, std::uint8_t prio) {
  const InstanceConf& c = *in.conf;
  const Advert a = advertFor(c, prio);
  std::vector<Ipv4Address> dsts = c.unicast_peers;
  if (dsts.empty()) dsts.push_back(kVrrpGroup);
  for (const auto& dst : dsts) {
    auto bytes = encodeVrrp(a, in.src, dst);
    auto r = in.iface->sock->send(bytes, in.src, dst);
    if (!r && (in.send_errors++ % 100) == 0) {
      HB_LOG(log, Warning, Vrrp, "({}) cannot send advert: {} | errors={}", c.name,
             r.error().message, in.send_errors);
    }
  }
}

void VrrpRouter::Impl::setVips(const Inst& in, bool add) {
  for (const auto& v : in.conf->vips) {
    auto r = changeAddress(add, vipIfindex(in, v), v);
    if (!r) {
      HB_LOG(log, Error, Vrrp, "({}) {}", in.conf->name, r.error().message);
    } else if (running) {
      HB_LOG(log, Info, Vrrp, "({}) {} VIP {}/{}", in.conf->name, add ? "added" : "removed",
             v.address.toString(), v.prefix_len);
    }
  }
}

void VrrpRouter::Impl::garp(const Inst& in) {
  for (const auto& v : in.conf->vips) {
    std::array<std::uint8_t, 6> mac = in.iface->info.mac;
    int idx = in.iface->info.index;
    if (!v.dev.empty() && v.dev != in.iface->info.name) {
      if (auto q = queryInterface(v.dev)) {
        mac = q->mac;
        idx = q->index;
      }
    }
    // keepalived sends vrrp_garp_master_repeat (5) per burst.
    auto r = sendGarp(idx, mac, v.address, 5);
    if (!r) HB_LOG(log, Warning, Vrrp, "({}) {}", in.conf->name, r.error().message);
  }
}

void VrrpRouter::Impl::notify(const Inst& in, State s, int prio) {
  const InstanceConf& c = *in.conf;
  const std::string* specific = nullptr;
  if (s == State::Master) specific = &c.notify_master;
  if (s == State::Backup) specific = &c.notify_backup;
  if (s == State::Fault) specific = &c.notify_fault;
  if (specific == nullptr) return;  // INIT (stopping): keepalived's notify_stop is not supported
  if (!specific->empty()) children->run(*specific, {}, Micros(0), nullptr);
  if (!c.notify.empty()) {
    children->run(c.notify, {"INSTANCE", c.name, std::string(stateName(s)), std::to_string(prio)},
                  Micros(0), nullptr);
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
  s.running = children->run(sc->script, {}, timeout, [weak, &s](bool ok) {
    auto self = weak.lock();
    if (!self || !self->running) return;
    s.running = false;
    for (auto& in : self->insts) in.inst->scriptResult(s.conf->name, ok);
  });
}

void VrrpRouter::Impl::dispatch(Iface& iface, std::span<const std::uint8_t> packet) {
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

Result<void> VrrpRouter::Impl::start() {
  if (running) return {};
  if (!insts.empty()) return err(Errc::InvalidArgument, "a VrrpRouter can be started only once");
  children = std::make_shared<ChildRunner>(io, sched, log);
  insts.reserve(conf.instances.size());
  for (const auto& c : conf.instances) {
    auto it = ifaces.find(c.interface);
    if (it == ifaces.end()) {
      auto q = queryInterface(c.interface);
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
    insts.push_back(std::move(in));
  }
  for (auto& [name, f] : ifaces) {
    bool multicast = false;
    for (const auto& in : insts) {
      if (in.iface == &f && in.conf->unicast_peers.empty()) multicast = true;
    }
    f.sock = std::make_shared<VrrpSocket>(io, log);
    if (auto r = f.sock->open(f.info, multicast); !r) {
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
  for (auto& [name, f] : ifaces) {
    Iface* fp = &f;
    std::weak_ptr<Impl> weak = weak_from_this();
    f.sock->start([weak, fp](std::span<const std::uint8_t> pkt) {
      if (auto self = weak.lock()) self->dispatch(*fp, pkt);
    });
  }
  links = std::make_shared<LinkMonitor>(io, log);
  {
    std::weak_ptr<Impl> weak = weak_from_this();
    auto r = links->start([weak](const std::string& ifname, bool up) {
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
    in.inst->setInterfaceUp(in.conf->interface, interfaceRunning(in.conf->interface));
    for (const auto& t : in.conf->track_interfaces) {
      in.inst->setInterfaceUp(t.name, interfaceRunning(t.name));
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
  if (links) links->stop();
  for (auto& [name, f] : ifaces) {
    if (f.sock) f.sock->stop();
  }
}

VrrpRouter::VrrpRouter(boost::asio::io_context& io, Scheduler& scheduler, LogSink& log,
                       VrrpConfig conf)
    : impl_(std::make_shared<Impl>(io, scheduler, log, std::move(conf))) {}

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
