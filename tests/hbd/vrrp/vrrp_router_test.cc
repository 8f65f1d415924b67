// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpRouter tests that need no privileges: start-up errors leave nothing running (real I/O), and
// the router's dispatch, VIPs, ARPs, link tracking and state reports over a FakeVrrpIo on
// simulated time.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "hbd/vrrp/vrrp.h"
#include "tests/hbd/vrrp/fake_vrrp_io.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/resources/agents/fake_process_launcher.h"

namespace hb::vrrp {
namespace {

TEST(VrrpRouter, MissingInterfaceFailsCleanly) {
  auto parsed = parseVrrpConf(
      "vrrp_instance VI_1 {\n interface hbnosuch0\n virtual_router_id 5\n"
      " virtual_ipaddress {\n  10.9.9.9/24\n }\n}\n",
      "vrrp.conf");
  ASSERT_TRUE(parsed.ok());
  boost::asio::io_context io;
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  VrrpRouter router(io, sched, log, *parsed.value);
  EXPECT_TRUE(router.status().empty());
  auto r = router.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("hbnosuch0"), std::string::npos) << r.error().message;
  EXPECT_EQ(sched.armedTimers(), 0u);
  EXPECT_EQ(io.poll(), 0u);  // no socket or child left waiting on the loop
  router.stop();             // harmless after a failed start
}

TEST(VrrpRouter, EmptyConfigStartsAndStops) {
  boost::asio::io_context io;
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  VrrpRouter router(io, sched, log, VrrpConfig{});
  if (auto r = router.start(); !r.ok()) {
    // Without CAP_NET_ADMIN the link monitor still opens (netlink needs no privilege).
    FAIL() << r.error().message;
  }
  EXPECT_TRUE(router.status().empty());
  EXPECT_EQ(router.unassignedDrops()[0], 0u);
  router.stop();
  router.stop();
  EXPECT_EQ(sched.armedTimers(), 0u);
}


// ------------------------------------------------------------------------------------------------
// Over a FakeVrrpIo and a FakeProcessLauncher, on simulated time.

using namespace std::chrono_literals;
using test::FakeVrrpIo;

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

// Master_Down_Interval of a v2 instance with a 1 s advert interval: 3 s + (256 - prio) / 256 s.
Micros masterDown(int prio) { return 3s + Micros((256 - prio) * 1'000'000 / 256); }

// One state-handler call.
struct Change {
  std::string instance;
  State old_state;
  State new_state;
  int priority;
  bool operator==(const Change&) const = default;
};

void PrintTo(const Change& c, std::ostream* os) {
  *os << c.instance << ":" << stateName(c.old_state) << "->" << stateName(c.new_state) << "@"
      << c.priority;
}

// A router over fake I/O: eth0 (index 2, 10.0.0.1), eth1 (3, 10.1.0.1), eth2 (4, 10.2.0.1).
struct Rig {
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  FakeVrrpIo io{sched};
  resources::test::FakeProcessLauncher launcher{sched};
  VrrpConfig conf;
  std::vector<Change> changes;
  std::unique_ptr<VrrpRouter> router;

  Rig() {
    io.addInterface("eth0", 2, "10.0.0.1");
    io.addInterface("eth1", 3, "10.1.0.1");
    io.addInterface("eth2", 4, "10.2.0.1");
  }

  // Builds the router from vrrp.conf text (not started).
  void make(const std::string& text) {
    auto parsed = parseVrrpConf(text, "vrrp.conf");
    ASSERT_TRUE(parsed.ok());
    conf = *parsed.value;
    router = std::make_unique<VrrpRouter>(sched, log, conf, io, launcher);
    router->onStateChange([this](const std::string& name, State o, State n, int prio) {
      changes.push_back(Change{name, o, n, prio});
    });
  }
  void startOk() {
    auto r = router->start();
    ASSERT_TRUE(r.ok()) << r.error().message;
    sched.runPending();
  }

