// SPDX-License-Identifier: GPL-2.0-or-later
// Tests of the VRRP instance state machine: election, exact failover timing, preemption, weights, fault.
#include <gtest/gtest.h>

#include <memory>

#include "hbd/vrrp/vrrp.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"

namespace hb::vrrp {
namespace {

using namespace std::chrono_literals;
using hb::test::FakeScheduler;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

InstanceConf conf(int prio, int version = 2, Micros adv = 1s) {
  InstanceConf c;
  c.name = "VI_1";
  c.interface = "eth0";
  c.vrid = 51;
  c.priority = prio;
  c.version = version;
  c.advert_int = adv;
  if (version == 2) c.auth_pass = "secret12";
  c.vips.push_back(VirtualAddress{ip("10.202.0.100"), 24, "", ""});
  return c;
}

class Wire;

// One router on the simulated segment: an Instance plus a record of its outputs.
struct Node {
  std::string name;
  Ipv4Address addr;
  std::unique_ptr<Instance> inst;
  bool connected = true;  // false = crashed or cable cut: nothing in, nothing out
  bool vip = false;
  int garps = 0;
  std::vector<std::uint8_t> sent;
  MonoTime last_sent{};
  std::vector<std::pair<State, State>> transitions;
};

// Delivers every advert to every other connected node through the real codec (encode, decode),
// one scheduler tick later, as the network would.
class Wire {
 public:
  explicit Wire(FakeScheduler& s) : sched_(s) {}

  Node& add(const char* name, const char* addr, const InstanceConf& c,
            const std::vector<ScriptConf>& scripts = {}) {
    nodes_.push_back(std::make_unique<Node>());
    Node& n = *nodes_.back();
    n.name = name;
    n.addr = ip(addr);
    InstanceCallbacks cb;
    cb.sendAdvert = [this, &n, c](std::uint8_t prio) {
      n.sent.push_back(prio);
      n.last_sent = sched_.now();
      if (!n.connected) return;
      const Advert a = advertFor(c, prio);
      auto bytes = encodeIpv4Packet(a, n.addr, kVrrpGroup, 1);
      sched_.post([this, bytes, from = &n] { deliver(bytes, from); });
    };
    cb.becomeMaster = [&n] { n.vip = true; };
    cb.leaveMaster = [&n] { n.vip = false; };
    cb.sendGarp = [&n] { ++n.garps; };
    cb.stateChanged = [&n](State o, State s, int) { n.transitions.emplace_back(o, s); };
    n.inst = std::make_unique<Instance>(c, scripts, sched_, log_, cb);
    n.inst->setLocalAddress(n.addr);
    return n;
  }

  void deliver(const std::vector<std::uint8_t>& bytes, Node* from) {
    for (auto& n : nodes_) {
      if (n.get() == from || !n->connected) continue;
      Decoded d = decodePacket(bytes);
      if (d.reason != DropReason::Ok) {
        n->inst->countDrop(d.reason);
        continue;
      }
      if (d.advert.vrid != n->inst->vrid()) continue;
      n->inst->receive(d.advert, d.envelope);
    }
  }

  /** Advances until `pred` holds or `limit` passes; returns the time taken. */
  template <class Pred>
  std::optional<Micros> until(Pred pred, Micros limit, Micros step = 1ms) {
    MonoTime start = sched_.now();
    while (sched_.now() - start <= limit) {
      if (pred()) return std::chrono::duration_cast<Micros>(sched_.now() - start);
      sched_.advance(step);
    }
    return std::nullopt;
  }

