// SPDX-License-Identifier: GPL-2.0-or-later
// AgentRunner with FakeScheduler + FakeProcessLauncher: environment, argv, timeouts, output, meta-data.
#include <signal.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <set>

#include <gtest/gtest.h>

#include "resources/agents/agents.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/resources/agents/agent_test_util.h"
#include "tests/resources/agents/fake_process_launcher.h"

namespace hb::resources {
namespace {

using std::chrono::milliseconds;
using test::FakeProcessLauncher;

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest() : launcher(sched) {
    tree.ocfAgent("Thing", "#!/bin/sh\nexit 0\n");
    tree.write("init.d/svc", "#!/bin/sh\nexit 0\n");
    tree.write("ha.d/resource.d/hbscript", "#!/bin/sh\nexit 0\n");
    opts.paths = tree.paths();
    opts.killGrace = milliseconds(2000);
    opts.nodeName = "node1";
    runner = std::make_unique<AgentRunner>(sched, io, log, opts, &launcher);
  }

  ActionRequest ocf(std::string action, std::map<std::string, std::string> params = {{"ip", "10.0.0.5"}}) {
    ActionRequest r;
    r.resource = "vip";
    r.spec = AgentSpec{AgentClass::Ocf, "test", "Thing"};
    r.action = std::move(action);
    r.params = std::move(params);
    return r;
  }

  // Runs `req`; returns the id and stores the result when done.
  std::uint64_t start(ActionRequest req) {
    auto id = runner->run(std::move(req), [this](const ActionResult& r) { results.push_back(r); });
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? *id : 0;
  }

  FakeProcessLauncher::Child& last() { return *launcher.children.back(); }

  test::AgentTree tree;
  hb::test::FakeScheduler sched;
  hb::test::MemoryLogSink log;
  boost::asio::io_context io;
  FakeProcessLauncher launcher;
  AgentRunnerOptions opts;
  std::unique_ptr<AgentRunner> runner;
  std::vector<ActionResult> results;
};

TEST_F(RunnerTest, OcfEnvironmentIsExactlyAsSpecified) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto req = ocf("monitor", {{"ip", "10.0.0.5"}, {"state", "/tmp/x y"}});
  req.timeout = milliseconds(1500);
  req.interval = milliseconds(10000);
  start(req);
  ASSERT_EQ(launcher.children.size(), 1u);
  auto& c = last();
  EXPECT_EQ(c.spec.path, tree.root() + "/ocf/resource.d/test/Thing");
  EXPECT_EQ(c.args(), std::vector<std::string>{"monitor"});
  std::set<std::string> env(c.spec.env.begin(), c.spec.env.end());
  std::set<std::string> want = {
      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      "LANG=C",
      "OCF_ROOT=" + tree.root() + "/ocf",
      "OCF_RA_VERSION_MAJOR=1",
      "OCF_RA_VERSION_MINOR=1",
      "OCF_RESOURCE_INSTANCE=vip",
      "OCF_RESOURCE_TYPE=Thing",
      "OCF_RESOURCE_PROVIDER=test",
      "OCF_RESKEY_ip=10.0.0.5",
      "OCF_RESKEY_state=/tmp/x y",
      "OCF_RESKEY_CRM_meta_timeout=1500",
      "OCF_RESKEY_CRM_meta_interval=10000",
  };
  EXPECT_EQ(env, want);
  EXPECT_EQ(env.size(), c.spec.env.size()) << "no duplicates";
}

TEST_F(RunnerTest, OcfStartHasNoIntervalAndUsesAdvertisedTimeout) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("start"));
  EXPECT_EQ(last().env("OCF_RESKEY_CRM_meta_timeout"), "30000");
  EXPECT_FALSE(last().env("OCF_RESKEY_CRM_meta_interval").has_value());
  sched.advance(milliseconds(29999));
  EXPECT_TRUE(last().signals.empty());
  sched.advance(milliseconds(1));
  EXPECT_EQ(last().signals, std::vector<int>{SIGTERM});
}