  // After a failed start: 10 s later, still no advert, no state report, no I/O call.
  void expectSilentAfterFailedStart() {
    sched.advance(std::chrono::seconds(10));
    EXPECT_TRUE(io.adverts.empty());
    EXPECT_TRUE(changes.empty());
    EXPECT_EQ(io.calls_after_close, 0);
  }

  // An advertisement as the instance `i` of the config would send it, from `src`.
  std::vector<std::uint8_t> advert(std::size_t i, int prio, const char* src) const {
    return encodeIpv4Packet(advertFor(conf.instances.at(i), static_cast<std::uint8_t>(prio)),
                            ip(src), kVrrpGroup, 1);
  }
  InstanceStatus status(std::size_t i) const { return router->status().at(i); }
  State state(std::size_t i) const { return status(i).state; }
  std::uint64_t unassigned(DropReason r) const {
    return router->unassignedDrops()[static_cast<std::size_t>(r)];
  }
  std::uint64_t unassignedTotal() const {
    std::uint64_t n = 0;
    for (auto v : router->unassignedDrops()) n += v;
    return n;
  }
};

std::string instance(const char* name, const char* iface, int vrid, int prio, const char* vips,
                     const char* extra = "") {
  return fmt::format(
      "vrrp_instance {} {{\n interface {}\n virtual_router_id {}\n priority {}\n advert_int 1\n"
      " virtual_ipaddress {{\n{} }}\n{}}}\n",
      name, iface, vrid, prio, vips, extra);
}

TEST(VrrpRouterFakeIo, PacketGoesToTheInstanceOfItsInterfaceAndVrid) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n") +
           instance("VI_2", "eth1", 52, 100, "  10.1.0.100/24\n"));
  rig.startOk();
  ASSERT_EQ(rig.io.opened.size(), 2u);
  EXPECT_TRUE(rig.io.isOpen("eth0"));
  EXPECT_TRUE(rig.io.isOpen("eth1"));
  EXPECT_TRUE(rig.io.opened[0].multicast);

  rig.sched.advance(2s);
  // A valid advert for VI_1 on eth0 reaches VI_1 only.
  ASSERT_TRUE(rig.io.inject("eth0", rig.advert(0, 150, "10.0.0.2")));
  EXPECT_EQ(rig.status(0).adverts_received, 1u);
  EXPECT_EQ(rig.status(1).adverts_received, 0u);
  EXPECT_EQ(rig.status(0).master, ip("10.0.0.2"));
  EXPECT_EQ(rig.unassignedTotal(), 0u);

  // VRID 52 exists, but on eth1: on eth0 it is nobody's. VRID 51 likewise on eth1.
  rig.io.inject("eth0", rig.advert(1, 150, "10.0.0.2"));
  EXPECT_EQ(rig.unassigned(DropReason::VridMismatch), 1u);
  rig.io.inject("eth1", rig.advert(0, 150, "10.1.0.2"));
  EXPECT_EQ(rig.unassigned(DropReason::VridMismatch), 2u);
  // A VRID nobody has.
  Advert other = advertFor(rig.conf.instances[0], 150);
  other.vrid = 99;
  rig.io.inject("eth0", encodeIpv4Packet(other, ip("10.0.0.2"), kVrrpGroup, 1));
  EXPECT_EQ(rig.unassigned(DropReason::VridMismatch), 3u);

  // Undecodable: too short to hold a VRID; a bad TTL with an unknown VRID.
  rig.io.inject("eth0", std::vector<std::uint8_t>(10, 0x45));
  EXPECT_EQ(rig.unassigned(DropReason::Truncated), 1u);
  auto ttl = encodeIpv4Packet(other, ip("10.0.0.2"), kVrrpGroup, 1);
  ttl[8] = 64;
  rig.io.inject("eth0", ttl);
  EXPECT_EQ(rig.unassigned(DropReason::BadTtl), 1u);
  // A bad checksum with VI_1's VRID on eth0 is VI_1's drop; on eth1 it is nobody's.
  auto sum = rig.advert(0, 150, "10.0.0.2");
  sum[22] ^= 0x01;  // priority byte, checksum not updated
  rig.io.inject("eth0", sum);
  EXPECT_EQ(rig.status(0).droppedFor(DropReason::BadChecksum), 1u);
  EXPECT_EQ(rig.unassigned(DropReason::BadChecksum), 0u);
  rig.io.inject("eth1", sum);
  EXPECT_EQ(rig.unassigned(DropReason::BadChecksum), 1u);
  EXPECT_EQ(rig.status(1).droppedFor(DropReason::BadChecksum), 0u);
  // Our own advert looped back is neither received nor dropped.
  rig.io.inject("eth0", rig.advert(0, 100, "10.0.0.1"));
  EXPECT_EQ(rig.unassignedTotal(), 6u);

  // None of the dropped packets changed anything: VI_2 (nothing valid heard) takes over at
  // its master-down time from start, VI_1 (heard a master at 2 s) only 3.6 s after that.
  EXPECT_EQ(rig.status(0).adverts_received, 1u);
  EXPECT_EQ(rig.status(1).adverts_received, 0u);
  rig.sched.advance(masterDown(100) - 2s);
  EXPECT_EQ(rig.state(1), State::Master);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.sched.advance(2s - 1us);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.sched.advance(1us);
  EXPECT_EQ(rig.state(0), State::Master);
}

