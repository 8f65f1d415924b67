// SPDX-License-Identifier: GPL-2.0-or-later
// Reload of the resource groups (issue 11 item 8): groups that did not change are not touched;
// removed and changed groups are stopped here first; a group is handed over only between nodes
// that define it alike, so a resource moved from one group to another never runs on two nodes
// while the nodes are reloaded one after the other.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/crm/executor/executor_test_cluster.h"

namespace hb::executor::test {
namespace {

using cib::AutoFailback;

cib::Cib twoGroups() {
  return makeCib({"alpha", "beta"},
                 {group("web", "alpha", {"ip", "fs", "www"}), group("db", "beta", {"dbip", "dbfs", "pg"})},
                 AutoFailback::On);
}

/** Both groups running where they prefer, the journal emptied. */
void running(TestCluster& c) {
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  ASSERT_TRUE(c.heldOnlyBy("db", "beta")) << c.logs();
  c.journal.clear();
}

std::vector<std::string> statusIds(TestCluster& c, const std::string& n) {
  std::vector<std::string> out;
  for (const auto& g : c.rm(n).groups()) out.push_back(g.id);
  return out;
}

TEST(ExecutorReload, AddedGroupStartsOnceEveryNodeKnowsItAndNothingElseMoves) {
  TestCluster c(twoGroups());
  running(c);
  auto next = twoGroups();
  next.groups.push_back(group("mail", "alpha", {"mip", "mta"}));
  auto r = c.reload("alpha", next);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "groups (added mail)");
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  // beta has not stated mail (it does not know it): it may hold it, so alpha does not start it.
  EXPECT_TRUE(c.journal.empty()) << c.logs();
  EXPECT_EQ(c.localState("alpha", "mail"), "stopped");
  ASSERT_TRUE(c.reload("beta", next).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journal, (std::vector<std::string>{"alpha start mip", "alpha start mta"})) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_TRUE(c.heldOnlyBy("db", "beta"));
  EXPECT_EQ(statusIds(c, "beta"), (std::vector<std::string>{"web", "db", "mail"}));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, RemovedGroupIsStoppedRightToLeftAndForgotten) {
  TestCluster c(twoGroups());
  running(c);
  const auto next = makeCib({"alpha", "beta"}, {group("web", "alpha", {"ip", "fs", "www"})}, AutoFailback::On);
  auto r = c.reload("beta", next);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "groups (removed db), stopping db here first");
  EXPECT_TRUE(c.rm("beta").reconfiguring());
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  EXPECT_FALSE(c.rm("beta").reconfiguring());
  EXPECT_EQ(c.journal, (std::vector<std::string>{"beta stop pg", "beta stop dbfs", "beta stop dbip"})) << c.logs();
  EXPECT_EQ(statusIds(c, "beta"), std::vector<std::string>{"web"});
  // alpha still has db in its haresources, but beta, alive, never states it: alpha never starts it.
  EXPECT_TRUE(c.activeNowhere("db"));
  ASSERT_TRUE(c.reload("alpha", next).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journal.size(), 3u) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, ChangedGroupRestartsWithItsNewDefinitionOnceBothNodesAgree) {
  TestCluster c(twoGroups());
  running(c);
  auto next = twoGroups();
  next.groups[0].primitives.push_back(prim("cache"));
  ASSERT_TRUE(c.reload("alpha", next).ok());
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  // Stopped with the old definition; beta (old definition) does not grant the new one.
  EXPECT_EQ(c.journal, (std::vector<std::string>{"alpha stop www", "alpha stop fs", "alpha stop ip"})) << c.logs();
  EXPECT_TRUE(c.activeNowhere("web"));
  EXPECT_TRUE(c.node("alpha").log.count("group web is defined otherwise on beta") != 0) << c.logs();
  ASSERT_TRUE(c.reload("beta", next).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journalOf("alpha"),
            (std::vector<std::string>{"stop www", "stop fs", "stop ip", "start ip", "start fs", "start www",
                                      "start cache"}))
      << c.logs();
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("db", "beta"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, PlacementChangeMovesTheGroupByTheNormalHandOver) {
  TestCluster c(twoGroups());
  running(c);
  auto next = twoGroups();
  next.groups[1].preferred_node = "alpha";
  for (const char* n : {"alpha", "beta"}) {
    auto r = c.reload(n, next);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "groups (placement of db)");
  }
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("db", "alpha")) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  for (const auto& j : c.journal) EXPECT_EQ(j.find(" www"), std::string::npos) << j;  // web untouched
  EXPECT_TRUE(c.violations.empty());
}

