// SPDX-License-Identifier: GPL-2.0-or-later
// AgentRunner with real child processes (production launcher): exit codes of the three classes,
// timeouts that kill whole trees, descriptor/environment hygiene, bounded output, real Dummy.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "resources/agents/agents.h"
#include "resources/base/asio_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/resources/agents/agent_test_util.h"

namespace hb::resources {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSimpleMetadata =
    "<?xml version=\"1.0\"?><resource-agent name=\"T\"><parameters/>"
    "<actions><action name=\"start\" timeout=\"20s\"/></actions></resource-agent>";

class ProcessTest : public ::testing::Test {
 protected:
  ProcessTest() : sched(io) {
    opts.paths = tree.paths();
    opts.killGrace = milliseconds(300);
    runner = std::make_unique<AgentRunner>(sched, io, log, opts);
  }

  // Runs one request to completion on the real loop.
  ActionResult runOne(ActionRequest req) {
    std::optional<ActionResult> got;
    auto id = runner->run(std::move(req), [&](const ActionResult& r) { got = r; });
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    if (!id.ok()) return {};
    io.restart();
    while (!got && io.run_one_for(std::chrono::seconds(30)) > 0) {
    }
    EXPECT_TRUE(got.has_value()) << "no completion";
    return got.value_or(ActionResult{});
  }

  ActionRequest ocf(std::string type, std::string action, std::map<std::string, std::string> params = {}) {
    ActionRequest r;
    r.resource = "r1";
    r.spec = AgentSpec{AgentClass::Ocf, "test", std::move(type)};
    r.action = std::move(action);
    r.params = std::move(params);
    return r;
  }