TEST(VrrpRouterFakeIo, MasterAddsVipsAndGarpsHigherPriorityAdvertRemovesThem) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n  10.1.0.101/16 dev eth1\n"));
  const std::vector<std::string> kBothVips{"10.0.0.100/24@2", "10.1.0.101/16@3"};
  rig.startOk();
  // Start-up removes VIPs a crash may have left behind; nothing is added or sent yet.
  EXPECT_EQ(rig.io.changed(false), kBothVips);
  EXPECT_TRUE(rig.io.changed(true).empty());
  EXPECT_TRUE(rig.io.adverts.empty());
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.io.clearRecords();

  rig.sched.advance(masterDown(100) - 1us);
  EXPECT_EQ(rig.state(0), State::Backup);
  EXPECT_TRUE(rig.io.adverts.empty());
  rig.sched.advance(1us);
  EXPECT_EQ(rig.state(0), State::Master);
  ASSERT_EQ(rig.io.adverts.size(), 1u);
  const auto& a = rig.io.adverts[0];
  EXPECT_EQ(a.ifname, "eth0");
  EXPECT_EQ(a.src, ip("10.0.0.1"));
  EXPECT_EQ(a.dst, kVrrpGroup);
  ASSERT_EQ(a.decoded.reason, DropReason::Ok);
  EXPECT_EQ(a.decoded.advert.vrid, 51);
  EXPECT_EQ(a.decoded.advert.priority, 100);
  EXPECT_EQ(a.decoded.advert.addresses,
            (std::vector<Ipv4Address>{ip("10.0.0.100"), ip("10.1.0.101")}));
  EXPECT_EQ(rig.io.changed(true), kBothVips);
  EXPECT_TRUE(rig.io.changed(false).empty());
  ASSERT_EQ(rig.io.garps.size(), 2u);
  EXPECT_EQ(rig.io.garps[0].ifindex, 2);
  EXPECT_EQ(rig.io.garps[0].vip, ip("10.0.0.100"));
  EXPECT_EQ(rig.io.garps[0].mac, rig.io.interfaces["eth0"].mac);
  EXPECT_EQ(rig.io.garps[0].count, 5);
  EXPECT_EQ(rig.io.garps[1].ifindex, 3);  // dev eth1: that interface's index and MAC
  EXPECT_EQ(rig.io.garps[1].vip, ip("10.1.0.101"));
  EXPECT_EQ(rig.io.garps[1].mac, rig.io.interfaces["eth1"].mac);
  rig.sched.runPending();  // the kernel's acks, posted by the fake
  EXPECT_EQ(rig.log.count("added VIP 10.0.0.100/24"), 1u);
  EXPECT_EQ(rig.log.count("added VIP 10.1.0.101/16"), 1u);

  // Adverts every second; a second ARP burst after garp_master_delay (5 s).
  rig.sched.advance(5s);
  EXPECT_EQ(rig.io.adverts.size(), 6u);
  EXPECT_EQ(rig.io.garps.size(), 4u);

  // A higher priority master: BACKUP at once, VIPs removed, no more adverts.
  rig.io.clearRecords();
  rig.io.inject("eth0", rig.advert(0, 200, "10.0.0.2"));
  EXPECT_EQ(rig.state(0), State::Backup);
  EXPECT_EQ(rig.io.changed(false), kBothVips);
  EXPECT_TRUE(rig.io.changed(true).empty());
  rig.sched.advance(3s);
  EXPECT_TRUE(rig.io.adverts.empty());
  EXPECT_TRUE(rig.io.garps.empty());
  EXPECT_EQ(rig.changes.back(), (Change{"VI_1", State::Master, State::Backup, 100}));
}

