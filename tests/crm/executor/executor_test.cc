// SPDX-License-Identifier: GPL-2.0-or-later
// ResourceManager scenarios: 2 (and 3) nodes, scripted agents, a lossy wire, safety checked every ms.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/crm/executor/executor_test_cluster.h"

namespace hb::executor::test {
namespace {

using cib::AutoFailback;

const std::vector<std::string> kWeb = {"ip", "fs", "www"};
const std::vector<std::string> kDb = {"vip", "data", "pg"};

cib::Cib webCib(AutoFailback af = AutoFailback::On) {
  return makeCib({"alpha", "beta"}, {group("web", "alpha", kWeb)}, af);
}
cib::Cib twoGroups(AutoFailback af = AutoFailback::On) {
  return makeCib({"alpha", "beta"}, {group("web", "alpha", kWeb), group("db", "beta", kDb)}, af);
}

std::vector<std::string> startsOf(const std::string& node, const std::vector<std::string>& rscs) {
  std::vector<std::string> out;
  for (const auto& r : rscs) out.push_back(node + " start " + r);
  return out;
}
std::vector<std::string> stopsOf(const std::string& node, const std::vector<std::string>& rscs) {
  std::vector<std::string> out;
  for (auto it = rscs.rbegin(); it != rscs.rend(); ++it) out.push_back(node + " stop " + *it);
  return out;
}
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
/** Journal entries from index `from` on that concern one of `rscs`. */
std::vector<std::string> journalFor(const TestCluster& c, const std::vector<std::string>& rscs, std::size_t from = 0) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < c.journal.size(); ++i) {
    const auto& j = c.journal[i];
    const auto rsc = j.substr(j.rfind(' ') + 1);
    if (std::find(rscs.begin(), rscs.end(), rsc) != rscs.end()) out.push_back(j);
  }
  return out;
}
const HistoryEntry* findHistory(const std::vector<HistoryEntry>& h, const std::string& trigger,
                                const std::string& gid) {
  for (const auto& e : h) {
    if (e.trigger == trigger && e.group == gid) return &e;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// 1. Cold start, both up: the preferred node starts the group, left to right; the other does nothing.

TEST(ExecutorCluster, ColdStartBothUpStartsOnPreferredOnly) {
  TestCluster c(webCib());
  coldStart(c, {"alpha", "beta"});
  EXPECT_EQ(c.journal, startsOf("alpha", kWeb)) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_EQ(c.startedOn("web"), std::vector<std::string>{"alpha"});
  auto sb = c.status("beta", "web");
  EXPECT_EQ(sb.owner, std::optional<std::string>("alpha"));
  EXPECT_EQ(sb.local_state, "stopped");
  EXPECT_EQ(sb.status, "started");
  auto sa = c.status("alpha", "web");
  EXPECT_EQ(sa.reason, "preferred");
  ASSERT_EQ(sa.resources.size(), 3u);
  for (const auto& r : sa.resources) {
    EXPECT_EQ(r.state, "started") << r.id;
    EXPECT_EQ(r.last_rc, 0) << r.id;
  }
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorCluster, NothingStartsBeforeInitialPhaseIsOver) {
  TestCluster c(webCib());
  c.boot("alpha");
  c.boot("beta");
  c.joinAll();
  c.run(3s);
  EXPECT_TRUE(c.journal.empty()) << c.logs();
  c.commsUp("beta");
  c.run(3s);
  // alpha (preferred) is up but still in its initial phase: beta must wait, not take the group.
  EXPECT_TRUE(c.journal.empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").reason, "waiting");
  c.commsUp("alpha");
  ASSERT_TRUE(c.settle());
  EXPECT_EQ(c.journal, startsOf("alpha", kWeb));
}

// ---------------------------------------------------------------------------------------------
// 2. The preferred node never comes up: after initdead the other node starts the group.

TEST(ExecutorCluster, PreferredNodeNeverUpPeerStartsAfterInitdead) {
  TestCluster c(webCib());
  c.boot("beta");
  c.run(2s);  // initdead running: nothing yet
  EXPECT_TRUE(c.journal.empty());
  c.commsUp("beta");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.journal, startsOf("beta", kWeb));
  EXPECT_TRUE(c.heldOnlyBy("web", "beta"));
  EXPECT_EQ(c.status("beta", "web").reason, "failover");
}

// ---------------------------------------------------------------------------------------------
// 3. Failover: the holder is declared dead; the peer starts the group without any grant.

TEST(ExecutorCluster, FailoverWhenHolderDeclaredDead) {
  TestCluster c(webCib(AutoFailback::Off));
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  const auto mark = c.journal.size();
  c.crash("alpha");
  c.run(3s);  // beta has not noticed yet: it must not start anything
  EXPECT_EQ(c.journal.size(), mark) << c.logs();
  c.declareDead("beta", "alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(journalFor(c, kWeb, mark), startsOf("beta", kWeb));
  EXPECT_TRUE(c.heldOnlyBy("web", "beta"));
  EXPECT_EQ(c.status("beta", "web").reason, "failover");

  const auto hist = c.rm("beta").history();
  const HistoryEntry* h = findHistory(hist, "node alpha declared dead", "web");
  ASSERT_NE(h, nullptr) << c.logs();
  EXPECT_EQ(h->outcome, "started");
  EXPECT_NE(h->decision.find("start here"), std::string::npos) << h->decision;
  std::vector<std::string> starts;
  for (const auto& e : h->events) {
    if (e.what.rfind("start ", 0) == 0) starts.push_back(e.what);
  }
  ASSERT_EQ(starts.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(starts[i].rfind("start " + kWeb[i] + ":", 0), 0u) << starts[i];
    EXPECT_NE(starts[i].find("rc=0"), std::string::npos) << starts[i];
    EXPECT_NE(starts[i].find("in 20 ms"), std::string::npos) << starts[i];  // the scripted duration
  }
  // The timeline is relative to the trigger and monotonic; the last start ends 60 ms after it.
  for (std::size_t i = 1; i < h->events.size(); ++i) EXPECT_GE(h->events[i].at_ms, h->events[i - 1].at_ms);
  ASSERT_FALSE(h->events.empty());
  EXPECT_EQ(h->events.back().at_ms, 60);
  EXPECT_TRUE(c.violations.empty());
}

// ---------------------------------------------------------------------------------------------
// 4. hb_standby / hb_takeover, every set, from either node, auto_failback on and off.

struct MoveCase {
  std::string verb;  // standby | takeover
  std::string what;  // all | local | foreign | failback
  std::string node;  // where the command runs
  AutoFailback af;
};
void PrintTo(const MoveCase& m, std::ostream* os) {
  *os << m.verb << " " << m.what << " on " << m.node << " auto_failback " << cib::autoFailbackName(m.af);
}
std::string caseName(const testing::TestParamInfo<MoveCase>& i) {
  return i.param.verb + "_" + i.param.what + "_on_" + i.param.node +
         (i.param.af == AutoFailback::On ? "_afOn" : "_afOff");
}

class StandbyTakeover : public testing::TestWithParam<MoveCase> {};

TEST_P(StandbyTakeover, MovesExactlyTheCoveredGroupsSafely) {
  const MoveCase& mc = GetParam();
  TestCluster c(twoGroups(mc.af));
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  ASSERT_TRUE(c.heldOnlyBy("db", "beta"));
  const std::string peer = mc.node == "alpha" ? "beta" : "alpha";

  // Which node gives away which set (hb_takeover X on n == hb_standby mirror(X) on the peer).
  std::string giver = mc.node, set = mc.what == "failback" ? "foreign" : mc.what;
  if (mc.verb == "takeover") {
    giver = peer;
    set = mc.what == "local" ? "foreign" : mc.what == "foreign" ? "local" : "all";
  }
  const std::string taker = giver == "alpha" ? "beta" : "alpha";
  std::map<std::string, std::string> expected = {{"web", "alpha"}, {"db", "beta"}};
  std::vector<std::string> moving;
  for (const auto& [gid, pref] : std::map<std::string, std::string>{{"web", "alpha"}, {"db", "beta"}}) {
    const bool covered = set == "all" || (set == "local" && pref == giver) || (set == "foreign" && pref != giver);
    if (covered && expected[gid] == giver) {
      expected[gid] = taker;
      moving.push_back(gid);
    }
  }

  const auto mark = c.journal.size();
  std::optional<bool> moved;
  int calls = 0;
  auto cb = [&](bool m) {
    moved = m;
    ++calls;
  };
  auto r = mc.verb == "standby" ? c.rm(mc.node).standby(mc.what, cb) : c.rm(mc.node).takeover(mc.what, cb);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(moved, std::optional<bool>(true)) << c.logs();
  for (const auto& [gid, holder] : expected) {
    EXPECT_TRUE(c.heldOnlyBy(gid, holder)) << gid << " should be on " << holder << "\n" << c.logs();
  }
  for (const auto& gid : {std::string("web"), std::string("db")}) {
    const auto& rscs = gid == "web" ? kWeb : kDb;
    const bool moves = std::find(moving.begin(), moving.end(), gid) != moving.end();
    // The holder stops right to left before the other node starts left to right; nothing else.
    EXPECT_EQ(journalFor(c, rscs, mark),
              moves ? concat(stopsOf(giver, rscs), startsOf(taker, rscs)) : std::vector<std::string>{})
        << gid << "\n" << c.logs();
  }
  // The request is level-based: it holds for a while (no ping-pong, no failback).
  const auto after = c.journal.size();
  c.run(5s);
  EXPECT_EQ(c.journal.size(), after) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

std::vector<MoveCase> moveCases() {
  std::vector<MoveCase> out;
  for (const char* verb : {"standby", "takeover"}) {
    for (const char* what : {"all", "local", "foreign", "failback"}) {
      for (const char* node : {"alpha", "beta"}) {
        for (auto af : {AutoFailback::On, AutoFailback::Off}) out.push_back({verb, what, node, af});
      }
    }
  }
  return out;
}
INSTANTIATE_TEST_SUITE_P(Executor, StandbyTakeover, testing::ValuesIn(moveCases()), caseName);

TEST(ExecutorCluster, StandbyWithoutPeerKeepsGroupsAndReportsNotMoved) {
  TestCluster c(webCib());
  c.boot("alpha");
  c.commsUp("alpha");
  ASSERT_TRUE(c.settle());
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  std::optional<bool> moved;
  auto r = c.rm("alpha").standby("all", [&](bool m) { moved = m; });
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("no other node is up"), std::string::npos) << *r;
  ASSERT_TRUE(c.settle());
  EXPECT_EQ(moved, std::optional<bool>(false));
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
}

TEST(ExecutorCluster, StandbyAndTakeoverRefusedWithLegacyAutoFailback) {
  TestCluster c(webCib(AutoFailback::Legacy));
  coldStart(c, {"alpha", "beta"});
  EXPECT_FALSE(c.rm("alpha").standby("all").ok());
  EXPECT_FALSE(c.rm("beta").takeover("all").ok());
  EXPECT_FALSE(c.rm("alpha").standby("bogus").ok());
  c.run(2s);
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
}

// ---------------------------------------------------------------------------------------------
// 5. auto_failback: the returning preferred node gets its group back (on) or not (off).

void failAwayAndReturn(TestCluster& c) {
  coldStart(c, {"alpha", "beta"});
  c.crash("alpha");
  c.declareDead("beta", "alpha");
  ASSERT_TRUE(c.settle());
  ASSERT_TRUE(c.heldOnlyBy("web", "beta"));
  c.boot("alpha");  // a new generation
  c.joinAll();
  c.run(20ms);
  c.commsUp("alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
}

TEST(ExecutorCluster, AutoFailbackOnReturnsGroupHolderStopsFirst) {
  TestCluster c(webCib(AutoFailback::On));
  const std::size_t mark = 3;  // alpha's cold start
  failAwayAndReturn(c);
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_EQ(journalFor(c, kWeb, mark),
            concat(startsOf("beta", kWeb), concat(stopsOf("beta", kWeb), startsOf("alpha", kWeb))));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorCluster, AutoFailbackOffGroupStaysOnSurvivor) {
  TestCluster c(webCib(AutoFailback::Off));
  failAwayAndReturn(c);
  const auto mark = c.journal.size();
  c.run(5s);
  EXPECT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  EXPECT_EQ(c.journal.size(), mark);
  EXPECT_EQ(c.journalOf("alpha"), (std::vector<std::string>{"start ip", "start fs", "start www"}));  // cold start only
  EXPECT_EQ(c.status("alpha", "web").reason, "sticky");
}

// ---------------------------------------------------------------------------------------------
// 6. Lost, duplicated and reordered messages: still one holder; the hand-over completes once the
//    loss stops (the periodic reports heal it).

TEST(ExecutorCluster, StaleGrantFromBeforeARestartIsNotHonoured) {
  // beta's early reports grant alpha's first claim. Seconds later, after beta took the group and
  // alpha's hbd restarted (its claim counter starts again), copies of those old reports arrive.
  // They must not let the new alpha start while beta still holds the group.
  TestCluster c(webCib(AutoFailback::On));
  c.capture_from = "beta";
  coldStart(c, {"alpha", "beta"});
  c.capture_from.clear();
  ASSERT_TRUE(c.rm("alpha").standby("local").ok());
  ASSERT_TRUE(c.settle());
  ASSERT_TRUE(c.heldOnlyBy("web", "beta"));
  c.restartDaemon("alpha");  // the standby request is gone with it: alpha wants web back
  c.join("alpha", "beta");
  c.run(20ms);
  c.commsUp("alpha");
  ASSERT_TRUE(c.runUntil([&] { return c.localState("beta", "web") == "stopping"; }, 5s)) << c.logs();
  c.replayCaptured();  // stale duplicates, out of order
  c.run(1ms);
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorCluster, TotalLossDelaysHandOverWhichCompletesAfterHeal) {
  TestCluster c(webCib());
  coldStart(c, {"alpha", "beta"});
  const auto mark = c.journal.size();
  c.wire.drop_all = true;
  ASSERT_TRUE(c.rm("alpha").standby("local").ok());
  c.run(5s);
  // alpha stopped (it believes beta can take it), but beta never heard: it must not start.
  EXPECT_EQ(journalFor(c, kWeb, mark), stopsOf("alpha", kWeb)) << c.logs();
  EXPECT_TRUE(c.activeNowhere("web"));
  c.wire.drop_all = false;
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  EXPECT_EQ(journalFor(c, kWeb, mark), concat(stopsOf("alpha", kWeb), startsOf("beta", kWeb)));
  EXPECT_TRUE(c.violations.empty());
}

class LossyWire : public testing::TestWithParam<std::uint32_t> {};

TEST_P(LossyWire, SeededLossDuplicationReorderKeepOneHolder) {
  const std::uint32_t seed = GetParam();
  TestCluster c(twoGroups(AutoFailback::On), seed);
  c.wire.drop_pct = 30 + static_cast<int>(seed % 21);  // 30..50 %
  c.wire.dup_pct = 30;
  c.wire.jitter = 150ms;  // reorders reports (interval 200 ms)
  // Cold start, a standby round trip and a takeover, all under loss.
  for (const auto& n : {"alpha", "beta"}) c.boot(n);
  c.joinAll();
  c.run(20ms);
  c.commsUpAll();
  c.run(4s);
  ASSERT_TRUE(c.rm("alpha").standby("all").ok());
  c.run(4s);
  ASSERT_TRUE(c.rm("alpha").takeover("local").ok());
  c.run(4s);
  ASSERT_TRUE(c.rm("beta").standby("all").ok());
  c.run(4s);
  EXPECT_GT(c.dropped, 0u);
  // Heal: whatever state we are in, it converges to exactly one holder per group.
  c.wire = WireKnobs{};
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("db", "alpha")) << c.logs();
  EXPECT_EQ(c.startedOn("web"), std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.startedOn("db"), std::vector<std::string>{"alpha"});
  EXPECT_TRUE(c.violations.empty());
}
INSTANTIATE_TEST_SUITE_P(Executor, LossyWire, testing::Values(1u, 2u, 3u, 7u, 11u, 42u, 1234u, 99991u));

// ---------------------------------------------------------------------------------------------
// 7. Both nodes deciding at once.

TEST(ExecutorCluster, BothStandbyAllAtOnceNeverBothStarted) {
  for (std::uint32_t seed : {1u, 5u, 9u}) {
    SCOPED_TRACE(seed);
    TestCluster c(twoGroups(AutoFailback::On), seed);
    coldStart(c, {"alpha", "beta"});
    c.wire.delay = 30ms;  // each acts before it hears the other's request
    c.wire.jitter = 50ms;
    ASSERT_TRUE(c.rm("alpha").standby("all").ok());
    ASSERT_TRUE(c.rm("beta").standby("all").ok());
    ASSERT_TRUE(c.settle()) << c.logs();
    // Both in standby: nobody better can run them, so each group runs on exactly one node.
    for (const auto& gid : {"web", "db"}) {
      int holders = 0;
      for (const auto& n : {"alpha", "beta"}) holders += c.heldOnlyBy(gid, n) ? 1 : 0;
      EXPECT_EQ(holders, 1) << gid << "\n" << c.logs();
    }
    EXPECT_TRUE(c.violations.empty());
  }
}

TEST(ExecutorCluster, StandbyThenQuickTakeoverRacesPeerClaim) {
  // alpha gives the group away and takes it back while beta is claiming it on stale reports:
  // both want it at once; exactly one may start it.
  for (int offset_ms = 0; offset_ms <= 120; offset_ms += 8) {
    SCOPED_TRACE(offset_ms);
    TestCluster c(webCib(AutoFailback::On), static_cast<std::uint32_t>(offset_ms));
    coldStart(c, {"alpha", "beta"});
    c.wire.delay = 30ms;
    c.wire.jitter = 20ms;
    ASSERT_TRUE(c.rm("alpha").standby("local").ok());
    ASSERT_TRUE(c.runUntil([&] { return c.localState("alpha", "web") == "stopped"; }, 2s));
    c.run(Millis(offset_ms));
    ASSERT_TRUE(c.rm("alpha").takeover("local").ok());
    ASSERT_TRUE(c.settle()) << c.logs();
    int holders = 0;
    for (const auto& n : {"alpha", "beta"}) holders += c.heldOnlyBy("web", n) ? 1 : 0;
    EXPECT_EQ(holders, 1) << c.logs();
    EXPECT_TRUE(c.violations.empty());
  }
}

TEST(ExecutorCluster, SimultaneousColdStartWithSlowWireStartsOnce) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    TestCluster c(webCib(AutoFailback::Off), seed);
    c.wire.delay = 100ms;
    c.wire.jitter = 300ms;
    c.wire.dup_pct = 50;
    coldStart(c, {"alpha", "beta"});
    EXPECT_TRUE(c.heldOnlyBy("web", "alpha")) << c.logs();
    EXPECT_EQ(c.journal, startsOf("alpha", kWeb));
  }
}

TEST(ExecutorCluster, ThreeNodesSimultaneousStartThenFailoverHasOneTaker) {
  for (std::uint32_t seed : {1u, 4u, 8u, 16u}) {
    SCOPED_TRACE(seed);
    auto cib = makeCib({"alpha", "beta", "gamma"},
                       {group("web", "alpha", kWeb), group("db", "beta", kDb), group("mail", "gamma", {"smtp"})},
                       AutoFailback::Off);
    TestCluster c(cib, seed);
    c.wire.jitter = 80ms;
    c.wire.dup_pct = 20;
    coldStart(c, {"alpha", "beta", "gamma"});
    EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
    EXPECT_TRUE(c.heldOnlyBy("db", "beta"));
    EXPECT_TRUE(c.heldOnlyBy("mail", "gamma"));
    const auto mark = c.journal.size();
    c.crash("alpha");
    // beta and gamma notice at slightly different times; both want the group, one gets it.
    c.declareDead("gamma", "alpha");
    c.run(3ms);
    c.declareDead("beta", "alpha");
    ASSERT_TRUE(c.settle()) << c.logs();
    EXPECT_EQ(journalFor(c, kWeb, mark), startsOf("beta", kWeb)) << c.logs();
    EXPECT_TRUE(c.heldOnlyBy("web", "beta"));
    for (const auto& n : {"beta", "gamma"}) {
      EXPECT_EQ(c.status(n, "web").owner, std::optional<std::string>("beta")) << n;
    }
    EXPECT_TRUE(c.violations.empty());
  }
}

TEST(ExecutorCluster, ThreeNodesLossyStandbyAndFailoverKeepOneHolder) {
  for (std::uint32_t seed : {3u, 17u, 29u}) {
    SCOPED_TRACE(seed);
    auto cib = makeCib({"alpha", "beta", "gamma"}, {group("web", "alpha", kWeb)}, AutoFailback::On);
    TestCluster c(cib, seed);
    coldStart(c, {"alpha", "beta", "gamma"});
    ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
    c.wire.drop_pct = 40;
    c.wire.dup_pct = 20;
    c.wire.jitter = 100ms;
    ASSERT_TRUE(c.rm("alpha").standby("all").ok());
    c.run(4s);
    c.crash("beta");  // wherever the group is now
    c.declareDead("gamma", "beta");
    c.run(2ms);
    c.declareDead("alpha", "beta");
    c.run(4s);
    c.wire = WireKnobs{};
    ASSERT_TRUE(c.settle()) << c.logs();
    // alpha is in standby and gamma can run it: gamma, and only gamma, holds it.
    EXPECT_TRUE(c.heldOnlyBy("web", "gamma")) << c.logs();
    EXPECT_EQ(c.startedOn("web"), std::vector<std::string>{"gamma"});
    EXPECT_TRUE(c.violations.empty());
  }
}

// ---------------------------------------------------------------------------------------------
// 8. A node restarting in the middle of a hand-over ends with the group on exactly one node.

enum class Restart { TakerBeforeStart, TakerWhileStarting, HolderWhileStopping };
std::string restartName(const testing::TestParamInfo<Restart>& i) {
  switch (i.param) {
    case Restart::TakerBeforeStart: return "TakerBeforeStart";
    case Restart::TakerWhileStarting: return "TakerWhileStarting";
    case Restart::HolderWhileStopping: return "HolderWhileStopping";
  }
  return "?";
}

class RestartMidHandOver : public testing::TestWithParam<Restart> {};

TEST_P(RestartMidHandOver, EndsOnExactlyOneNode) {
  TestCluster c(webCib(AutoFailback::On));
  coldStart(c, {"alpha", "beta"});
  c.script("alpha", "fs", "stop", Behaviour{0, 300ms});   // a slow stop: time to restart beta
  c.script("beta", "fs", "start", Behaviour{0, 300ms});  // a slow start
  const auto mark = c.journal.size();
  ASSERT_TRUE(c.rm("alpha").standby("local").ok());
  std::string restarted;
  switch (GetParam()) {
    case Restart::TakerBeforeStart:
      ASSERT_TRUE(c.runUntil([&] { return c.localState("alpha", "web") == "stopping"; }, 2s));
      c.run(100ms);
      restarted = "beta";
      break;
    case Restart::TakerWhileStarting:
      ASSERT_TRUE(c.runUntil([&] { return c.localState("beta", "web") == "starting"; }, 5s)) << c.logs();
      c.run(100ms);  // ip started, fs starting
      restarted = "beta";
      break;
    case Restart::HolderWhileStopping:
      ASSERT_TRUE(c.runUntil([&] { return c.localState("alpha", "web") == "stopping"; }, 2s));
      c.run(100ms);  // www stopped, fs stopping
      restarted = "alpha";
      break;
  }
  const std::string other = restarted == "alpha" ? "beta" : "alpha";
  c.restartDaemon(restarted);  // hbd restarts; the machine and its resources stay
  c.hears(other, restarted);   // membership: same node, new generation
  c.hears(restarted, other);
  c.run(20ms);
  c.commsUp(restarted);
  ASSERT_TRUE(c.settle()) << c.logs();
  int holders = 0;
  std::string holder;
  for (const auto& n : {"alpha", "beta"}) {
    if (c.heldOnlyBy("web", n)) {
      ++holders;
      holder = n;
    }
  }
  ASSERT_EQ(holders, 1) << c.logs();
  EXPECT_EQ(c.startedOn("web"), std::vector<std::string>{holder});
  for (const auto& n : {"alpha", "beta"}) EXPECT_EQ(c.status(n, "web").owner, std::optional<std::string>(holder));
  (void)mark;
  EXPECT_TRUE(c.violations.empty());
}
INSTANTIATE_TEST_SUITE_P(Executor, RestartMidHandOver,
                         testing::Values(Restart::TakerBeforeStart, Restart::TakerWhileStarting,
                                         Restart::HolderWhileStopping),
                         restartName);

// ---------------------------------------------------------------------------------------------
// 9. Start failures.

TEST(ExecutorCluster, StartFailureStopsRightToLeftAndMovesOnce) {
  TestCluster c(webCib(AutoFailback::On));
  c.script("alpha", "fs", "start", Behaviour{1, 20ms});
  coldStart(c, {"alpha", "beta"});
  EXPECT_EQ(c.journalOf("alpha"), (std::vector<std::string>{"start ip", "start fs", "stop fs", "stop ip"}))
      << c.logs();
  EXPECT_EQ(c.journalOf("beta"), (std::vector<std::string>{"start ip", "start fs", "start www"}));
  // Global order: alpha released the group before beta started it.
  EXPECT_EQ(c.journal, concat(concat({"alpha start ip", "alpha start fs"}, stopsOf("alpha", {"ip", "fs"})),
                              startsOf("beta", kWeb)));
  EXPECT_TRUE(c.heldOnlyBy("web", "beta"));
  auto st = c.status("beta", "web");
  EXPECT_EQ(st.failed_on, std::vector<std::string>{"alpha"});
  EXPECT_EQ(c.status("alpha", "web").reason, "failed-start");
  // No failback to the node where it failed, even with auto_failback on.
  c.run(5s);
  EXPECT_EQ(c.journal.size(), 7u);
  const auto hist = c.rm("alpha").history();
  ASSERT_FALSE(hist.empty());
  EXPECT_EQ(hist.front().outcome, "failed-start");
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorCluster, NodeWhereStartFailedTakesOverWhenTheHolderDies) {
  TestCluster c(webCib(AutoFailback::On));
  c.script("alpha", "fs", "start", Behaviour{1, 20ms});
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  c.script("alpha", "fs", "start", Behaviour{0, 20ms});  // the cause was fixed meanwhile
  const auto mark = c.journal.size();
  c.crash("beta");
  c.declareDead("alpha", "beta");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(journalFor(c, kWeb, mark), startsOf("alpha", kWeb));
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_TRUE(c.violations.empty());
}

TEST(ExecutorCluster, StartFailureOnBothNodesLeavesGroupStoppedAndFailed) {
  TestCluster c(webCib(AutoFailback::On));
  c.script("*", "www", "start", Behaviour{1, 20ms});
  coldStart(c, {"alpha", "beta"});
  EXPECT_TRUE(c.activeNowhere("web")) << c.logs();
  EXPECT_EQ(c.countJournal("alpha start ip"), 1u);
  EXPECT_EQ(c.countJournal("beta start ip"), 1u);
  EXPECT_EQ(c.journalOf("beta"), (std::vector<std::string>{"start ip", "start fs", "start www", "stop www",
                                                            "stop fs", "stop ip"}));
  for (const auto& n : {"alpha", "beta"}) {
    auto st = c.status(n, "web");
    EXPECT_EQ(st.status, "failed") << n;
    EXPECT_EQ(st.owner, std::nullopt) << n;
    EXPECT_EQ(st.failed_on.size(), 2u) << n;
  }
  c.run(5s);
  EXPECT_EQ(c.journal.size(), 12u);
}

TEST(ExecutorCluster, HungStartTimesOutAndCountsAsFailure) {
  TestCluster c(webCib(AutoFailback::On));
  c.script("alpha", "www", "start", Behaviour{0, 0ms, /*hang=*/true});
  coldStart(c, {"alpha", "beta"});
  EXPECT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  EXPECT_EQ(c.journalOf("alpha"),
            (std::vector<std::string>{"start ip", "start fs", "start www", "stop www", "stop fs", "stop ip"}));
}

// ---------------------------------------------------------------------------------------------
// 10. Stop failure: unmanaged; the peer never starts it, while the holder lives and after it died
//     (see ResourceManager::nodeDead and executor_safety_test.cc).

TEST(ExecutorCluster, StopFailureMakesGroupUnmanagedAndPeerNeverStartsIt) {
  TestCluster c(webCib(AutoFailback::On));
  coldStart(c, {"alpha", "beta"});
  c.script("alpha", "fs", "stop", Behaviour{1, 10ms});
  const auto mark = c.journal.size();
  std::optional<bool> moved;
  ASSERT_TRUE(c.rm("alpha").standby("all", [&](bool m) { moved = m; }).ok());
  ASSERT_TRUE(c.settle()) << c.logs();
  // www stopped, fs tried 1 + stop_retries times; ip never stopped (left of the failure).
  EXPECT_EQ(journalFor(c, kWeb, mark),
            (std::vector<std::string>{"alpha stop www", "alpha stop fs", "alpha stop fs", "alpha stop fs"}));
  EXPECT_EQ(c.localState("alpha", "web"), "failed-stop");
  for (const auto& n : {"alpha", "beta"}) {
    auto st = c.status(n, "web");
    EXPECT_EQ(st.status, "unmanaged") << n;
    EXPECT_EQ(st.owner, std::optional<std::string>("alpha")) << n;
  }
  EXPECT_EQ(moved, std::optional<bool>(false));
  EXPECT_EQ(c.rm("alpha").history().back().outcome, "unmanaged");
  // Lifting the standby, a takeover on beta, a restart of beta's hbd: beta never starts it.
  ASSERT_TRUE(c.rm("beta").takeover("all").ok());
  c.run(5s);
  c.restartDaemon("beta");
  c.joinAll();
  c.run(20ms);
  c.commsUp("beta");
  c.run(5s);
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.localState("alpha", "web"), "failed-stop");

  // The holder is declared dead: without fencing its failed stop still pins the group (what failed
  // to stop may still run there) until an operator runs cleanup (executor_safety_test.cc).
  c.crash("alpha");
  c.declareDead("beta", "alpha");
  c.run(5s);
  EXPECT_TRUE(c.journalOf("beta").empty()) << c.logs();
  EXPECT_EQ(c.status("beta", "web").status, "unmanaged");
  EXPECT_TRUE(c.violations.empty());
}