TEST_F(RunnerTest, DefaultTimeoutWithoutMetadataEntry) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("validate-all"));
  EXPECT_EQ(last().env("OCF_RESKEY_CRM_meta_timeout"), "20000");
}

TEST_F(RunnerTest, LsbArgvAndEnvironment) {
  ActionRequest r;
  r.resource = "svc";
  r.spec = AgentSpec{AgentClass::Lsb, "", "svc"};
  r.action = "monitor";
  start(r);
  auto& c = last();
  EXPECT_EQ(c.spec.path, tree.root() + "/init.d/svc");
  EXPECT_EQ(c.args(), std::vector<std::string>{"status"});
  std::set<std::string> env(c.spec.env.begin(), c.spec.env.end());
  EXPECT_EQ(env, (std::set<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}));
}

TEST_F(RunnerTest, HeartbeatArgumentsFirstThenAction) {
  ActionRequest r;
  r.resource = "hb1";
  r.spec = AgentSpec{AgentClass::Heartbeat, "", "hbscript"};
  r.action = "start";
  r.params = {{"2", "b"}, {"10", "j"}, {"1", "a"}};
  start(r);
  EXPECT_EQ(last().args(), (std::vector<std::string>{"a", "b", "j", "start"}));
  EXPECT_EQ(last().env("HA_DIR"), tree.root() + "/ha.d");
  EXPECT_EQ(last().env("HA_CURHOST"), "node1");
  EXPECT_FALSE(last().env("OCF_ROOT").has_value());
  r.params.clear();
  r.args = {"10.0.0.5/24/eth0"};
  r.action = "monitor";
  start(r);
  EXPECT_EQ(last().args(), (std::vector<std::string>{"10.0.0.5/24/eth0", "status"}));
}

TEST_F(RunnerTest, ExitCodeReportedOnCompletion) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto id = start(ocf("monitor"));
  EXPECT_EQ(runner->running(), 1u);
  sched.advance(milliseconds(42));
  last().exit(7);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, id);
  EXPECT_EQ(results[0].outcome, Outcome::NotRunning);
  EXPECT_EQ(results[0].resultWord(), "not-running");
  EXPECT_EQ(results[0].exitCode, 7);
  EXPECT_EQ(results[0].ocfStatus, OcfStatus::NotRunning);
  EXPECT_EQ(results[0].duration, milliseconds(42));
  EXPECT_EQ(runner->running(), 0u);
  EXPECT_EQ(sched.armedTimers(), 0u) << "the deadline timer is cancelled";
  EXPECT_EQ(log.count("Monitor of vip not-running"), 1u);
}

TEST_F(RunnerTest, TimeoutSendsTermThenKillAndReportsTimedOut) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto req = ocf("start");
  req.timeout = milliseconds(1000);
  start(req);
  auto& c = last();
  c.ignoreTerm = true;
  sched.advance(milliseconds(1000));
  EXPECT_EQ(c.signals, std::vector<int>{SIGTERM});
  EXPECT_TRUE(c.killGroupOnExit) << "grandchildren die with the leader after a timeout";
  sched.advance(milliseconds(1999));
  EXPECT_EQ(c.signals.size(), 1u);
  sched.advance(milliseconds(1));
  EXPECT_EQ(c.signals, (std::vector<int>{SIGTERM, SIGKILL}));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::TimedOut);
  EXPECT_EQ(results[0].resultWord(), "timeout");
  EXPECT_EQ(results[0].signal, SIGKILL);
  EXPECT_EQ(results[0].exitCode, -1);
  EXPECT_EQ(results[0].duration, milliseconds(3000));
}

TEST_F(RunnerTest, TimeoutEvenWhenAgentExitsCleanlyOnTerm) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto req = ocf("stop");
  req.timeout = milliseconds(500);
  start(req);
  sched.advance(milliseconds(500));
  last().exit(0);  // an agent that traps TERM and exits 0 still timed out
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::TimedOut);
}