  test::AgentTree tree;
  boost::asio::io_context io;
  AsioScheduler sched;
  hb::test::MemoryLogSink log;
  AgentRunnerOptions opts;
  std::unique_ptr<AgentRunner> runner;
};

// An OCF agent that answers meta-data and exits with $OCF_RESKEY_rc otherwise.
std::string rcAgent() {
  return std::string("#!/bin/sh\nif [ \"$1\" = meta-data ]; then echo '") + kSimpleMetadata +
         "'; exit 0; fi\nexit \"${OCF_RESKEY_rc:-0}\"\n";
}

TEST_F(ProcessTest, OcfExitCodesAreMapped) {
  tree.ocfAgent("Rc", rcAgent());
  struct Case {
    int rc;
    Outcome outcome;
    OcfStatus status;
  } cases[] = {{0, Outcome::Success, OcfStatus::Success},
               {1, Outcome::Failed, OcfStatus::ErrGeneric},
               {2, Outcome::Failed, OcfStatus::ErrArgs},
               {3, Outcome::Failed, OcfStatus::ErrUnimplemented},
               {4, Outcome::Failed, OcfStatus::ErrPerm},
               {5, Outcome::Failed, OcfStatus::ErrInstalled},
               {6, Outcome::Failed, OcfStatus::ErrConfigured},
               {7, Outcome::NotRunning, OcfStatus::NotRunning},
               {8, Outcome::Success, OcfStatus::RunningPromoted},
               {9, Outcome::Failed, OcfStatus::FailedPromoted},
               {190, Outcome::Success, OcfStatus::Degraded},
               {191, Outcome::Success, OcfStatus::DegradedPromoted},
               {42, Outcome::Failed, OcfStatus::Unknown}};
  for (const auto& c : cases) {
    auto req = ocf("Rc", "monitor", {{"rc", std::to_string(c.rc)}});
    req.interval = milliseconds(10000);
    auto r = runOne(req);
    EXPECT_EQ(r.exitCode, c.rc);
    EXPECT_EQ(r.outcome, c.outcome) << "rc=" << c.rc;
    EXPECT_EQ(r.ocfStatus, c.status) << "rc=" << c.rc;
  }
  EXPECT_NE(runner->cachedMetadata(AgentSpec{AgentClass::Ocf, "test", "Rc"}), nullptr);
}

TEST_F(ProcessTest, LsbScriptStatusCodesAndArguments) {
  const std::string log_file = tree.work() + "/lsb.log";
  const std::string state = tree.work() + "/lsb.state";
  tree.write("init.d/mysvc", "#!/bin/sh\necho \"$#:$*\" >> " + log_file + "\ncase \"$1\" in\n"
             "start) touch " + state + "; exit 0;;\n"
             "stop) rm -f " + state + "; exit 0;;\n"
             "status) if [ -e " + state + " ]; then echo 'mysvc is running'; exit 0; fi\n"
             "        echo 'mysvc is running (not really)'; exit 3;;\n"
             "*) exit 2;;\nesac\n");
  ActionRequest req;
  req.resource = "svc";
  req.spec = *parseAgentSpec("lsb:mysvc");
  std::vector<std::pair<std::string, Outcome>> steps = {
      {"status", Outcome::NotRunning}, {"start", Outcome::Success}, {"monitor", Outcome::Success},
      {"stop", Outcome::Success},      {"status", Outcome::NotRunning}, {"reload", Outcome::Failed}};
  for (const auto& [action, want] : steps) {
    req.action = action;
    auto r = runOne(req);
    EXPECT_EQ(r.outcome, want) << action << " rc=" << r.exitCode;
  }
  EXPECT_EQ(tree.read("work/lsb.log"), "1:status\n1:start\n1:status\n1:stop\n1:status\n1:reload\n");
}

TEST_F(ProcessTest, HeartbeatScriptArgumentsFirstAndStatusFromWords) {
  const std::string log_file = tree.work() + "/hb.log";
  const std::string state = tree.work() + "/hb.state";
  // The status exit codes contradict the words on purpose: heartbeat ignores them.
  tree.write("ha.d/resource.d/hbsvc", "#!/bin/sh\neval \"op=\\${$#}\"\necho \"$*\" >> " + log_file +
             "\ncase \"$op\" in\n"
             "start) touch " + state + "; exit 0;;\n"
             "stop) rm -f " + state + "; exit 0;;\n"
             "status) if [ -e " + state + " ]; then echo 'hbsvc: Running OK'; exit 3; fi\n"
             "        echo 'hbsvc is NOT running'; exit 0;;\nesac\nexit 1\n");
  ActionRequest req;
  req.resource = "hbsvc_10.0.0.5";
  req.spec = *parseAgentSpec("hbsvc");
  req.args = {"10.0.0.5/24", "eth0"};
  std::vector<std::pair<std::string, Outcome>> steps = {{"status", Outcome::NotRunning},
                                                        {"start", Outcome::Success},
                                                        {"status", Outcome::Success},
                                                        {"stop", Outcome::Success},
                                                        {"monitor", Outcome::NotRunning},
                                                        {"bogus", Outcome::Failed}};
  for (const auto& [action, want] : steps) {
    req.action = action;
    auto r = runOne(req);
    EXPECT_EQ(r.outcome, want) << action << " rc=" << r.exitCode << " out=" << r.stdoutTail;
  }
  EXPECT_EQ(tree.read("work/hb.log"),
            "10.0.0.5/24 eth0 status\n10.0.0.5/24 eth0 start\n10.0.0.5/24 eth0 status\n"
            "10.0.0.5/24 eth0 stop\n10.0.0.5/24 eth0 status\n10.0.0.5/24 eth0 bogus\n");
}

TEST_F(ProcessTest, HeartbeatClassFallsBackToInitDir) {
  tree.write("init.d/legacy", "#!/bin/sh\necho \"legacy is running with $*\"\n");
  ActionRequest req;
  req.resource = "legacy";
  req.spec = *parseAgentSpec("legacy");
  req.params = {{"1", "arg1"}};
  req.action = "status";
  auto r = runOne(req);
  EXPECT_EQ(r.outcome, Outcome::Success);
  EXPECT_EQ(r.stdoutTail, "legacy is running with arg1 status\n");
}

TEST_F(ProcessTest, TimeoutKillsTheWholeProcessTree) {
  const std::string pidfile = tree.work() + "/grandchild.pid";
  tree.ocfAgent("Hang", "#!/bin/sh\n(trap '' TERM; exec sleep 1000) &\necho $! > " + pidfile +
                            "\nsleep 1000\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Hang"}, AgentMetadata{});
  auto req = ocf("Hang", "start");
  req.timeout = milliseconds(400);
  auto r = runOne(req);
  EXPECT_EQ(r.outcome, Outcome::TimedOut);
  EXPECT_EQ(r.resultWord(), "timeout");
  EXPECT_GE(r.duration, milliseconds(400));
  EXPECT_LT(r.duration, milliseconds(5000));
  int grandchild = std::atoi(tree.read("work/grandchild.pid").c_str());
  ASSERT_GT(grandchild, 1);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = test::goneOrZombie(grandchild);
    if (!gone) ::usleep(10'000);  // the kernel delivers SIGKILL asynchronously
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived";
  EXPECT_EQ(runner->running(), 0u);
}

TEST_F(ProcessTest, AgentIgnoringTermIsKilled) {
  tree.ocfAgent("Stubborn", "#!/bin/sh\ntrap '' TERM\nsleep 1000\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Stubborn"}, AgentMetadata{});
  auto req = ocf("Stubborn", "stop");
  req.timeout = milliseconds(200);
  auto r = runOne(req);
  EXPECT_EQ(r.outcome, Outcome::TimedOut);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.duration, milliseconds(500));
  EXPECT_EQ(log.count("ignored TERM: sending KILL"), 1u);
}