TEST(VrrpRouterFakeIo, StopFromMasterResignsRemovesVipsAndCloses) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n"));
  rig.startOk();
  rig.sched.advance(masterDown(100));
  ASSERT_EQ(rig.state(0), State::Master);
  rig.io.clearRecords();
  const std::size_t changes = rig.changes.size();

  rig.router->stop();
  ASSERT_EQ(rig.io.adverts.size(), 1u);
  EXPECT_EQ(rig.io.adverts[0].decoded.advert.priority, 0);
  EXPECT_EQ(rig.io.changed(false), std::vector<std::string>{"10.0.0.100/24@2"});
  EXPECT_TRUE(rig.io.changed(true).empty());
  EXPECT_EQ(rig.io.closes, 1);
  EXPECT_FALSE(rig.io.isOpen("eth0"));
  ASSERT_EQ(rig.changes.size(), changes + 1);
  EXPECT_EQ(rig.changes.back(), (Change{"VI_1", State::Master, State::Init, 100}));
  rig.sched.runPending();  // the fake's posted acks, dropped: the I/O is closed
  EXPECT_EQ(rig.log.count("removed VIP 10.0.0.100/24"), 0u);
  EXPECT_EQ(rig.sched.armedTimers(), 0u);

  // Nothing afterwards: no I/O call, no state report, no timer; stop() again is a no-op.
  rig.sched.advance(30s);
  rig.router->stop();
  EXPECT_EQ(rig.io.adverts.size(), 1u);
  EXPECT_EQ(rig.io.calls_after_close, 0);
  EXPECT_EQ(rig.io.closes, 1);
  EXPECT_EQ(rig.changes.size(), changes + 1);
  EXPECT_FALSE(rig.io.inject("eth0", rig.advert(0, 200, "10.0.0.2")));
  rig.router.reset();
  EXPECT_EQ(rig.io.calls_after_close, 0);
}

TEST(VrrpRouterFakeIo, InstancesOnOneInterfaceDispatchIndependently) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n") +
           instance("VI_2", "eth0", 52, 150, "  10.0.0.200/24\n"));
  rig.startOk();
  ASSERT_EQ(rig.io.opened.size(), 1u);  // one socket per interface
  rig.io.clearRecords();
  // A peer masters VRID 51 only.
  for (int i = 0; i < 10; ++i) {
    rig.sched.advance(1s);
    rig.io.inject("eth0", rig.advert(0, 200, "10.0.0.2"));
  }
  EXPECT_EQ(rig.state(0), State::Backup);
  EXPECT_EQ(rig.state(1), State::Master);
  EXPECT_EQ(rig.status(0).adverts_received, 10u);
  EXPECT_EQ(rig.status(1).adverts_received, 0u);
  EXPECT_EQ(rig.io.changed(true), std::vector<std::string>{"10.0.0.200/24@2"});
  for (const auto& a : rig.io.adverts) EXPECT_EQ(a.decoded.advert.vrid, 52);
  // VI_2's adverts, heard by the peer only, do not disturb VI_1; the peer goes silent.
  rig.sched.advance(masterDown(100) - 1us);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.sched.advance(1us);
  EXPECT_EQ(rig.state(0), State::Master);
  EXPECT_EQ(rig.io.changed(true),
            (std::vector<std::string>{"10.0.0.200/24@2", "10.0.0.100/24@2"}));
  EXPECT_EQ(rig.unassignedTotal(), 0u);
}