TEST_F(RunnerTest, ChildThatWillNotDieIsLoggedOnce) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto req = ocf("start");
  req.timeout = milliseconds(100);
  start(req);
  last().ignoreTerm = true;
  last().ignoreKill = true;
  sched.advance(milliseconds(100 + 2000 + 2000 + 10000));
  EXPECT_EQ(log.count("will not die"), 1u);
  EXPECT_TRUE(results.empty());
  EXPECT_EQ(runner->running(), 1u);
  last().exit(SIGKILL, true);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::TimedOut);
}

TEST_F(RunnerTest, CancelAllTerminatesEverything) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  for (int i = 0; i < 3; ++i) start(ocf("start"));
  EXPECT_EQ(runner->running(), 3u);
  runner->cancelAll();
  sched.runPending();
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) EXPECT_EQ(r.outcome, Outcome::Cancelled);
  EXPECT_EQ(runner->running(), 0u);
  EXPECT_FALSE(runner->cancel(12345));
}

TEST_F(RunnerTest, SeveralActionsAtOnceCompleteIndependently) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(start(ocf("monitor")));
  EXPECT_EQ(std::set<std::uint64_t>(ids.begin(), ids.end()).size(), 5u);
  launcher.children[3]->exit(0);
  launcher.children[1]->exit(7);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].id, ids[3]);
  EXPECT_EQ(results[1].id, ids[1]);
  EXPECT_EQ(runner->running(), 3u);
}

TEST_F(RunnerTest, SignaledAgentIsReportedAsKilled) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("start"));
  last().exit(SIGSEGV, true);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::Signaled);
  EXPECT_EQ(results[0].resultWord(), "killed");
  EXPECT_EQ(results[0].signal, SIGSEGV);
}

TEST_F(RunnerTest, OutputIsSplitIntoLinesAndExitReasonCaptured) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("start"));
  last().output(OutputStream::Stdout, "hello ");
  last().output(OutputStream::Stdout, "world\nsecond");
  last().output(OutputStream::Stderr, "ocf-exit-reason:address 10.0.0.5 in use\n");
  last().exit(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::Failed);
  EXPECT_EQ(results[0].ocfStatus, OcfStatus::ErrGeneric);
  EXPECT_EQ(results[0].exitReason, "address 10.0.0.5 in use");
  EXPECT_EQ(results[0].stdoutTail, "hello world\nsecond");
  EXPECT_EQ(log.count("vip stdout: hello world"), 1u);
  EXPECT_EQ(log.count("vip stdout: second"), 1u) << "the unterminated last line is logged too";
  EXPECT_EQ(log.count("failed: error (address 10.0.0.5 in use)"), 1u);
}

TEST_F(RunnerTest, HugeOutputStaysBounded) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("start"));
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += "line " + std::to_string(i) + "\n";
  std::uint64_t total = 0;
  for (int i = 0; i < 1000; ++i) {
    last().output(OutputStream::Stdout, chunk);
    total += chunk.size();
  }
  // One line of 10 MB, without a newline until the end.
  std::string big(1 << 20, 'x');
  for (int i = 0; i < 10; ++i) {
    last().output(OutputStream::Stderr, big);
  }
  last().output(OutputStream::Stderr, "\n");
  last().exit(0);
  ASSERT_EQ(results.size(), 1u);
  const auto& r = results[0];
  EXPECT_EQ(r.stdoutBytes, total);
  EXPECT_EQ(r.stderrBytes, 10u * (1 << 20) + 1);
  EXPECT_LE(r.stdoutTail.size(), opts.outputTailBytes);
  EXPECT_GE(r.stdoutTail.size(), opts.outputTailBytes - 16);
  EXPECT_TRUE(r.stdoutTail.ends_with("line 999\n"));
  EXPECT_EQ(r.stderrTail.size(), opts.outputTailBytes);
  std::size_t outLines = 0, errLines = 0, maxLen = 0;
  for (const auto& rec : log.records) {
    outLines += rec.text.find(" stdout: ") != std::string::npos;
    errLines += rec.text.find(" stderr: ") != std::string::npos;
    maxLen = std::max(maxLen, rec.text.size());
  }
  EXPECT_EQ(outLines, opts.maxLoggedLines);
  EXPECT_EQ(errLines, 1u);
  EXPECT_LT(maxLen, opts.maxLineBytes + 200) << "long lines are cut";
  EXPECT_EQ(log.count("further stdout lines not logged"), 1u);
}