// ---------------------------------------------------------------------------------------------
// 11. shutdown(): every local group stopped right to left, then done() once; the peer takes over.

TEST(ExecutorCluster, ShutdownStopsEverythingThenPeerTakesOver) {
  TestCluster c(twoGroups(AutoFailback::On));
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.rm("alpha").takeover("foreign").ok());  // alpha holds both groups
  ASSERT_TRUE(c.settle());
  ASSERT_TRUE(c.heldOnlyBy("db", "alpha"));
  const auto mark = c.journal.size();
  int done = 0;
  c.rm("alpha").shutdown([&] { ++done; });
  ASSERT_TRUE(c.runUntil([&] { return done > 0; }, 10s)) << c.logs();
  EXPECT_TRUE(c.activeOn("alpha").empty());
  EXPECT_EQ(journalFor(c, kWeb, mark), stopsOf("alpha", kWeb));
  EXPECT_EQ(journalFor(c, kDb, mark), stopsOf("alpha", kDb));
  // The daemon exits and tells the peer (T_SHUTDONE): the peer takes over at once.
  c.run(1s);
  EXPECT_EQ(done, 1);
  c.crash("alpha");
  c.declareDead("beta", "alpha", "shut down");
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "beta"));
  EXPECT_TRUE(c.heldOnlyBy("db", "beta"));
  EXPECT_EQ(journalFor(c, kWeb, mark), concat(stopsOf("alpha", kWeb), startsOf("beta", kWeb)));
  EXPECT_NE(findHistory(c.rm("beta").history(), "node alpha shut down", "web"), nullptr);
  EXPECT_TRUE(c.violations.empty());
}

