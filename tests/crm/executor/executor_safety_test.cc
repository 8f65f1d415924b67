// SPDX-License-Identifier: GPL-2.0-or-later
// Never on both, without a partition (issue 11): a restarted hbd takes part in hand-overs only once
// its probes are done, a failed or hung probe means "may be running here", and a group whose stop
// failed stays blocked everywhere (shutdown, restarts of either node, death of its holder) until
// an operator cleans it up.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/crm/executor/executor_test_cluster.h"

namespace hb::executor::test {
namespace {

using cib::AutoFailback;

const std::vector<std::string> kWeb = {"ip", "fs", "www"};

/** web (ip, fs, www) preferred on beta, but held by alpha: alpha ran alone first, and with
 *  auto_failback off it stays there when beta joins. */
void webHeldByAlphaPreferredBeta(TestCluster& c) {
  c.boot("alpha");
  c.commsUp("alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  c.boot("beta");
  c.joinAll();
  c.run(20ms);
  c.commsUp("beta");
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  ASSERT_TRUE(c.journalOf("beta").empty()) << c.logs();
}

cib::Cib preferredBetaCib() {
  return makeCib({"alpha", "beta"}, {group("web", "beta", kWeb)}, AutoFailback::Off);
}
cib::Cib preferredAlphaCib() {
  return makeCib({"alpha", "beta"}, {group("web", "alpha", kWeb)}, AutoFailback::On);
}

std::vector<std::string> stops(const std::vector<std::string>& rscs) {
  return {rscs.rbegin(), rscs.rend()};
}
std::vector<std::string> prefixed(const std::string& what, const std::vector<std::string>& rscs) {
  std::vector<std::string> out;
  for (const auto& r : rscs) out.push_back(what + " " + r);
  return out;
}
std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// --- item 1: probes before hand-overs ----------------------------------------------------------

// hbd on the holder is restarted while its resources keep running; its probes take 3 s. Before
// the fix it reported web "stopped" meanwhile and granted beta's claim: beta started web while it
// still ran on alpha.
TEST(ExecutorSafety, RestartedHolderWithSlowProbeNeverLetsThePeerStart) {
  TestCluster c(preferredBetaCib());
  webHeldByAlphaPreferredBeta(c);
  for (const auto& r : kWeb) c.script("alpha", r, "monitor", Behaviour{0, 3000ms, false, 1});
  c.restartDaemon("alpha");
  c.joinAll();
  c.run(20ms);
  c.commsUp("alpha");
  c.run(1500ms);  // probe still running
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.localState("alpha", "web"), "unknown");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

// A probe that fails (rc 1) or hangs past its timeout: the resource may be running here. The
// group is stopped right to left (Pacemaker's rule) before any node starts it.
class FailedProbe : public testing::TestWithParam<bool /*hang*/> {};

TEST_P(FailedProbe, MeansMayBeRunningStopItFirst) {
  TestCluster c(preferredAlphaCib());
  c.agent_timeout = 2000ms;
  const bool hang = GetParam();
  c.script("beta", "fs", "monitor", Behaviour{1, 5ms, hang, 1});
  coldStart(c, {"alpha", "beta"});
  EXPECT_EQ(c.journal, cat(prefixed("beta stop", stops(kWeb)), prefixed("alpha start", kWeb))) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_TRUE(c.violations.empty());
}
INSTANTIATE_TEST_SUITE_P(Executor, FailedProbe, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& i) { return i.param ? "Hung" : "Failed"; });

// The stop after a failed probe fails too: unmanaged, never started anywhere.
TEST(ExecutorSafety, FailedProbeWhoseStopFailsBlocksTheGroup) {
  TestCluster c(preferredAlphaCib());
  c.script("beta", "fs", "monitor", Behaviour{1, 5ms, false, 1});
  c.script("beta", "fs", "stop", Behaviour{1, 5ms});
  coldStart(c, {"alpha", "beta"});
  EXPECT_TRUE(c.journalOf("alpha").empty()) << c.logs();
  EXPECT_EQ(c.localState("beta", "web"), "failed-stop");
  EXPECT_EQ(c.status("alpha", "web").status, "unmanaged");
  EXPECT_TRUE(c.violations.empty());
}

// --- item 2: a failed stop blocks the group everywhere until cleanup ---------------------------

/** alpha holds web; its stop of fs fails (for good); alpha is asked to give web away. */
void failedStopOnAlpha(TestCluster& c) {
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  c.script("alpha", "fs", "stop", Behaviour{1, 10ms});
  ASSERT_TRUE(c.rm("alpha").standby("all").ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_EQ(c.localState("alpha", "web"), "failed-stop");
  ASSERT_EQ(c.rm("alpha").unmanaged(), std::vector<std::string>{"web"});
}

TEST(ExecutorSafety, HolderDeathAfterFailedStopKeepsTheGroupBlocked) {
  TestCluster c(preferredAlphaCib());
  failedStopOnAlpha(c);
  c.crash("alpha");  // its fs may still run: nobody stopped it
  c.declareDead("beta", "alpha");
  c.run(5s);
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").status, "unmanaged");
  EXPECT_EQ(c.status("beta", "web").owner, std::optional<std::string>("alpha"));
  // beta's hbd restarts while alpha is still gone: it remembers (state dir).
  c.restartDaemon("beta");
  c.run(20ms);
  c.commsUp("beta");
  c.run(5s);
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").status, "unmanaged");
  // The operator has made sure alpha runs nothing: cleanup frees the group.
  auto r = c.rm("beta").cleanup("fs");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journalOf("beta"), prefixed("start", kWeb)) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorSafety, ShutdownAfterFailedStopNeverAnnouncesTheGroupFree) {
  TestCluster c(preferredAlphaCib());
  failedStopOnAlpha(c);
  int done = 0;
  c.rm("alpha").shutdown([&] { ++done; });
  ASSERT_TRUE(c.runUntil([&] { return done > 0; }, 10s)) << c.logs();
  EXPECT_EQ(c.rm("alpha").unmanaged(), std::vector<std::string>{"web"});
  c.killDaemon("alpha");  // hbd exits; what failed to stop keeps running
  c.declareDead("beta", "alpha", "shut down");
  c.run(5s);
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").status, "unmanaged");
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorSafety, HolderRestartAfterFailedStopStaysBlockedUntilCleanup) {
  TestCluster c(preferredAlphaCib());
  failedStopOnAlpha(c);
  c.restartDaemon("alpha");  // resources as they were: ip and fs still run
  c.joinAll();
  c.run(20ms);
  c.commsUp("alpha");
  c.run(5s);
  EXPECT_EQ(c.localState("alpha", "web"), "failed-stop") << c.logs();
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").status, "unmanaged");
  // Fixed by the operator: the stop works again. Cleanup on the peer re-probes on alpha, which
  // finds ip and fs running; alpha is in standby, so it stops them and beta takes over.
  c.script("alpha", "fs", "stop", Behaviour{0, 10ms});
  const auto mark = c.journal.size();
  ASSERT_TRUE(c.rm("beta").cleanup("web").ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "beta") || c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_TRUE(c.rm("alpha").unmanaged().empty());
  EXPECT_TRUE(c.state_dir["alpha"].empty());
  EXPECT_TRUE(c.state_dir["beta"].empty());
  (void)mark;
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorSafety, CleanupOfAnUnknownNameIsAnError) {
  TestCluster c(preferredAlphaCib());
  c.boot("alpha");
  auto r = c.rm("alpha").cleanup("nosuch");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no resource or group named 'nosuch'");
}

}  // namespace
}  // namespace hb::executor::test
