// SPDX-License-Identifier: GPL-2.0-or-later
// The VRRP instance state machine (RFC 3768/5798 with keepalived 2.2.7's choices), pure over Scheduler.
#include <algorithm>

#include "hbd/vrrp/vrrp.h"

namespace hb::vrrp {

Instance::Instance(const InstanceConf& conf, const std::vector<ScriptConf>& scripts,
                   Scheduler& scheduler, LogSink& log, InstanceCallbacks callbacks)
    : name_(conf.name),
      vrid_(conf.vrid),
      version_(conf.version),
      base_priority_(conf.priority),
      effective_priority_(conf.priority),
      advert_int_(conf.advert_int),
      master_adver_int_(conf.advert_int),
      preempt_(conf.preempt),
      preempt_delay_(conf.preempt_delay),
      garp_delay_(conf.garp_master_delay),
      sched_(scheduler),
      log_(log),
      cb_(std::move(callbacks)),
      master_down_timer_(scheduler.createTimer()),
      advert_timer_(scheduler.createTimer()),
      garp_timer_(scheduler.createTimer()) {
  expect_.version = version_;
  expect_.vrid = static_cast<std::uint8_t>(vrid_);
  expect_.auth_pass = version_ == 2 ? conf.auth_pass : std::string();
  expect_.advert_int = advert_int_;
  for (const auto& v : conf.vips) expect_.addresses.push_back(v.address);
  if (conf.unicast_src) local_address_ = *conf.unicast_src;

  for (const auto& ts : conf.track_scripts) {
    TrackedScriptState st;
    st.name = ts.name;
    for (const auto& sc : scripts) {
      if (sc.name == ts.name) {
        st.weight = sc.weight;
        st.rise = sc.rise;
        st.fall = sc.fall;
      }
    }
    if (ts.weight) st.weight = *ts.weight;
    // keepalived starts a script one result away from either side (counter = rise - 1).
    st.counter = st.rise - 1;
    scripts_.push_back(std::move(st));
  }
  interfaces_.push_back(TrackedIfState{conf.interface, 0, true});
  for (const auto& ti : conf.track_interfaces) {
    auto it = std::find_if(interfaces_.begin(), interfaces_.end(),
                           [&](const TrackedIfState& s) { return s.name == ti.name; });
    if (it != interfaces_.end()) {
      it->weight = ti.weight;
    } else {
      interfaces_.push_back(TrackedIfState{ti.name, ti.weight, true});
    }
  }
  counters_.name = name_;
  counters_.vrid = vrid_;
  counters_.base_priority = base_priority_;
}

Instance::~Instance() = default;

void Instance::start() {
  if (running_) return;
  running_ = true;
  effective_priority_ = base_priority_;
  recompute();  // may report a priority change; state is still Init
  if (preempt_delay_.count() > 0) preempt_time_ = sched_.now() + preempt_delay_;
  HB_LOG(log_, Info, Vrrp, "({}) starting | vrid={} version={} priority={} effective={}", name_,
         vrid_, version_, base_priority_, effective_priority_);
  if (faulted()) {
    enterFault();
  } else if (base_priority_ == 255) {
    enterMaster();
  } else {
    enterBackup();
  }
}

void Instance::stop() {
  if (!running_) return;
  running_ = false;
  master_down_timer_->cancel();
  advert_timer_->cancel();
  garp_timer_->cancel();
  if (state_ == State::Master) {
    resign();
    HB_LOG(log_, Notice, Vrrp, "({}) sent 0 priority and removed VIPs on shutdown", name_);
  }
  setState(State::Init);
}

Micros Instance::skew() const {
  const std::int64_t weight = 256 - effective_priority_;
  if (version_ == 3) return Micros(weight * master_adver_int_.count() / 256);
  return Micros(weight * 1'000'000 / 256);
}

Micros Instance::masterDownInterval() const { return 3 * master_adver_int_ + skew(); }

void Instance::setState(State s) {
  if (s == state_) return;
  State old = state_;
  state_ = s;
  HB_LOG(log_, Notice, Vrrp, "({}) Entering {} STATE | priority={}", name_, stateName(s),
         effective_priority_);
  if (cb_.stateChanged) cb_.stateChanged(old, s, effective_priority_);
}

void Instance::advertise(std::uint8_t priority) {
  ++counters_.adverts_sent;
  if (cb_.sendAdvert) cb_.sendAdvert(priority);
}

// A priority-0 advert lets the backup take over after Skew_Time only; then the VIPs go.
void Instance::resign() {
  advertise(0);
  if (cb_.leaveMaster) cb_.leaveMaster();
}

// Timer handlers capture `this`: the timers are members, and destroying a timer cancels it, so
// no handler outlives the instance.
void Instance::armMasterDown(Micros after) {
  master_down_timer_->arm(after, [this] { onMasterDown(); });
}

void Instance::armAdvert() {
  advert_timer_->arm(advert_int_, [this] { onAdvertTimer(); });
}

void Instance::enterBackup() {
  const bool was_master = state_ == State::Master;
  advert_timer_->cancel();
  garp_timer_->cancel();
  if (was_master && cb_.leaveMaster) cb_.leaveMaster();
  if (version_ == 2) master_adver_int_ = advert_int_;
  setState(State::Backup);
  armMasterDown(masterDownInterval());
}

void Instance::enterMaster() {
  master_down_timer_->cancel();
  master_.reset();
  master_adver_int_ = advert_int_;
  // keepalived order: first advert, then the VIPs and gratuitous ARPs.
  advertise(static_cast<std::uint8_t>(effective_priority_));
  if (cb_.becomeMaster) cb_.becomeMaster();
  if (cb_.sendGarp) cb_.sendGarp();
  if (garp_delay_.count() > 0) {
    garp_timer_->arm(garp_delay_, [this] {
      if (state_ == State::Master && cb_.sendGarp) cb_.sendGarp();
    });
  }
  ++counters_.become_master;
  armAdvert();
  setState(State::Master);
}

void Instance::enterFault() {
  master_down_timer_->cancel();
  advert_timer_->cancel();
  garp_timer_->cancel();
  if (state_ == State::Master) resign();
  master_.reset();
  setState(State::Fault);
}

void Instance::onMasterDown() {
  if (!running_ || state_ != State::Backup) return;
  HB_LOG(log_, Info, Vrrp, "({}) master down timer expired | after_us={}", name_,
         masterDownInterval().count());
  enterMaster();
}

void Instance::onAdvertTimer() {
  if (!running_ || state_ != State::Master) return;
  advertise(static_cast<std::uint8_t>(effective_priority_));
  armAdvert();
}

void Instance::countDrop(DropReason reason) {
  if (reason == DropReason::Ok) return;
  ++counters_.dropped[static_cast<std::size_t>(reason)];
  HB_LOG(log_, Debug, Vrrp, "({}) advert dropped: {}", name_, dropReasonName(reason));
}

void Instance::receive(const Advert& advert, const Envelope& envelope) {
  const DropReason r = checkAdvert(advert, expect_);
  if (r != DropReason::Ok) {
    countDrop(r);
    return;
  }
  ++counters_.adverts_received;
  if (!running_) return;
  const int prio = advert.priority;
  if (state_ == State::Backup) {
    const MonoTime now = sched_.now();
    if (prio == 0) {
      HB_LOG(log_, Info, Vrrp, "({}) master {} resigned (priority 0)", name_,
             envelope.src.toString());
      armMasterDown(skew());
    } else if (!preempt_ || prio >= effective_priority_ ||
               (preempt_delay_.count() > 0 && (!preempt_time_ || *preempt_time_ > now))) {
      if (version_ == 3 && advert.interval.count() > 0) master_adver_int_ = advert.interval;
      master_ = envelope.src;
      armMasterDown(masterDownInterval());
      if (preempt_delay_.count() > 0) {
        if (prio > effective_priority_) {
          preempt_time_.reset();
        } else if (!preempt_time_) {
          preempt_time_ = now + preempt_delay_;
        }
      }
    } else {
      HB_LOG(log_, Debug, Vrrp, "({}) received lower priority ({}) advert from {} - discarding",
             name_, prio, envelope.src.toString());
    }
  } else if (state_ == State::Master) {
    if (prio == 0) {
      // Another master resigned: assert ourselves at once.
      advertise(static_cast<std::uint8_t>(effective_priority_));
      armAdvert();
    } else if (prio > effective_priority_ ||
               (prio == effective_priority_ && envelope.src > local_address_)) {
      HB_LOG(log_, Notice, Vrrp,
             "({}) Master received advert from {} with higher priority {}, ours {}", name_,
             envelope.src.toString(), prio, effective_priority_);
      master_ = envelope.src;
      if (version_ == 3 && advert.interval.count() > 0) master_adver_int_ = advert.interval;
      advert_timer_->cancel();
      garp_timer_->cancel();
      if (cb_.leaveMaster) cb_.leaveMaster();
      setState(State::Backup);
      armMasterDown(masterDownInterval());
    } else {
      // keepalived answers a lower-priority master with an advert so it steps down quickly.
      advertise(static_cast<std::uint8_t>(effective_priority_));
      armAdvert();
    }
  }
}

void Instance::setInterfaceUp(std::string_view ifname, bool up) {
  bool changed = false;
  for (auto& i : interfaces_) {
    if (i.name == ifname && i.up != up) {
      i.up = up;
      changed = true;
    }
  }
  if (!changed) return;
  HB_LOG(log_, Notice, Vrrp, "({}) tracked interface {} is {}", name_, ifname, up ? "up" : "down");
  recompute();
}

void Instance::scriptResult(std::string_view script, bool success) {
  bool changed = false;
  for (auto& s : scripts_) {
    if (s.name != script) continue;
    // keepalived's hysteresis: counter in [0, rise + fall - 1]; OK once it reaches rise.
    const int top = s.rise + s.fall - 1;
    const bool was_known = s.known;
    const bool was_ok = s.ok;
    if (success) {
      if (s.counter < s.rise - 1) {
        ++s.counter;
      } else {
        if (s.counter < s.rise) {
          s.ok = true;
          s.known = true;
        }
        s.counter = top;
      }
    } else {
      if (s.counter > s.rise) {
        --s.counter;
      } else {
        if (s.counter >= s.rise || !s.known) {
          s.ok = false;
          s.known = true;
        }
        s.counter = 0;
      }
    }
    if (s.known != was_known || s.ok != was_ok) {
      HB_LOG(log_, Notice, Vrrp, "({}) VRRP_Script({}) {}", name_, s.name,
             s.ok ? "succeeded" : "failed");
      changed = true;
    }
  }
  if (changed) recompute();
}

bool Instance::faulted() const {
  for (const auto& i : interfaces_) {
    if (i.weight == 0 && !i.up) return true;
  }
  for (const auto& s : scripts_) {
    if (s.weight == 0 && s.known && !s.ok) return true;
  }
  return false;
}

void Instance::recompute() {
  int eff = base_priority_;
  if (base_priority_ != 255) {
    for (const auto& s : scripts_) {
      if (!s.known) continue;
      if (s.weight > 0 && s.ok) eff += s.weight;
      if (s.weight < 0 && !s.ok) eff += s.weight;
    }
    for (const auto& i : interfaces_) {
      if (i.weight > 0 && i.up) eff += i.weight;
      if (i.weight < 0 && !i.up) eff += i.weight;
    }
    eff = std::clamp(eff, 1, 254);
  }
  if (eff != effective_priority_) {
    const int old = effective_priority_;
    effective_priority_ = eff;
    HB_LOG(log_, Notice, Vrrp, "({}) Changing effective priority from {} to {}", name_, old, eff);
    if (cb_.priorityChanged) cb_.priorityChanged(old, eff);
  }
  if (!running_) return;
  const bool f = faulted();
  if (f && state_ != State::Fault) {
    enterFault();
  } else if (!f && state_ == State::Fault) {
    if (base_priority_ == 255) {
      enterMaster();
    } else {
      enterBackup();
    }
  }
}

InstanceStatus Instance::status() const {
  InstanceStatus s = counters_;
  s.state = state_;
  s.effective_priority = effective_priority_;
  s.advert_int = advert_int_;
  s.master_down_interval = masterDownInterval();
  s.master = master_;
  return s;
}

}  // namespace hb::vrrp