TEST_F(ProcessTest, ChildSeesOnlyStdioDescriptors) {
  // Leak-prone descriptors in the parent: no O_CLOEXEC on purpose.
  int leaked = ::open("/dev/null", O_RDONLY);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  tree.ocfAgent("Fds",
                "#!/usr/bin/python3\nimport os\nfds=[]\nfor n in range(4096):\n    try:\n"
                "        os.fstat(n)\n        fds.append(str(n))\n    except OSError:\n        pass\n"
                "print(' '.join(fds))\nprint(os.readlink('/proc/self/fd/0'))\nprint(os.getcwd())\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Fds"}, AgentMetadata{});
  auto r = runOne(ocf("Fds", "monitor"));
  ::close(leaked);
  ::close(p[0]);
  ::close(p[1]);
  EXPECT_EQ(r.outcome, Outcome::Success) << r.stderrTail;
  EXPECT_EQ(r.stdoutTail, "0 1 2\n/dev/null\n/\n");
}

TEST_F(ProcessTest, ChildHasOwnGroupAndDefaultSignals) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  auto oldPipe = ::signal(SIGPIPE, SIG_IGN);
  tree.ocfAgent("Sig", "#!/bin/sh\nset -- $(cat /proc/$$/stat)\necho \"pid=$1 pgid=$5\"\n"
                       "exec grep -E '^(SigBlk|SigIgn):' /proc/self/status\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Sig"}, AgentMetadata{});
  auto r = runOne(ocf("Sig", "monitor"));
  ::signal(SIGPIPE, oldPipe);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_EQ(r.outcome, Outcome::Success);
  std::istringstream in(r.stdoutTail);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "pid=" + std::to_string(r.pid) + " pgid=" + std::to_string(r.pid));
  std::getline(in, line);
  EXPECT_EQ(line, "SigBlk:\t0000000000000000");
  std::getline(in, line);
  EXPECT_EQ(line, "SigIgn:\t0000000000000000");
}