// The shutdown notice overtakes alpha's last report (hbd sends one between "All HA resources
// relinquished" and its exit; a second link or a retransmission can deliver it after the notice).
// The report must not bring alpha back to life in beta's resource manager: beta, put in standby by
// alpha's hb_takeover, would hand both groups "over to alpha" and nobody would ever start them
// (cluster_groups_standby, CI). Membership alone says who is up.
TEST(ExecutorCluster, ReportArrivingAfterShutdownNoticeDoesNotResurrectThePeer) {
  TestCluster c(twoGroups(AutoFailback::On));
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.rm("alpha").takeover("all").ok());  // beta goes standby all
  ASSERT_TRUE(c.settle());
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  ASSERT_TRUE(c.heldOnlyBy("db", "alpha"));
  int done = 0;
  c.capture_from = "alpha";
  c.rm("alpha").shutdown([&] { ++done; });
  ASSERT_TRUE(c.runUntil([&] { return done > 0; }, 10s)) << c.logs();
  c.run(1s);
  c.capture_from.clear();
  c.crash("alpha");
  c.declareDead("beta", "alpha", "shut down");
  c.membership_filter = false;  // the resource manager alone must not take the report as a sign of life
  c.replayCaptured();
  c.membership_filter = true;
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "beta")) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("db", "beta")) << c.logs();
  EXPECT_TRUE(c.violations.empty());
}