TEST(VrrpRouterFakeIo, TrackedInterfaceDownFaultsUpReturnsToBackupThenMaster) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n",
                    " track_interface {\n  eth1\n }\n"));
  rig.startOk();
  rig.sched.advance(masterDown(100));
  ASSERT_EQ(rig.state(0), State::Master);
  rig.io.clearRecords();

  // An interface nobody tracks changes nothing.
  rig.io.setLink("eth2", false);
  EXPECT_EQ(rig.state(0), State::Master);
  EXPECT_TRUE(rig.io.changes.empty());

  rig.io.setLink("eth1", false);
  EXPECT_EQ(rig.state(0), State::Fault);
  ASSERT_EQ(rig.io.adverts.size(), 1u);
  EXPECT_EQ(rig.io.adverts[0].decoded.advert.priority, 0);  // resign so the backup takes over
  EXPECT_EQ(rig.io.changed(false), std::vector<std::string>{"10.0.0.100/24@2"});
  rig.sched.advance(20s);
  EXPECT_EQ(rig.state(0), State::Fault);
  EXPECT_EQ(rig.io.adverts.size(), 1u);
  EXPECT_TRUE(rig.io.changed(true).empty());

  // Back up: BACKUP first (keepalived's way out of FAULT), MASTER after Master_Down.
  rig.io.clearRecords();
  rig.io.setLink("eth1", true);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.sched.advance(masterDown(100) - 1us);
  EXPECT_EQ(rig.state(0), State::Backup);
  EXPECT_TRUE(rig.io.changes.empty());
  rig.sched.advance(1us);
  EXPECT_EQ(rig.state(0), State::Master);
  EXPECT_EQ(rig.io.changed(true), std::vector<std::string>{"10.0.0.100/24@2"});
  EXPECT_EQ(rig.io.garps.size(), 1u);

  // The instance's own interface is tracked too; a peer heard on the way back keeps it BACKUP.
  rig.io.setLink("eth0", false);
  EXPECT_EQ(rig.state(0), State::Fault);
  rig.io.setLink("eth0", true);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.io.inject("eth0", rig.advert(0, 150, "10.0.0.2"));
  rig.sched.advance(masterDown(100) - 1us);
  EXPECT_EQ(rig.state(0), State::Backup);

  const std::vector<Change> want{
      {"VI_1", State::Init, State::Backup, 100},   {"VI_1", State::Backup, State::Master, 100},
      {"VI_1", State::Master, State::Fault, 100},  {"VI_1", State::Fault, State::Backup, 100},
      {"VI_1", State::Backup, State::Master, 100}, {"VI_1", State::Master, State::Fault, 100},
      {"VI_1", State::Fault, State::Backup, 100}};
  EXPECT_EQ(rig.changes, want);
}

TEST(VrrpRouterFakeIo, TrackedInterfaceDownAtStartStartsInFault) {
  Rig rig;
  rig.io.interfaces["eth1"].up = false;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n",
                    " track_interface {\n  eth1\n }\n"));
  rig.startOk();
  EXPECT_EQ(rig.state(0), State::Fault);
  rig.sched.advance(10s);
  EXPECT_EQ(rig.state(0), State::Fault);
  EXPECT_TRUE(rig.io.adverts.empty());
  EXPECT_TRUE(rig.io.changed(true).empty());
  rig.io.setLink("eth1", true);
  EXPECT_EQ(rig.state(0), State::Backup);
  rig.sched.advance(masterDown(100));
  EXPECT_EQ(rig.state(0), State::Master);
}

