// SPDX-License-Identifier: GPL-2.0-or-later
// Whole-node scenarios on simulated time: N real Nodes (membership + resource manager) over
// FakeLinks on a SimWire and SimAgents; the safety invariant is checked after every millisecond.
#include <gtest/gtest.h>

#include "tests/hbd/node/node_cluster.h"

namespace hb::node::test {
namespace {

using membership::NodeState;

class NodeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && c_) std::cerr << c_->logs();
  }
  NodeCluster& make(std::vector<std::string> names, std::vector<cib::Group> groups,
                    cib::AutoFailback af = cib::AutoFailback::On) {
    c_ = std::make_unique<NodeCluster>(std::move(names), std::move(groups), af);
    return *c_;
  }
  std::unique_ptr<NodeCluster> c_;
};

TEST_F(NodeTest, TwoNodesFormAClusterAndStartTheGroupOnce) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_TRUE(c.mutuallyAlive("alpha", "beta"));
  c.run(3s);
  EXPECT_EQ(c.startsOf(" ip"), 1u) << c.logs();
  EXPECT_EQ(c.startsOf(" www"), 1u);
  EXPECT_GT(c.wire.delivered, 0u);
  EXPECT_GE(c.checks, 3000u);  // checked every simulated millisecond
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, OwnerCrashPeerTakesOverAfterDeadtime) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  const auto crashed_at = c.sched.now();
  c.crash("alpha");
  ASSERT_TRUE(c.runUntil([&] { return c.heldBy("web") == std::vector<std::string>{"beta"}; }, 10s)) << c.logs();
  // Not before membership declared alpha dead (deadtime 1 s after its last heartbeat).
  EXPECT_GE(c.sched.now() - crashed_at, 900ms);
  EXPECT_EQ(c.node("beta").membership().nodeState("alpha"), NodeState::Dead);
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, StandbyMovesTheGroupAndShutdownHandsOverAtOnce) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})}, cib::AutoFailback::Off);
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  bool moved = false, ok = false;
  auto r = c.rm("alpha").standby("all", [&](bool m) {
    moved = true;
    ok = m;
  });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(c.runUntil([&] { return moved; }, 10s));
  EXPECT_TRUE(ok);
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"beta"});
  // An orderly stop of beta: its groups stop, alpha learns at once (shutdown notice, no deadtime).
  c.stopDaemon("beta");
  ASSERT_TRUE(c.runUntil([&] { return c.heldBy("web") == std::vector<std::string>{"alpha"}; }, 900ms))
      << "took over only after deadtime (or never): the shutdown notice was not honoured\n";
  EXPECT_EQ(c.node("alpha").membership().nodeState("beta"), NodeState::Dead);
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, DaemonRestartIsANewGenerationAndTheGroupRunsOnce) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  // hbd on beta is killed and started again at once: alpha never sees beta silent for deadtime.
  c.restartDaemon("beta");
  c.run(500ms);
  EXPECT_EQ(c.node("alpha").membership().counters().restarts, 1u);
  EXPECT_EQ(c.node("alpha").membership().nodes()[1].generation, c.node("beta").membership().generation());
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  // Now the owner's hbd restarts: its resources keep running; the new instance finds them.
  c.restartDaemon("alpha");
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.run(2s);
  EXPECT_EQ(c.heldBy("web").size(), 1u);
  EXPECT_TRUE(c.violations.empty());
}

// The owner's hbd restarts with a generation below the one its peer remembers (its state dir was
// restored from a backup; the clock was set back). Its resources keep running and the new instance
// finds them. Dropped as replays forever, it would be declared dead and its group started on the
// peer as well; after the challenge the peer takes it back, and the group runs once.
TEST_F(NodeTest, DaemonRestartWithALowerGenerationIsAcceptedAndTheGroupRunsOnce) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  const auto before = c.node("beta").membership().nodes()[0].generation;
  ASSERT_GT(before, 5u);
  c.restartDaemon("alpha", 5);
  c.run(500ms);
  EXPECT_EQ(c.node("beta").membership().counters().generations_lowered, 1u);
  EXPECT_EQ(c.node("beta").membership().nodes()[0].generation, 5u);
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.run(3s);  // three deadtimes: beta never declares alpha dead
  EXPECT_TRUE(c.mutuallyAlive("alpha", "beta"));
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.startsOf(" ip"), 1u);
  EXPECT_TRUE(c.violations.empty());
}

// The whole machine stalls for three deadtimes (a paused VM; 8 nodes on 2 cores stalled 2.2 s):
// when the loops run again, the overdue silence checks come before the heartbeats waiting in the
// sockets. Nobody is declared dead and the group is not started a second time.
TEST_F(NodeTest, AMachineStallLongerThanDeadtimeStartsNothingTwice) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  ASSERT_EQ(c.startsOf(" ip"), 1u);
  c.sched.jump(3s);
  c.run(5s);
  EXPECT_EQ(c.startsOf(" ip"), 1u) << c.logs();
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_TRUE(c.mutuallyAlive("alpha", "beta"));
  EXPECT_EQ(c.logs().find(": is dead"), std::string::npos);
  EXPECT_GE(c.node("alpha").membership().counters().stalls + c.node("beta").membership().counters().stalls, 1u);
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, PartitionRunsTheGroupOnBothSidesAndHeals) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip", "www"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.wire.partition({"alpha"}, {"beta"});
  ASSERT_TRUE(c.runUntil([&] { return c.heldBy("web").size() == 2; }, 10s));
  // Both sides run it: legitimate without fencing, and the invariant agrees (neither considers
  // the other alive); this is exactly the case it does not cover.
  EXPECT_FALSE(c.alive("alpha", "beta"));
  EXPECT_FALSE(c.alive("beta", "alpha"));
  EXPECT_TRUE(c.violations.empty());
  c.wire.heal();
  // As soon as they hear each other again, one copy is stopped (within kResolveWithin: checked).
  ASSERT_TRUE(c.runUntil([&] { return c.settled() && c.mutuallyAlive("alpha", "beta"); }, 20s)) << c.logs();
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
}