// hbd alone dies on the holder (no fencing): the peer starts the group too. hbd comes back, its
// probes find the group running, one copy is stopped. The node that keeps it must announce its
// address again (a start of the IPaddr agent sends gratuitous ARP), or clients keep the MAC of the
// node that let go; the announcement comes only once the other copy is stopped. Whether the
// keeper learns of the other copy by a report it saw change or only by the first report it gets
// (membership delivers nothing from a node before its first heartbeat): both ways
// (cluster_groups_crash).
TEST(ExecutorCluster, KeeperAnnouncesItsAddressAgainOnceTheOtherCopyIsStopped) {
  cib::Primitive ip = prim("ip");
  ip.type = "IPaddr";
  ip.params.push_back({"ip", "10.0.0.5/24"});
  cib::Group web = group("web", "alpha", {"www"});
  web.primitives.insert(web.primitives.begin(), ip);
  TestCluster c(makeCib({"alpha", "beta"}, {web}, AutoFailback::On));
  coldStart(c, {"alpha", "beta"});
  ASSERT_TRUE(c.heldOnlyBy("web", "alpha"));
  c.killDaemon("alpha");
  c.declareDead("beta", "alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
  ASSERT_EQ(c.startedOn("web"), std::vector<std::string>{"beta"});
  const auto mark = c.journal.size();
  c.boot("alpha");
  c.hears("beta", "alpha");
  c.run(30ms);  // alpha hears beta later than beta hears alpha: beta's first reports are lost
  c.hears("alpha", "beta");
  c.run(20ms);
  c.commsUp("alpha");
  ASSERT_TRUE(c.settle()) << c.logs();
  std::string keeper, loser;
  for (const std::string n : {"alpha", "beta"}) (c.heldOnlyBy("web", n) ? keeper : loser) = n;
  ASSERT_FALSE(keeper.empty()) << c.logs();
  const auto j = journalFor(c, {"ip"}, mark);
  const auto stop = std::find(j.begin(), j.end(), loser + " stop ip");
  ASSERT_NE(stop, j.end()) << c.logs();
  EXPECT_NE(std::find(stop, j.end(), keeper + " start ip"), j.end()) << "no re-announcement\n" << c.logs();
  EXPECT_EQ(std::count(j.begin(), j.end(), keeper + " start ip"), 1) << c.logs();
}

TEST(ExecutorCluster, ShutdownWithNothingHeldCallsDoneOnce) {
  TestCluster c(webCib());
  coldStart(c, {"alpha", "beta"});
  int done = 0;
  c.rm("beta").shutdown([&] { ++done; });
  c.run(2s);
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
}

// ---------------------------------------------------------------------------------------------
// 12. cl_status rscstatus: none / local / foreign / all / transition.

TEST(ExecutorCluster, RscstatusWords) {
  TestCluster c(twoGroups(AutoFailback::Off));
  c.boot("alpha");
  c.boot("beta");
  EXPECT_EQ(c.rm("alpha").rscstatus(), "none");
  c.joinAll();
  c.run(20ms);
  c.commsUpAll();
  ASSERT_TRUE(c.runUntil([&] { return c.rm("alpha").rscstatus() == "transition"; }, 2s));
  ASSERT_TRUE(c.settle());
  EXPECT_EQ(c.rm("alpha").rscstatus(), "local");
  EXPECT_EQ(c.rm("beta").rscstatus(), "local");

  ASSERT_TRUE(c.rm("alpha").takeover("foreign").ok());  // beta gives db to alpha
  ASSERT_TRUE(c.settle());
  EXPECT_EQ(c.rm("alpha").rscstatus(), "all");
  EXPECT_EQ(c.rm("beta").rscstatus(), "none");

  ASSERT_TRUE(c.rm("alpha").standby("local").ok());  // web to beta; db stays (sticky, off)
  ASSERT_TRUE(c.runUntil([&] { return c.rm("alpha").rscstatus() == "transition"; }, 2s));
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.rm("alpha").rscstatus(), "foreign") << c.logs();
  EXPECT_EQ(c.rm("beta").rscstatus(), "foreign") << c.logs();
}