std::set<std::string> envOf(const std::string& text) {
  std::set<std::string> s;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      s.insert(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return s;
}

TEST_F(ProcessTest, EnvironmentIsExactlyAsSpecified) {
  ::setenv("HB_AGENTS_TEST_SECRET", "must-not-leak", 1);
  // /proc/self/environ is the environment as exec'ed, before any interpreter adds to it.
  const std::string body = "#!/usr/bin/python3\nprint(open('/proc/self/environ').read().replace('\\0', '\\n'), end='')\n";
  tree.ocfAgent("Env", body);
  tree.write("init.d/env", body);
  tree.write("ha.d/resource.d/hbenv", body);
  opts.nodeName = "alpha";
  runner = std::make_unique<AgentRunner>(sched, io, log, opts);
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Env"}, AgentMetadata{});
  auto req = ocf("Env", "start", {{"ip", "10.1.2.3"}, {"nic", "eth0"}});
  req.timeout = milliseconds(7000);
  auto r = runOne(req);
  ::unsetenv("HB_AGENTS_TEST_SECRET");
  EXPECT_EQ(envOf(r.stdoutTail),
            (std::set<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
                                   "OCF_ROOT=" + tree.root() + "/ocf", "OCF_RA_VERSION_MAJOR=1",
                                   "OCF_RA_VERSION_MINOR=1", "OCF_RESOURCE_INSTANCE=r1",
                                   "OCF_RESOURCE_TYPE=Env", "OCF_RESOURCE_PROVIDER=test",
                                   "OCF_RESKEY_ip=10.1.2.3", "OCF_RESKEY_nic=eth0",
                                   "OCF_RESKEY_CRM_meta_timeout=7000"}));
  ActionRequest lsb;
  lsb.resource = "env";
  lsb.spec = *parseAgentSpec("lsb:env");
  lsb.action = "start";
  EXPECT_EQ(envOf(runOne(lsb).stdoutTail),
            (std::set<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}));
  ActionRequest hbr;
  hbr.resource = "hbenv";
  hbr.spec = *parseAgentSpec("hbenv");
  hbr.action = "start";
  EXPECT_EQ(envOf(runOne(hbr).stdoutTail),
            (std::set<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
                                   "HA_DIR=" + tree.root() + "/ha.d",
                                   "HA_FUNCS=" + tree.root() + "/ha.d/shellfuncs",
                                   "HA_CURHOST=alpha"}));
}

TEST_F(ProcessTest, HugeOutputStaysBounded) {
  tree.ocfAgent("Chatty",
                "#!/bin/sh\nyes 'a line of agent output' | head -c 20000000\n"
                "head -c 5000000 /dev/zero | tr '\\0' x >&2\necho >&2\necho 'ocf-exit-reason:done talking' >&2\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Chatty"}, AgentMetadata{});
  auto r = runOne(ocf("Chatty", "start"));
  EXPECT_EQ(r.outcome, Outcome::Success);
  EXPECT_EQ(r.stdoutBytes, 20000000u);
  EXPECT_EQ(r.stderrBytes, 5000000u + 1u + 29u);
  EXPECT_LE(r.stdoutTail.size(), opts.outputTailBytes);
  EXPECT_LE(r.stderrTail.size(), opts.outputTailBytes);
  EXPECT_EQ(r.exitReason, "done talking");
  std::size_t lines = 0;
  for (const auto& rec : log.records) lines += rec.text.find("r1 stdout: ") != std::string::npos;
  EXPECT_EQ(lines, opts.maxLoggedLines);
}

TEST_F(ProcessTest, ManyActionsRunAtOnce) {
  tree.ocfAgent("Nap", "#!/bin/sh\nsleep 0.5\nexit 0\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Nap"}, AgentMetadata{});
  int done = 0;
  const auto t0 = sched.now();
  for (int i = 0; i < 20; ++i) {
    auto req = ocf("Nap", "start");
    req.resource = "nap" + std::to_string(i);
    ASSERT_TRUE(runner->run(req, [&](const ActionResult& r) {
      EXPECT_EQ(r.outcome, Outcome::Success);
      ++done;
    }).ok());
  }
  EXPECT_EQ(runner->running(), 20u);
  while (done < 20 && io.run_one_for(std::chrono::seconds(30)) > 0) {
  }
  EXPECT_EQ(done, 20);
  EXPECT_LT(sched.now() - t0, std::chrono::seconds(5)) << "they ran in parallel";
}