TEST(VrrpRouterFakeIo, StartFailsCleanlyWhenAnInterfaceIsMissing) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n") +
           instance("VI_2", "eth9", 52, 100, "  10.9.0.100/24\n"));
  auto r = rig.router->start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("eth9"), std::string::npos) << r.error().message;
  EXPECT_TRUE(rig.io.opened.empty());
  EXPECT_TRUE(rig.io.changes.empty());
  EXPECT_TRUE(rig.io.adverts.empty());
  EXPECT_TRUE(rig.io.closed);
  EXPECT_TRUE(rig.router->status().empty());
  EXPECT_EQ(rig.sched.armedTimers(), 0u);
  rig.expectSilentAfterFailedStart();
  EXPECT_TRUE(rig.launcher.children.empty());
}

TEST(VrrpRouterFakeIo, StartFailsCleanlyWhenASocketCannotBeOpened) {
  Rig rig;
  rig.io.open_errors.emplace("eth1", Error{Errc::Permission, "raw socket for VRRP: not permitted"});
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n") +
           instance("VI_2", "eth1", 52, 100, "  10.1.0.100/24\n"));
  auto r = rig.router->start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Permission);
  // eth0 was opened before eth1 failed: closed again.
  ASSERT_EQ(rig.io.opened.size(), 1u);
  EXPECT_EQ(rig.io.opened[0].info.name, "eth0");
  EXPECT_FALSE(rig.io.isOpen("eth0"));
  EXPECT_EQ(rig.io.closes, 1);
  EXPECT_TRUE(rig.io.changes.empty());
  EXPECT_EQ(rig.sched.armedTimers(), 0u);
  rig.expectSilentAfterFailedStart();
}

TEST(VrrpRouterFakeIo, StartFailsCleanlyWhenLinksCannotBeWatched) {
  Rig rig;
  rig.io.watch_error = Error{Errc::Io, "netlink socket: no buffer space"};
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n"));
  ASSERT_FALSE(rig.router->start().ok());
  EXPECT_TRUE(rig.io.closed);
  EXPECT_FALSE(rig.io.isOpen("eth0"));
  EXPECT_TRUE(rig.io.changed(true).empty());
  rig.sched.runPending();  // the acks of the stale-VIP removals, dropped after close()
  EXPECT_EQ(rig.sched.armedTimers(), 0u);
  rig.expectSilentAfterFailedStart();
}

// keepalived runs scripts without a shell and disables one that cannot run: the instance then
// behaves as if the script were not tracked (issue 10: with /bin/sh -c, `[[` was "not found", the
// check always passed, and hbd and a keepalived peer disagreed on the master).
TEST(VrrpRouterFakeIo, TrackScriptThatCannotRunIsDisabledAndIgnored) {
  Rig rig;
  rig.make("vrrp_script chk_down {\n script \"[[ -f /etc/keepalived/down ]] && exit 1 || exit 0\"\n"
           " interval 1\n weight 0\n}\n" +
           instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n", " track_script {\n  chk_down\n }\n"));
  rig.startOk();
  EXPECT_EQ(rig.log.count("vrrp_script chk_down disabled: '[[' is not found in PATH"), 1u);
  EXPECT_EQ(rig.log.count("not tracked by VI_1"), 1u);
  rig.sched.advance(masterDown(100));
  EXPECT_EQ(rig.state(0), State::Master);  // a weight-0 failure would have meant FAULT
  EXPECT_EQ(rig.status(0).effective_priority, 100);
  EXPECT_TRUE(rig.launcher.children.empty());  // never run
}

TEST(VrrpRouterFakeIo, ScriptsRunTheirWordsWithoutAShell) {
  Rig rig;
  rig.make("vrrp_script chk {\n script \"test ! -e '/etc/keepalived/down now'\"\n interval 1\n weight -60\n}\n" +
           instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n",
                    " track_script {\n  chk\n }\n notify_master \"/bin/echo 'now master'\"\n notify /bin/true\n"));
  rig.launcher.autoRun = [](resources::test::FakeProcessLauncher::Child& c) { c.exit(0); };
  rig.startOk();
  std::shared_ptr<resources::test::FakeProcessLauncher::Child> chk;
  for (const auto& c : rig.launcher.children) {
    if (c->spec.argv.at(0) == "test") chk = c;
  }
  ASSERT_NE(chk, nullptr);
  EXPECT_TRUE(chk->spec.path == "/usr/bin/test" || chk->spec.path == "/bin/test") << chk->spec.path;
  EXPECT_EQ(chk->spec.argv, (std::vector<std::string>{"test", "!", "-e", "/etc/keepalived/down now"}));
  rig.sched.advance(masterDown(100));
  ASSERT_EQ(rig.state(0), State::Master);
  std::vector<std::vector<std::string>> notified;
  for (const auto& c : rig.launcher.children) {
    if (c->spec.argv[0] != "test") notified.push_back(c->spec.argv);
  }
  const std::vector<std::vector<std::string>> want{
      {"/bin/true", "INSTANCE", "VI_1", "BACKUP", "100"},
      {"/bin/echo", "now master"},
      {"/bin/true", "INSTANCE", "VI_1", "MASTER", "100"}};
  EXPECT_EQ(notified, want);
}