 private:
  FakeScheduler& sched_;
  hb::test::MemoryLogSink log_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

class VrrpInstanceTest : public ::testing::Test {
 protected:
  FakeScheduler sched;
  Wire wire{sched};
};

TEST_F(VrrpInstanceTest, StartsBackupAndWinsAfterExactMasterDown) {
  InstanceConf c = conf(150);
  c.initial_state = State::Master;  // keepalived 2.2.7 ignores it: always BACKUP (init) first
  Node& a = wire.add("A", "10.202.0.1", c);
  a.inst->start();
  EXPECT_EQ(a.inst->state(), State::Backup);
  // 3 x 1 s + (256 - 150) / 256 s = 3.4140625 s, truncated to microseconds like keepalived.
  EXPECT_EQ(a.inst->masterDownInterval(), 3414062us);
  sched.advance(3414061us);
  EXPECT_EQ(a.inst->state(), State::Backup);
  sched.advance(1us);
  EXPECT_EQ(a.inst->state(), State::Master);
  EXPECT_TRUE(a.vip);
  EXPECT_EQ(a.sent, std::vector<std::uint8_t>{150});
  EXPECT_EQ(a.garps, 1);
  sched.advance(1s);
  EXPECT_EQ(a.sent.size(), 2u);
  sched.advance(4s);
  EXPECT_EQ(a.garps, 2);  // the second burst after garp_master_delay (5 s)
  ASSERT_EQ(a.transitions.size(), 2u);
  EXPECT_EQ(a.transitions[0], std::make_pair(State::Init, State::Backup));
  EXPECT_EQ(a.transitions[1], std::make_pair(State::Backup, State::Master));
}

TEST_F(VrrpInstanceTest, ElectionAndCrashFailoverTiming) {
  Node& a = wire.add("A", "10.202.0.1", conf(150));
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  a.inst->start();
  b.inst->start();
  sched.advance(10s);
  EXPECT_EQ(a.inst->state(), State::Master);
  EXPECT_EQ(b.inst->state(), State::Backup);
  EXPECT_FALSE(b.vip);
  EXPECT_EQ(b.inst->status().master, ip("10.202.0.1"));
  EXPECT_GT(b.inst->status().adverts_received, 5u);

  // Crash A right after an advert reached B: B waits 3 x 1 + 156/256 s = 3.609375 s from it.
  auto n = a.sent.size();
  while (a.sent.size() == n) sched.advance(1ms);
  sched.runPending();
  a.connected = false;
  const MonoTime deadline = a.last_sent + 3609375us;
  sched.advance(deadline - 1us - sched.now());
  EXPECT_EQ(b.inst->masterDownInterval(), 3609375us);
  EXPECT_EQ(b.inst->state(), State::Backup);
  sched.advance(1us);
  EXPECT_EQ(b.inst->state(), State::Master);
  EXPECT_TRUE(b.vip);
}

TEST_F(VrrpInstanceTest, GracefulStopSendsPriorityZeroAndBackupWaitsSkewOnly) {
  Node& a = wire.add("A", "10.202.0.1", conf(150));
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  a.inst->start();
  b.inst->start();
  sched.advance(10s);
  ASSERT_EQ(a.inst->state(), State::Master);
  a.inst->stop();
  EXPECT_EQ(a.sent.back(), 0);
  EXPECT_FALSE(a.vip);
  EXPECT_EQ(a.inst->state(), State::Init);
  sched.runPending();  // the priority-0 advert arrives
  // Skew for priority 100 = 156/256 s = 0.609375 s (baseline: 0.649 s measured).
  sched.advance(609374us);
  EXPECT_EQ(b.inst->state(), State::Backup);
  sched.advance(1us);
  EXPECT_EQ(b.inst->state(), State::Master);
  EXPECT_EQ(sched.armedTimers(), 2u);  // only B's advert and GARP timers
}

TEST_F(VrrpInstanceTest, HigherPriorityPreemptsAfterItsOwnMasterDown) {
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  b.inst->start();
  sched.advance(5s);
  ASSERT_EQ(b.inst->state(), State::Master);
  Node& a = wire.add("A", "10.202.0.1", conf(150));
  a.inst->start();
  // A discards B's lower-priority adverts and wins when its own timer expires.
  sched.advance(3414061us);
  EXPECT_EQ(a.inst->state(), State::Backup);
  sched.advance(1us);
  EXPECT_EQ(a.inst->state(), State::Master);
  sched.runPending();
  EXPECT_EQ(b.inst->state(), State::Backup);
  EXPECT_FALSE(b.vip);
  EXPECT_TRUE(a.vip);
}

TEST_F(VrrpInstanceTest, NopreemptKeepsLowerPriorityMaster) {
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  b.inst->start();
  sched.advance(5s);
  InstanceConf ca = conf(150);
  ca.preempt = false;
  Node& a = wire.add("A", "10.202.0.1", ca);
  a.inst->start();
  sched.advance(30s);
  EXPECT_EQ(a.inst->state(), State::Backup);
  EXPECT_EQ(b.inst->state(), State::Master);
  // Only when B goes away does A take over.
  b.inst->stop();
  sched.runPending();
  auto t = wire.until([&] { return a.inst->state() == State::Master; }, 5s, 1ms);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 415ms);  // skew(150) = 0.4140625 s, within the 1 ms step
}

TEST_F(VrrpInstanceTest, PreemptDelayHoldsOffTakeover) {
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  b.inst->start();
  sched.advance(5s);
  InstanceConf ca = conf(150);
  ca.preempt_delay = 10s;
  Node& a = wire.add("A", "10.202.0.1", ca);
  a.inst->start();
  sched.advance(9s);
  EXPECT_EQ(a.inst->state(), State::Backup);
  auto t = wire.until([&] { return a.inst->state() == State::Master; }, 10s, 10ms);
  ASSERT_TRUE(t);
  // Adverts are accepted until 10 s after start, then A's master-down (3.414 s) runs out.
  EXPECT_GE(*t + 9s, 10s + 3s);
  EXPECT_LE(*t + 9s, 10s + 3414062us + 1s);
}

TEST_F(VrrpInstanceTest, EqualPriorityHigherAddressWins) {
  Node& a = wire.add("A", "10.202.0.1", conf(100));
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  a.inst->start();
  b.inst->start();
  sched.advance(10s);
  EXPECT_EQ(b.inst->state(), State::Master);
  EXPECT_EQ(a.inst->state(), State::Backup);
}

TEST_F(VrrpInstanceTest, AddressOwnerIsMasterAtOnce) {
  Node& a = wire.add("A", "10.202.0.1", conf(255));
  Node& b = wire.add("B", "10.202.0.2", conf(254));
  b.inst->start();
  sched.advance(5s);
  ASSERT_EQ(b.inst->state(), State::Master);
  a.inst->start();
  EXPECT_EQ(a.inst->state(), State::Master);
  EXPECT_EQ(a.sent, std::vector<std::uint8_t>{255});
  sched.runPending();
  EXPECT_EQ(b.inst->state(), State::Backup);
}

TEST_F(VrrpInstanceTest, MasterAnswersResignationAndLowerPriority) {
  Node& a = wire.add("A", "10.202.0.1", conf(150));
  a.inst->start();
  sched.advance(4s);
  ASSERT_EQ(a.inst->state(), State::Master);
  auto before = a.sent.size();
  Advert adv;
  adv.vrid = 51;
  adv.priority = 0;
  adv.auth_type = 1;
  std::string pw = "secret12";
  std::copy(pw.begin(), pw.end(), adv.auth_data.begin());
  adv.addresses = {ip("10.202.0.100")};
  a.inst->receive(adv, Envelope{ip("10.202.0.9"), kVrrpGroup, 255});
  EXPECT_EQ(a.sent.size(), before + 1);
  adv.priority = 20;
  a.inst->receive(adv, Envelope{ip("10.202.0.9"), kVrrpGroup, 255});
  EXPECT_EQ(a.sent.size(), before + 2);
  EXPECT_EQ(a.inst->state(), State::Master);
}

TEST_F(VrrpInstanceTest, WrongAuthAndVridAreDroppedAndCounted) {
  Node& a = wire.add("A", "10.202.0.1", conf(100));
  a.inst->start();
  sched.advance(1s);
  Advert adv;
  adv.vrid = 51;
  adv.priority = 200;
  adv.auth_type = 1;
  std::string pw = "wrongpw";
  std::copy(pw.begin(), pw.end(), adv.auth_data.begin());
  adv.addresses = {ip("10.202.0.100")};
  const Envelope env{ip("10.202.0.9"), kVrrpGroup, 255};
  for (int i = 0; i < 10; ++i) a.inst->receive(adv, env);
  adv.auth_data = {};
  adv.auth_type = 0;
  a.inst->receive(adv, env);
  adv.vrid = 52;
  a.inst->receive(adv, env);
  a.inst->countDrop(DropReason::BadChecksum);
  auto st = a.inst->status();
  EXPECT_EQ(st.droppedFor(DropReason::AuthMismatch), 11u);
  EXPECT_EQ(st.droppedFor(DropReason::VridMismatch), 1u);
  EXPECT_EQ(st.droppedFor(DropReason::BadChecksum), 1u);
  EXPECT_EQ(st.adverts_received, 0u);
  // The dropped higher-priority adverts did not hold A back: it still wins on time.
  sched.advance(2609375us);
  EXPECT_EQ(a.inst->state(), State::Master);
}

TEST_F(VrrpInstanceTest, ScriptWeightsMoveMastershipLikeKeepalived) {
  // Baseline section 3: A 150 with chk_marker weight -40; B 100 with chk_bonus weight +20.
  std::vector<ScriptConf> sa{ScriptConf{"chk_marker", "/bin/false", 1s, 0s, -40, 1, 1, 0}};
  std::vector<ScriptConf> sb{ScriptConf{"chk_bonus", "/bin/true", 1s, 0s, 20, 1, 1, 0}};
  InstanceConf ca = conf(150);
  ca.track_scripts.push_back(TrackedScript{"chk_marker", std::nullopt});
  InstanceConf cb = conf(100);
  cb.track_scripts.push_back(TrackedScript{"chk_bonus", std::nullopt});
  Node& a = wire.add("A", "10.202.0.1", ca, sa);
  Node& b = wire.add("B", "10.202.0.2", cb, sb);
  a.inst->start();
  b.inst->start();
  EXPECT_EQ(b.inst->effectivePriority(), 100);  // not yet run: weight not applied
  a.inst->scriptResult("chk_marker", true);
  b.inst->scriptResult("chk_bonus", true);
  EXPECT_EQ(a.inst->effectivePriority(), 150);
  EXPECT_EQ(b.inst->effectivePriority(), 120);
  sched.advance(10s);
  ASSERT_EQ(a.inst->state(), State::Master);

  a.inst->scriptResult("chk_marker", false);
  EXPECT_EQ(a.inst->effectivePriority(), 110);
  // keepalived's USR1 dump for A at priority 110: "Master down timer = 3570312 usecs".
  EXPECT_EQ(a.inst->masterDownInterval(), 3570312us);
  auto t = wire.until([&] { return b.inst->state() == State::Master; }, 5s);
  ASSERT_TRUE(t);
  EXPECT_LE(*t, 3609375us + 1ms);
  sched.runPending();
  EXPECT_EQ(a.inst->state(), State::Backup);

  a.inst->scriptResult("chk_marker", true);
  EXPECT_EQ(a.inst->effectivePriority(), 150);
  auto back = wire.until([&] { return a.inst->state() == State::Master; }, 5s);
  ASSERT_TRUE(back);
  // A's running timer was armed at priority 110 (3.570312 s); keepalived does not re-arm it.
  EXPECT_LE(*back, 3570312us + 1ms);
  EXPECT_GE(*back, 2570312us);
}

TEST_F(VrrpInstanceTest, RiseFallHysteresisAndTrackOverride) {
  std::vector<ScriptConf> s{ScriptConf{"chk", "x", 1s, 0s, -50, 2, 3, 0}};
  InstanceConf c = conf(200);
  c.track_scripts.push_back(TrackedScript{"chk", -30});  // override the script's weight
  Node& a = wire.add("A", "10.202.0.1", c, s);
  a.inst->start();
  a.inst->scriptResult("chk", false);  // first result decides
  EXPECT_EQ(a.inst->effectivePriority(), 170);
  a.inst->scriptResult("chk", true);
  EXPECT_EQ(a.inst->effectivePriority(), 170);  // rise 2: one success is not enough
  a.inst->scriptResult("chk", true);
  EXPECT_EQ(a.inst->effectivePriority(), 200);
  a.inst->scriptResult("chk", false);
  a.inst->scriptResult("chk", false);
  EXPECT_EQ(a.inst->effectivePriority(), 200);  // fall 3
  a.inst->scriptResult("chk", false);
  EXPECT_EQ(a.inst->effectivePriority(), 170);
  a.inst->scriptResult("other", true);  // not tracked: ignored
  EXPECT_EQ(a.inst->effectivePriority(), 170);
}

TEST_F(VrrpInstanceTest, PriorityClampedUnlessOwner) {
  std::vector<ScriptConf> s{ScriptConf{"up", "x", 1s, 0s, 100, 1, 1, 0},
                            ScriptConf{"down", "x", 1s, 0s, -254, 1, 1, 0}};
  InstanceConf hi = conf(250);
  hi.track_scripts.push_back(TrackedScript{"up", std::nullopt});
  Node& a = wire.add("A", "10.202.0.1", hi, s);
  a.inst->start();
  a.inst->scriptResult("up", true);
  EXPECT_EQ(a.inst->effectivePriority(), 254);
  InstanceConf lo = conf(10);
  lo.vrid = 52;
  lo.track_scripts.push_back(TrackedScript{"down", std::nullopt});
  Node& b = wire.add("B", "10.202.0.2", lo, s);
  b.inst->start();
  b.inst->scriptResult("down", false);
  EXPECT_EQ(b.inst->effectivePriority(), 1);
  InstanceConf owner = conf(255);
  owner.vrid = 53;
  owner.track_scripts.push_back(TrackedScript{"down", std::nullopt});
  Node& c = wire.add("C", "10.202.0.3", owner, s);
  c.inst->start();
  c.inst->scriptResult("down", false);
  EXPECT_EQ(c.inst->effectivePriority(), 255);
}

TEST_F(VrrpInstanceTest, TrackedInterfaceDownIsFaultAndWeightedOneIsArithmetic) {
  InstanceConf c = conf(150);
  c.track_interfaces.push_back(TrackedInterface{"eth1", -60});
  Node& a = wire.add("A", "10.202.0.1", c);
  Node& b = wire.add("B", "10.202.0.2", conf(100));
  a.inst->start();
  b.inst->start();
  sched.advance(10s);
  ASSERT_EQ(a.inst->state(), State::Master);
  a.inst->setInterfaceUp("eth1", false);
  EXPECT_EQ(a.inst->effectivePriority(), 90);
  EXPECT_EQ(a.inst->state(), State::Master);  // until B's timer runs out
  a.inst->setInterfaceUp("eth1", true);
  EXPECT_EQ(a.inst->effectivePriority(), 150);

  // The instance's own interface (weight 0): FAULT at once, VIP removed, priority 0 sent.
  a.inst->setInterfaceUp("eth0", false);
  EXPECT_EQ(a.inst->state(), State::Fault);
  EXPECT_FALSE(a.vip);
  EXPECT_EQ(a.sent.back(), 0);
  sched.advance(10s);
  EXPECT_EQ(a.inst->state(), State::Fault);
  EXPECT_EQ(b.inst->state(), State::Master);
  a.inst->setInterfaceUp("eth0", true);
  EXPECT_EQ(a.inst->state(), State::Backup);
  sched.advance(5s);
  EXPECT_EQ(a.inst->state(), State::Master);  // preempts again
  EXPECT_EQ(b.inst->state(), State::Backup);
}

TEST_F(VrrpInstanceTest, WeightZeroScriptFailureIsFault) {
  std::vector<ScriptConf> s{ScriptConf{"chk", "x", 1s, 0s, 0, 1, 1, 0}};
  InstanceConf c = conf(150);
  c.track_scripts.push_back(TrackedScript{"chk", std::nullopt});
  Node& a = wire.add("A", "10.202.0.1", c, s);
  a.inst->scriptResult("chk", false);  // before start: start goes straight to FAULT
  a.inst->start();
  EXPECT_EQ(a.inst->state(), State::Fault);
  a.inst->scriptResult("chk", true);
  EXPECT_EQ(a.inst->state(), State::Backup);
  EXPECT_EQ(a.inst->effectivePriority(), 150);
}

TEST_F(VrrpInstanceTest, V3CentisecondTimingAndLearnedInterval) {
  Node& a = wire.add("A", "10.202.0.1", conf(150, 3, 100ms));
  InstanceConf cb = conf(100, 3, 1s);  // backup configured slower: learns the master's 0.1 s
  Node& b = wire.add("B", "10.202.0.2", cb);
  // v3: 3 x 0.1 + (256-150) x 0.1 / 256 = 0.341406 s
  EXPECT_EQ(a.inst->masterDownInterval(), 341406us);
  a.inst->start();
  b.inst->start();
  sched.advance(2s);
  ASSERT_EQ(a.inst->state(), State::Master);
  EXPECT_EQ(b.inst->masterDownInterval(), 360937us);  // 0.3 + 156 x 0.1 / 256
  a.inst->stop();
  sched.runPending();
  // Priority 0: the backup waits Skew only, 60.9 ms (baseline measured 0.122 s incl. start-up).
  auto t = wire.until([&] { return b.inst->state() == State::Master; }, 1s, 100us);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 61000us);
}

TEST_F(VrrpInstanceTest, StatusReportsWhatHbctlShows) {
  Node& a = wire.add("A", "10.202.0.1", conf(150));
  a.inst->start();
  sched.advance(5s);
  InstanceStatus s = a.inst->status();
  EXPECT_EQ(s.name, "VI_1");
  EXPECT_EQ(s.vrid, 51);
  EXPECT_EQ(s.state, State::Master);
  EXPECT_EQ(s.base_priority, 150);
  EXPECT_EQ(s.effective_priority, 150);
  EXPECT_EQ(s.advert_int, 1s);
  EXPECT_EQ(s.master_down_interval, 3414062us);
  EXPECT_EQ(s.become_master, 1u);
  EXPECT_EQ(s.adverts_sent, 2u);
  a.inst->stop();
  EXPECT_EQ(a.inst->status().adverts_sent, 3u);
}

}  // namespace
}  // namespace hb::vrrp