TEST_F(ProcessTest, LoopStaysResponsiveWhileAgentRuns) {
  tree.ocfAgent("Slow", "#!/bin/sh\nsleep 0.5\necho done\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Slow"}, AgentMetadata{});
  std::vector<std::string> order;
  auto timer = sched.createTimer();
  ASSERT_TRUE(runner->run(ocf("Slow", "start"), [&](const ActionResult&) { order.push_back("agent"); }).ok());
  timer->arm(milliseconds(50), [&] { order.push_back("timer"); });
  while (order.size() < 2 && io.run_one_for(std::chrono::seconds(10)) > 0) {
  }
  EXPECT_EQ(order, (std::vector<std::string>{"timer", "agent"}));
}

TEST_F(ProcessTest, CancelAllStopsRunningAgents) {
  tree.ocfAgent("Long", "#!/bin/sh\nsleep 1000\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "Long"}, AgentMetadata{});
  std::vector<ActionResult> got;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(runner->run(ocf("Long", "start"), [&](const ActionResult& r) { got.push_back(r); }).ok());
  }
  runner->cancelAll();
  while (got.size() < 3 && io.run_one_for(std::chrono::seconds(10)) > 0) {
  }
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) EXPECT_EQ(r.outcome, Outcome::Cancelled);
}

TEST_F(ProcessTest, MissingRequiredParameterNothingStarts) {
  const std::string marker = tree.work() + "/started";
  tree.ocfAgent("Req", "#!/bin/sh\nif [ \"$1\" = meta-data ]; then cat <<'EOF'\n"
                       "<resource-agent name='Req'><parameters><parameter name='ip' required='1'>"
                       "<content type='string'/></parameter></parameters></resource-agent>\nEOF\n"
                       "exit 0; fi\ntouch " + marker + "\nexit 0\n");
  auto r = runOne(ocf("Req", "start"));
  EXPECT_EQ(r.outcome, Outcome::ConfigError);
  EXPECT_EQ(r.error, "resource 'r1' (ocf:test:Req): missing required parameter ip");
  EXPECT_NE(::access(marker.c_str(), F_OK), 0) << "start must not have run";
  // Now cached: the refusal is synchronous.
  auto again = runner->run(ocf("Req", "start"), [](const ActionResult&) {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "resource 'r1' (ocf:test:Req): missing required parameter ip");
  EXPECT_EQ(runOne(ocf("Req", "start", {{"ip", "10.0.0.1"}})).outcome, Outcome::Success);
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0);
}

TEST_F(ProcessTest, BadInterpreterIsAnErrorAndNothingRuns) {
  tree.ocfAgent("BadInterp", "#!/nonexistent/interpreter\n");
  runner->cacheMetadata(AgentSpec{AgentClass::Ocf, "test", "BadInterp"}, AgentMetadata{});
  auto r = runner->run(ocf("BadInterp", "start"), [](const ActionResult&) { FAIL(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("resource 'r1'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("cannot execute"), std::string::npos) << r.error().message;
  EXPECT_EQ(runner->running(), 0u);
}

TEST_F(ProcessTest, RealDummyStartMonitorStopMonitor) {
  if (::access("/usr/lib/ocf/resource.d/heartbeat/Dummy", X_OK) != 0) {
    GTEST_SKIP() << "resource-agents not installed";
  }
  opts.paths.ocfRoot = "/usr/lib/ocf";
  runner = std::make_unique<AgentRunner>(sched, io, log, opts);
  ActionRequest req;
  req.resource = "dummy1";
  req.spec = *parseAgentSpec("ocf:heartbeat:Dummy");
  req.params = {{"state", tree.work() + "/dummy1.state"}};
  std::vector<int> codes;
  for (const char* action : {"start", "monitor", "stop", "monitor"}) {
    req.action = action;
    auto r = runOne(req);
    codes.push_back(r.exitCode);
  }
  EXPECT_EQ(codes, (std::vector<int>{0, 0, 0, 7}));
  const AgentMetadata* md = runner->cachedMetadata(req.spec);
  ASSERT_NE(md, nullptr) << "meta-data was read before the first action";
  EXPECT_EQ(md->name, "Dummy");
  EXPECT_NE(md->findParameter("state"), nullptr);
  EXPECT_TRUE(md->actionTimeout("start").has_value());
}

}  // namespace
}  // namespace hb::resources
