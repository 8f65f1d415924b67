// SPDX-License-Identifier: GPL-2.0-or-later
// Groups that follow a VRRP instance: placed by policy::place (the view says where the instance is
// MASTER), started through claim/grant, and never started while a live peer's copy is not yet
// stopped (safety checked every ms).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/crm/executor/executor_test_cluster.h"

namespace hb::executor::test {
namespace {

const std::vector<std::string> kV = {"vip", "www"};

cib::Cib vrrpCib(std::vector<std::string> nodes = {"alpha", "beta"}) {
  auto g = group("vweb", "", kV);
  g.follows_vrrp = "VI_1";
  return makeCib(std::move(nodes), {g}, cib::AutoFailback::Off);
}

std::size_t indexOf(const std::vector<std::string>& j, const std::string& what) {
  auto it = std::find(j.begin(), j.end(), what);
  return it == j.end() ? j.size() : static_cast<std::size_t>(it - j.begin());
}

TEST(ExecutorVrrp, GroupRunsOnlyWhereTheInstanceIsMaster) {
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  ASSERT_TRUE(c.settle());
  EXPECT_TRUE(c.journal.empty()) << "no MASTER yet: " << c.logs();
  EXPECT_EQ(c.status("alpha", "vweb").reason, "no-master");
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journal, (std::vector<std::string>{"alpha start vip", "alpha start www"}));
  EXPECT_TRUE(c.heldOnlyBy("vweb", "alpha"));
  // beta learns from alpha's report where the instance is MASTER.
  auto sb = c.status("beta", "vweb");
  EXPECT_EQ(sb.reason, "vrrp");
  EXPECT_EQ(sb.status, "started");
  EXPECT_EQ(sb.owner, std::optional<std::string>("alpha"));
  EXPECT_EQ(c.status("alpha", "vweb").reason, "vrrp");
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorVrrp, NewMasterWaitsUntilThePeersCopyIsStopped) {
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle());
  c.script("alpha", "www", "stop", Behaviour{0, 800ms});  // a slow stop on the old master
  const std::size_t from = c.journal.size();
  // VRRP moved: beta is MASTER while alpha still is (and still holds the group): beta waits.
  c.rm("beta").setVrrpMaster("VI_1", true);
  c.run(2s);
  EXPECT_EQ(c.journal.size(), from) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("vweb", "alpha"));
  // alpha leaves MASTER: it stops right to left, then beta starts left to right.
  c.rm("alpha").setVrrpMaster("VI_1", false);
  ASSERT_TRUE(c.settle()) << c.logs();
  const std::vector<std::string> tail(c.journal.begin() + static_cast<std::ptrdiff_t>(from), c.journal.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"alpha stop www", "alpha stop vip", "beta start vip", "beta start www"}))
      << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("vweb", "beta"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorVrrp, MasterMovesWhileTheOldMastersReportStillSaysStarted) {
  // alpha leaves MASTER and beta enters it at the same moment; alpha's stop takes a while and its
  // reports still say started: beta must not start before alpha's report says stopped.
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle());
  c.script("alpha", "vip", "stop", Behaviour{0, 1500ms});
  c.wire.delay = 30ms;
  const std::size_t from = c.journal.size();
  c.rm("beta").setVrrpMaster("VI_1", true);
  c.rm("alpha").setVrrpMaster("VI_1", false);
  ASSERT_TRUE(c.settle()) << c.logs();
  const std::vector<std::string> tail(c.journal.begin() + static_cast<std::ptrdiff_t>(from), c.journal.end());
  ASSERT_EQ(tail.size(), 4u) << c.logs();
  EXPECT_LT(indexOf(tail, "alpha stop vip"), indexOf(tail, "beta start vip"));
  EXPECT_TRUE(c.heldOnlyBy("vweb", "beta"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorVrrp, OldMasterSilentStartsOnlyOnceDeclaredDead) {
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle());
  const std::size_t from = c.journal.size();
  c.crash("alpha");  // the machine is gone; beta's membership has not noticed yet
  c.rm("beta").setVrrpMaster("VI_1", true);
  c.run(3s);
  EXPECT_EQ(c.journal.size(), from) << "started against a peer that may still hold it: " << c.logs();
  c.declareDead("beta", "alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("vweb", "beta"));
  EXPECT_EQ(c.status("beta", "vweb").reason, "vrrp");
}

TEST(ExecutorVrrp, FailedStopOnTheOldMasterKeepsTheGroupOffTheNewOne) {
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle());
  c.script("alpha", "www", "stop", Behaviour{1, 10ms});
  c.rm("alpha").setVrrpMaster("VI_1", false);
  c.rm("beta").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.localState("alpha", "vweb"), "failed-stop");
  EXPECT_EQ(c.countJournal("beta start vip"), 0u) << c.logs();
  EXPECT_EQ(c.status("beta", "vweb").status, "unmanaged");
}

TEST(ExecutorVrrp, BothMasterAtOnceStartsOnOneNode) {
  // A VRRP split (both MASTER) at cold start: the claim/grant tie goes to one node only.
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  c.rm("beta").setVrrpMaster("VI_1", true);
  c.run(3s);  // not quiet: while both are MASTER the other node sees a move it waits for
  EXPECT_EQ(c.startedOn("vweb"), std::vector<std::string>{"alpha"}) << c.logs();
  EXPECT_EQ(c.status("beta", "vweb").status, "moving");
  // The split heals (beta is BACKUP again): quiet, still on alpha alone.
  c.rm("beta").setVrrpMaster("VI_1", false);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("vweb", "alpha"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorVrrp, PeerThatIsNotAClusterNodeIsNotAsked) {
  // The VRRP peer is keepalived (not an hbd node): the group starts on MASTER without grants.
  TestCluster c(vrrpCib({"alpha"}));
  c.boot("alpha");
  c.commsUp("alpha");
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("vweb", "alpha"));
  c.rm("alpha").setVrrpMaster("VI_1", false);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.activeNowhere("vweb"));
  EXPECT_EQ(c.journalOf("alpha"), (std::vector<std::string>{"start vip", "start www", "stop www", "stop vip"}));
}

TEST(ExecutorVrrp, ShutdownStopsAVrrpGroup) {
  TestCluster c(vrrpCib());
  c.bootTogether({"alpha", "beta"});
  c.rm("alpha").setVrrpMaster("VI_1", true);
  ASSERT_TRUE(c.settle());
  bool done = false;
  c.rm("alpha").shutdown([&] { done = true; });
  ASSERT_TRUE(c.runUntil([&] { return done; }, 5s)) << c.logs();
  EXPECT_TRUE(c.activeNowhere("vweb"));
}

}  // namespace
}  // namespace hb::executor::test