// The dangerous one: the address moves from db (running on beta) to web (alpha). alpha reloads
// first. Without the definition check beta, still on the old file and with its old web stopped,
// granted alpha's claim on the new web: alpha brought the address up while db kept it on beta.
TEST(ExecutorReload, ResourceMovedBetweenGroupsNeverRunsOnTwoNodes) {
  TestCluster c(twoGroups());
  running(c);
  const auto next = makeCib({"alpha", "beta"},
                            {group("web", "alpha", {"ip", "fs", "www", "dbip"}), group("db", "beta", {"dbfs", "pg"})},
                            AutoFailback::On);
  ASSERT_TRUE(c.reload("alpha", next).ok());
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  EXPECT_EQ(c.countJournal("alpha start dbip"), 0u) << c.logs();
  EXPECT_TRUE(c.activeOn("beta").count("dbip") != 0);
  ASSERT_TRUE(c.reload("beta", next).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_TRUE(c.activeOn("alpha").count("dbip") != 0);
  EXPECT_TRUE(c.activeOn("beta").count("dbip") == 0);
  EXPECT_TRUE(c.activeOn("beta").count("pg") != 0);
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, BlockedGroupCannotBeRemovedOrChanged) {
  TestCluster c(twoGroups());
  running(c);
  c.script("beta", "dbfs", "stop", Behaviour{1, 10ms});
  ASSERT_TRUE(c.rm("beta").standby("all").ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_EQ(c.localState("beta", "db"), "failed-stop");
  const auto next = makeCib({"alpha", "beta"}, {group("web", "alpha", {"ip", "fs", "www"})}, AutoFailback::On);
  for (const char* n : {"alpha", "beta"}) {
    auto r = c.reload(n, next);
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_NE(r.error().message.find("group db is blocked by a failed stop on beta"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(statusIds(c, n), (std::vector<std::string>{"web", "db"}));
    EXPECT_FALSE(c.rm(n).reconfiguring());
  }
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, ASecondReloadWaitsForTheFirstAndOtherNodesAreRefused) {
  TestCluster c(twoGroups());
  for (const auto& r : {"pg", "dbfs", "dbip"}) c.script("beta", r, "stop", Behaviour{0, 500ms});
  running(c);
  const auto next = makeCib({"alpha", "beta"}, {group("web", "alpha", {"ip", "fs", "www"})}, AutoFailback::On);
  ASSERT_TRUE(c.reload("beta", next).ok());
  c.run(100ms);
  auto again = twoGroups();
  auto r = c.reload("beta", again);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("still being applied"), std::string::npos) << r.error().message;
  EXPECT_TRUE(c.reload("beta", next).ok());  // the same file again: nothing new
  auto other_nodes = next;
  other_nodes.nodes.push_back("gamma");
  EXPECT_FALSE(c.rm("alpha").checkReconfigure(other_nodes).ok());
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  EXPECT_EQ(statusIds(c, "beta"), std::vector<std::string>{"web"});
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, AStopThatFailsDuringTheReloadKeepsTheOldDefinitionBlocked) {
  TestCluster c(twoGroups());
  running(c);
  c.script("beta", "dbfs", "stop", Behaviour{1, 10ms});
  const auto next = makeCib({"alpha", "beta"}, {group("web", "alpha", {"ip", "fs", "www"})}, AutoFailback::On);
  ASSERT_TRUE(c.reload("beta", next).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_FALSE(c.rm("beta").reconfiguring());
  EXPECT_EQ(statusIds(c, "beta"), (std::vector<std::string>{"web", "db"}));
  EXPECT_EQ(c.localState("beta", "db"), "failed-stop");
  EXPECT_EQ(c.status("alpha", "db").status, "unmanaged");
  EXPECT_TRUE(c.node("beta").log.count("keeps its old definition") != 0) << c.logs();
  EXPECT_TRUE(c.journalOf("alpha").empty()) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorReload, ADifferentDefinitionAtStartIsNeverHandedOver) {
  // Two nodes booted with different haresources for the same group id: before the definition
  // digest they handed it back and forth as if it were the same.
  auto other = twoGroups();
  other.groups[0].primitives[1].params.push_back(cib::Param{"device", "/dev/other"});
  TestCluster c(twoGroups());
  c.cib_of["beta"] = other;
  c.boot("beta");
  c.commsUp("beta");
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();  // alone: beta runs both
  c.boot("alpha");
  c.joinAll();
  c.run(20ms);
  c.commsUp("alpha");
  c.run(3000ms);  // not settle(): a claim the peer cannot grant stays open
  // web prefers alpha, but beta does not hand it to a node that defines it otherwise.
  EXPECT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("db", "beta")) << c.logs();
  EXPECT_TRUE(c.node("beta").log.count("group web is defined otherwise on alpha") != 0) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

}  // namespace
}  // namespace hb::executor::test