TEST_F(RunnerTest, RefusesUnknownAgentAndNamesTheResource) {
  auto req = ocf("start");
  req.spec.type = "Nope";
  auto r = runner->run(req, [](const ActionResult&) { FAIL() << "nothing runs"; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("resource 'vip'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not found"), std::string::npos) << r.error().message;
  req.spec.provider = "nobody";
  r = runner->run(req, [](const ActionResult&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown OCF provider 'nobody'"), std::string::npos) << r.error().message;
  EXPECT_TRUE(launcher.children.empty());
}

TEST_F(RunnerTest, RefusesNotExecutable) {
  tree.ocfAgent("NoExec", "#!/bin/sh\nexit 0\n", 0644);
  auto req = ocf("start");
  req.spec.type = "NoExec";
  auto r = runner->run(req, [](const ActionResult&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Config);
  EXPECT_NE(r.error().message.find("resource 'vip'"), std::string::npos);
  EXPECT_NE(r.error().message.find("not executable"), std::string::npos) << r.error().message;
  EXPECT_TRUE(launcher.children.empty());
}

TEST_F(RunnerTest, RefusesBadParametersPerClass) {
  auto req = ocf("start", {{"bad-name", "x"}});
  EXPECT_FALSE(runner->run(req, [](const ActionResult&) {}).ok());
  ActionRequest lsb;
  lsb.resource = "svc";
  lsb.spec = AgentSpec{AgentClass::Lsb, "", "svc"};
  lsb.action = "start";
  lsb.params = {{"x", "1"}};
  EXPECT_FALSE(runner->run(lsb, [](const ActionResult&) {}).ok());
  ActionRequest hbr;
  hbr.resource = "hb";
  hbr.spec = AgentSpec{AgentClass::Heartbeat, "", "hbscript"};
  hbr.action = "start";
  hbr.params = {{"ip", "1"}};
  EXPECT_FALSE(runner->run(hbr, [](const ActionResult&) {}).ok());
  hbr.params.clear();
  hbr.action = "start; rm";
  EXPECT_FALSE(runner->run(hbr, [](const ActionResult&) {}).ok());
  EXPECT_TRUE(launcher.children.empty());
}

TEST_F(RunnerTest, MissingRequiredParameterWithCachedMetadataIsRefusedSynchronously) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  auto r = runner->run(ocf("start", {{"state", "/x"}}), [](const ActionResult&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "resource 'vip' (ocf:test:Thing): missing required parameter ip");
  EXPECT_TRUE(launcher.children.empty());
  // meta-data itself needs no parameters.
  EXPECT_TRUE(runner->run(ocf("meta-data", {}), [](const ActionResult&) {}).ok());
}

TEST_F(RunnerTest, MetadataIsFetchedFirstAndMissingParameterStopsTheAction) {
  launcher.autoRun = [](FakeProcessLauncher::Child& c) {
    if (c.args() == std::vector<std::string>{"meta-data"}) {
      c.output(OutputStream::Stdout, test::kMetadataTwoParams);
      c.exit(0);
    }
  };
  start(ocf("start", {}));
  sched.runPending();
  ASSERT_EQ(launcher.children.size(), 1u) << "only meta-data ran";
  EXPECT_FALSE(launcher.children[0]->env("OCF_RESKEY_ip").has_value());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::ConfigError);
  EXPECT_EQ(results[0].resultWord(), "config-error");
  EXPECT_NE(results[0].error.find("resource 'vip'"), std::string::npos);
  EXPECT_NE(results[0].error.find("missing required parameter ip"), std::string::npos);
  ASSERT_NE(runner->cachedMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}), nullptr);

  // With the parameter: meta-data is cached now, the action runs directly.
  start(ocf("start"));
  ASSERT_EQ(launcher.children.size(), 2u);
  EXPECT_EQ(last().args(), std::vector<std::string>{"start"});
}

TEST_F(RunnerTest, MetadataChainRunsActionWithAdvertisedTimeout) {
  launcher.autoRun = [](FakeProcessLauncher::Child& c) {
    if (c.args() == std::vector<std::string>{"meta-data"}) {
      c.output(OutputStream::Stdout, test::kMetadataTwoParams);
      c.exit(0);
    }
  };
  start(ocf("stop"));
  sched.runPending();
  ASSERT_EQ(launcher.children.size(), 2u);
  EXPECT_EQ(last().args(), std::vector<std::string>{"stop"});
  EXPECT_EQ(last().env("OCF_RESKEY_CRM_meta_timeout"), "100");
  sched.advance(milliseconds(100));
  EXPECT_EQ(last().signals, std::vector<int>{SIGTERM});
  sched.runPending();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::TimedOut);
}