TEST(VrrpRouterFakeIo, NotifyThatCannotRunIsDisabledAndLogged) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n",
                    " notify_master /nonexistent/notify.sh\n notify_backup \"/bin/echo 'half\"\n"));
  rig.startOk();
  EXPECT_EQ(rig.log.count("(VI_1) notify_master disabled: /nonexistent/notify.sh: No such file"), 1u);
  EXPECT_EQ(rig.log.count("(VI_1) notify_backup disabled: missing terminating '"), 1u);
  rig.sched.advance(masterDown(100));
  EXPECT_EQ(rig.state(0), State::Master);
  EXPECT_TRUE(rig.launcher.children.empty());
}

// keepalived's mcast_src_ip is the same setting as unicast_src_ip: the adverts' source address.
TEST(VrrpRouterFakeIo, McastSrcIpIsTheAdvertsSource) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n", " mcast_src_ip 10.0.0.9\n"));
  rig.startOk();
  rig.sched.advance(masterDown(100) + 2s);
  ASSERT_EQ(rig.state(0), State::Master);
  ASSERT_FALSE(rig.io.adverts.empty());
  for (const auto& a : rig.io.adverts) {
    EXPECT_EQ(a.src, ip("10.0.0.9"));
    EXPECT_EQ(a.dst, kVrrpGroup);
  }
}

TEST(VrrpRouterFakeIo, StateHandlerGetsOldAndNewStateAndPriority) {
  Rig rig;
  rig.make(instance("VI_1", "eth0", 51, 100, "  10.0.0.100/24\n",
                    " track_interface {\n  eth1 weight -20\n  eth2\n }\n"));
  rig.startOk();
  rig.sched.advance(masterDown(100));
  rig.io.setLink("eth1", false);  // priority 80, still MASTER
  EXPECT_EQ(rig.state(0), State::Master);
  EXPECT_EQ(rig.status(0).effective_priority, 80);
  rig.io.inject("eth0", rig.advert(0, 90, "10.0.0.2"));  // 90 > 80: BACKUP
  rig.io.setLink("eth2", false);                           // weight 0: FAULT
  rig.io.setLink("eth2", true);                            // BACKUP
  rig.io.setLink("eth1", true);                            // priority 100, no state change
  rig.sched.advance(masterDown(80));  // armed when entering BACKUP at priority 80
  EXPECT_EQ(rig.state(0), State::Master);
  rig.router->stop();
  const std::vector<Change> want{
      {"VI_1", State::Init, State::Backup, 100},  {"VI_1", State::Backup, State::Master, 100},
      {"VI_1", State::Master, State::Backup, 80}, {"VI_1", State::Backup, State::Fault, 80},
      {"VI_1", State::Fault, State::Backup, 80},  {"VI_1", State::Backup, State::Master, 100},
      {"VI_1", State::Master, State::Init, 100}};
  EXPECT_EQ(rig.changes, want);
}

}  // namespace
}  // namespace hb::vrrp