TEST(ExecutorCluster, ShutdownDuringStartWaitsThenStopsRightToLeft) {
  TestCluster c(webCib());
  c.boot("alpha");
  c.boot("beta");
  c.joinAll();
  c.run(20ms);
  c.commsUpAll();
  ASSERT_TRUE(c.runUntil([&] { return c.countJournal("alpha start fs") == 1; }, 5s));
  int done = 0;
  c.rm("alpha").shutdown([&] { ++done; });
  ASSERT_TRUE(c.runUntil([&] { return done > 0; }, 10s)) << c.logs();
  c.run(1s);
  EXPECT_EQ(done, 1);
  // The running start finishes (www included), then the group is released right to left.
  EXPECT_EQ(c.journal, concat(startsOf("alpha", kWeb), stopsOf("alpha", kWeb))) << c.logs();
  EXPECT_TRUE(c.activeNowhere("web"));
}

// ---------------------------------------------------------------------------------------------
// The checker itself: a split brain (each side declares the other dead) starts the group on both
// sides, which is allowed while they cannot see each other and flagged once they both do; the
// executor then keeps one holder.

TEST(ExecutorCluster, CheckerFlagsSplitBrainAndExecutorResolvesIt) {
  TestCluster c(webCib(AutoFailback::Off));
  coldStart(c, {"alpha", "beta"});
  c.fail_on_violation = false;
  c.wire.drop_all = true;
  c.declareDead("beta", "alpha");
  c.declareDead("alpha", "beta");
  ASSERT_TRUE(c.settle());
  EXPECT_EQ(c.startedOn("web"), (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_TRUE(c.violations.empty());  // not a violation: neither sees the other
  c.wire.drop_all = false;
  c.joinAll();
  EXPECT_FALSE(c.violations.empty());  // both started, both alive: the checker must see it
  ASSERT_TRUE(c.settle()) << c.logs();
  EXPECT_EQ(c.startedOn("web"), std::vector<std::string>{"alpha"}) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  c.violations.clear();
  c.run(3s);
  EXPECT_TRUE(c.violations.empty());
}

// ---------------------------------------------------------------------------------------------
// Probes: something already running where it must not run is stopped before the peer starts it.

TEST(ExecutorCluster, ProbeFindsGroupRunningOnWrongNodeAndStopsIt) {
  TestCluster c(webCib(AutoFailback::On));
  c.preActive("beta", "ip");
  coldStart(c, {"alpha", "beta"});
  EXPECT_EQ(c.journal, concat(stopsOf("beta", kWeb), startsOf("alpha", kWeb))) << c.logs();
  EXPECT_TRUE(c.heldOnlyBy("web", "alpha"));
  EXPECT_TRUE(c.violations.empty());
}

}  // namespace
}  // namespace hb::executor::test