TEST_F(RunnerTest, BrokenMetadataStillRunsTheAction) {
  launcher.autoRun = [](FakeProcessLauncher::Child& c) {
    if (c.args() == std::vector<std::string>{"meta-data"}) {
      c.output(OutputStream::Stdout, "<not-xml");
      c.exit(0);
    }
  };
  start(ocf("monitor", {}));
  sched.runPending();
  ASSERT_EQ(launcher.children.size(), 2u);
  EXPECT_EQ(log.count("No meta-data for ocf:test:Thing"), 1u);
  last().exit(0);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::Success);
}

TEST_F(RunnerTest, LaunchFailureIsAnErrorAndNothingRuns) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  launcher.failNextLaunch(err(Errc::Io, "fork: out of memory"));
  auto r = runner->run(ocf("start"), [](const ActionResult&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("resource 'vip'"), std::string::npos);
  EXPECT_EQ(runner->running(), 0u);
}

TEST_F(RunnerTest, LoadMetadataCachesAndReportsErrors) {
  launcher.autoRun = [](FakeProcessLauncher::Child& c) {
    c.output(OutputStream::Stdout, test::kMetadataTwoParams);
    c.exit(0);
  };
  std::optional<Result<AgentMetadata>> got;
  runner->loadMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"},
                       [&](const Result<AgentMetadata>& md) { got = md; });
  sched.runPending();
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ((*got)->name, "Thing");
  EXPECT_NE(runner->cachedMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}), nullptr);
  got.reset();
  runner->loadMetadata(AgentSpec{AgentClass::Lsb, "", "svc"},
                       [&](const Result<AgentMetadata>& md) { got = md; });
  sched.runPending();
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->ok());
}

TEST_F(RunnerTest, DestroyingTheRunnerDropsChildrenWithoutCallbacks) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  start(ocf("start"));
  auto child = launcher.children.back();
  EXPECT_TRUE(child->handleAlive);
  runner.reset();
  EXPECT_FALSE(child->handleAlive);
  sched.advance(milliseconds(60000));
  EXPECT_TRUE(results.empty());
}

TEST_F(RunnerTest, DoneMayStartNewActions) {
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Thing"}, *parseMetadata(test::kMetadataTwoParams));
  int chained = 0;
  auto id = runner->run(ocf("stop"), [&](const ActionResult&) {
    EXPECT_EQ(runner->running(), 0u);
    auto again = runner->run(ocf("start"), [&](const ActionResult&) { ++chained; });
    EXPECT_TRUE(again.ok());
  });
  ASSERT_TRUE(id.ok());
  launcher.children[0]->exit(0);
  ASSERT_EQ(launcher.children.size(), 2u);
  launcher.children[1]->exit(0);
  EXPECT_EQ(chained, 1);
}

}  // namespace
}  // namespace hb::resources
