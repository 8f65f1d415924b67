// SPDX-License-Identifier: GPL-2.0-or-later
// Reports of any size: many groups on 2 and 8 nodes all start, each on exactly one node, while
// the wire fails the test on any message over the report budget (safety checked every ms).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/crm/executor/executor_test_cluster.h"

namespace hb::executor::test {
namespace {

std::vector<std::string> nodeNames(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("node" + std::to_string(i + 1));
  return out;
}

/** `groups` groups of one resource each, preferred round-robin on the nodes. */
cib::Cib manyGroups(const std::vector<std::string>& nodes, int groups) {
  std::vector<cib::Group> gs;
  for (int i = 0; i < groups; ++i) {
    const std::string id = "group_IPaddr_10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
    gs.push_back(group(id, nodes[static_cast<std::size_t>(i) % nodes.size()], {"r" + std::to_string(i)}));
  }
  return makeCib(nodes, std::move(gs), cib::AutoFailback::On);
}

/** Cold start of every node; returns the simulated ms until every group is started once. */
std::int64_t coldStartAll(TestCluster& c, const cib::Cib& model, Millis limit) {
  std::vector<std::string> nodes = model.nodes;
  for (const auto& n : nodes) c.boot(n);
  c.joinAll();
  c.run(20ms);
  c.commsUpAll();
  const auto t0 = c.sched.now();
  const bool all = c.runUntil(
      [&] {
        const auto on = c.startedOnAll();
        for (const auto& g : model.groups) {
          auto it = on.find(g.id);
          if (it == on.end() || it->second.size() != 1) return false;
        }
        return true;
      },
      limit);
  if (!all) return -1;
  return std::chrono::duration_cast<Millis>(c.sched.now() - t0).count();
}

void expectEachOnItsPreferredNodeOnly(TestCluster& c, const cib::Cib& model) {
  for (const auto& g : model.groups) {
    EXPECT_EQ(c.startedOn(g.id), std::vector<std::string>{g.preferred_node}) << g.id;
    EXPECT_TRUE(c.heldOnlyBy(g.id, g.preferred_node)) << g.id;
  }
}

/** Cold start, every group on its preferred node only; prints the benchmark line. */
void startAllAndReport(TestCluster& c, const cib::Cib& model) {
  const auto ms = coldStartAll(c, model, 30s);
  ASSERT_GE(ms, 0) << "not every group started";
  ASSERT_TRUE(c.settle()) << "no quiet after the start";
  expectEachOnItsPreferredNodeOnly(c, model);
  EXPECT_GT(c.largest_message, 0u);
  EXPECT_LE(c.largest_message, c.report_budget);
  std::printf("[ bench ] %zu groups on %zu nodes: all started %lld ms (simulated) after comms up; %zu messages, "
              "largest %zu bytes\n",
              model.groups.size(), model.nodes.size(), static_cast<long long>(ms), c.sent_messages,
              c.largest_message);
}

TEST(ExecutorScale, TwoHundredGroupsOnTwoNodesAllStartOnce) {
  const auto model = manyGroups(nodeNames(2), 200);
  TestCluster c(model);
  ASSERT_NO_FATAL_FAILURE(startAllAndReport(c, model));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorScale, SixtyGroupsOnEightNodesAllStartOnceThenFailOver) {
  const auto model = manyGroups(nodeNames(8), 60);
  TestCluster c(model);
  ASSERT_NO_FATAL_FAILURE(startAllAndReport(c, model));
  // node3 dies: its groups go elsewhere, each to exactly one node.
  c.crash("node3");
  for (const auto& n : model.nodes) {
    if (n != "node3") c.declareDead(n, "node3");
  }
  ASSERT_TRUE(c.settle()) << "no quiet after the failover";
  for (const auto& g : model.groups) EXPECT_EQ(c.startedOn(g.id).size(), 1u) << g.id;
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorScale, SmallBudgetManyChunksStillStartsEverything) {
  // A tight budget (a few groups per chunk) and a lossy, reordering wire: chunks are independent.
  const auto model = manyGroups(nodeNames(3), 40);
  TestCluster c(model, 7);
  c.report_budget = 200;
  c.wire.drop_pct = 20;
  c.wire.jitter = 50ms;
  ASSERT_NO_FATAL_FAILURE(startAllAndReport(c, model));
  EXPECT_GT(c.dropped, 0u);
  EXPECT_TRUE(c.violations.empty());
}

}  // namespace
}  // namespace hb::executor::test