TEST_F(NodeTest, InvariantCheckerSeesTwoCopiesBetweenLiveNodes) {
  // The checker itself: a resource found running on both machines while both are alive is reported.
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.fail_on_violation = false;
  c.check();
  EXPECT_TRUE(c.violations.empty());
  c.agents.preActive("beta", "ip");
  c.check();
  ASSERT_FALSE(c.violations.empty());
  EXPECT_EQ(c.violations[0], "running web on alpha and beta, which consider each other alive");
  c.agents.powerOff("beta");  // undo, so teardown is clean
}

TEST_F(NodeTest, LossyDuplicatingReorderingWire) {
  auto& c = make({"alpha", "beta", "gamma"},
                 {group("web", "alpha", {"ip", "www"}), group("db", "beta", {"dbip", "pg"})});
  c.wire.setKnobs("", hb::test::SimWire::Knobs{20, 10, 2ms, 15ms});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 20s)) << c.logs();
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.heldBy("db"), std::vector<std::string>{"beta"});
  c.run(5s);
  EXPECT_GT(c.wire.lost, 0u);
  EXPECT_GT(c.wire.duplicated, 0u);
  c.crash("beta");
  ASSERT_TRUE(c.runUntil([&] { return c.heldBy("db").size() == 1; }, 20s)) << c.logs();
  EXPECT_NE(c.heldBy("db"), std::vector<std::string>{"beta"});
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, OneMediumCutIsHarmless) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.wire.cut("eth0");
  c.run(3s);
  EXPECT_TRUE(c.mutuallyAlive("alpha", "beta"));
  EXPECT_EQ(c.node("alpha").membership().linkState("beta", "eth0"), membership::LinkState::Dead);
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.startsOf(" ip"), 1u);
}

// Reload replaces both media by a new one on each node, one node after the other: the nodes never
// lose each other and the group stays where it runs. The old media are then cut: only the new
// link carries the cluster.
TEST_F(NodeTest, MediaReplacedByReloadKeepTheClusterTogether) {
  auto& c = make({"alpha", "beta"}, {group("web", "alpha", {"ip"})});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 10s));
  c.reloadMedia("alpha", {"eth2"}, {"eth0", "eth1"});
  c.run(300ms);
  c.reloadMedia("beta", {"eth2"}, {"eth0", "eth1"});
  c.wire.cut("eth0");
  c.wire.cut("eth1");
  c.run(5s);
  EXPECT_TRUE(c.mutuallyAlive("alpha", "beta")) << c.logs();
  EXPECT_EQ(c.node("alpha").membership().linkState("beta", "eth2"), membership::LinkState::Up);
  EXPECT_EQ(c.node("alpha").membership().linkState("beta", "eth0"), std::nullopt);
  EXPECT_EQ(c.heldBy("web"), std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.startsOf(" ip"), 1u);
  EXPECT_TRUE(c.violations.empty());
}

TEST_F(NodeTest, EightNodes) {
  std::vector<std::string> names;
  std::vector<cib::Group> groups;
  for (int i = 1; i <= 8; ++i) names.push_back("n" + std::to_string(i));
  for (int i = 1; i <= 8; ++i) {
    groups.push_back(group("g" + std::to_string(i), names[static_cast<std::size_t>(i % 8)],
                           {"r" + std::to_string(i) + "a", "r" + std::to_string(i) + "b"}));
  }
  auto& c = make(names, groups);
  c.wire.setKnobs("", hb::test::SimWire::Knobs{5, 5, 1ms, 5ms});
  c.bootAll();
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 30s)) << c.logs();
  for (const auto& g : groups) EXPECT_EQ(c.heldBy(g.id), std::vector<std::string>{g.preferred_node}) << g.id;
  c.crash("n2");
  c.crash("n5");
  ASSERT_TRUE(c.runUntil([&] { return c.settled(); }, 30s)) << c.logs();
  for (const auto& g : groups) {
    const auto held = c.heldBy(g.id);
    ASSERT_EQ(held.size(), 1u) << g.id;
    EXPECT_NE(held[0], "n2");
    EXPECT_NE(held[0], "n5");
  }
  c.boot("n2");
  // auto_failback on: g1 (preferred on n2) comes back to it.
  ASSERT_TRUE(c.runUntil([&] { return c.settled() && c.heldBy("g1") == std::vector<std::string>{"n2"}; }, 30s))
      << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

}  // namespace
}  // namespace hb::node::test
