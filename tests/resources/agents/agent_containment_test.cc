// SPDX-License-Identifier: GPL-2.0-or-later
// Containment of agent actions with real processes: a child that leaves the process group (setsid)
// still dies at the timeout, at cancelAll and with the runner; no cgroup directory is left behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "resources/agents/agent_cgroup_private.h"
#include "resources/agents/agents.h"
#include "resources/base/asio_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/resources/agents/agent_test_util.h"

namespace hb::resources {
namespace {

using std::chrono::milliseconds;
using test::goneOrZombie;

constexpr const char* kNoCgroupWarning = "agents run without a cgroup";

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The cgroup v2 path ("/a/b") in a /proc/PID/cgroup text, or "" without a "0::" line.
std::string unifiedPath(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "";
}

// Where the cgroup2 hierarchy is mounted (the test's own reading of /proc/self/mountinfo: fields
// after " - " are the type), "" when it is not.
std::string cgroup2Mount() {
  std::istringstream in(slurp("/proc/self/mountinfo"));
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    auto dash = line.find(" - cgroup2 ");
    if (dash == std::string::npos) continue;
    std::istringstream f(line.substr(0, dash));
    std::string id, parent, dev, root, mnt;
    f >> id >> parent >> dev >> root >> mnt;
    if (root != "/") continue;
    if (found.empty() || mnt == "/sys/fs/cgroup") found = mnt;
  }
  return found;
}

// The directories hbd created for this test process's launchers, beside our own cgroup.
std::vector<std::string> ourCgroupDirs() {
  std::vector<std::string> found;
  const std::string mnt = cgroup2Mount();
  if (mnt.empty()) return found;
  const std::string own = mnt + unifiedPath(slurp("/proc/self/cgroup"));
  const std::string prefix = "hbd-" + std::to_string(::getpid()) + "-";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(own, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) found.push_back(e.path().string());
  }
  return found;
}

class ContainmentTest : public ::testing::Test {
 protected:
  ContainmentTest() : sched(io) {
    opts.paths = tree.paths();
    opts.killGrace = milliseconds(300);
    runner = std::make_unique<AgentRunner>(sched, io, log, opts);
  }

  void TearDown() override {
    runner.reset();
    io.restart();
    io.poll();
    EXPECT_EQ(ourCgroupDirs(), std::vector<std::string>{}) << "cgroups leaked";
    for (int pid : cleanup) ::kill(pid, SIGKILL);
  }

  // The containment tests must run the cgroup path on a machine that has cgroups (this one and
  // CI); elsewhere they say why and skip, but CI=true turns the skip into a failure.
  bool needCgroups() {
    if (log.count(kNoCgroupWarning) == 0) return true;
    std::string why;
    for (const auto& r : log.records) {
      if (r.text.find(kNoCgroupWarning) != std::string::npos) why = r.text;
    }
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      ADD_FAILURE() << "CI=true but cgroups are unavailable: " << why;
    } else {
      std::cerr << "cgroups unavailable, containment not tested: " << why << "\n";
    }
    return false;
  }

  // Pumps the loop until `pred` holds or `limit` passes.
  template <typename Pred>
  bool waitFor(Pred pred, milliseconds limit) {
    const MonoTime until = sched.now() + limit;
    while (!pred()) {
      if (sched.now() >= until) return false;
      io.restart();
      if (io.run_for(milliseconds(10)) == 0) ::usleep(10'000);  // nothing to run: do not spin
    }
    return true;
  }

  ActionResult runOne(ActionRequest req) {
    std::optional<ActionResult> got;
    auto id = runner->run(std::move(req), [&](const ActionResult& r) { got = r; });
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    if (!id.ok()) return {};
    waitFor([&] { return got.has_value(); }, milliseconds(30000));
    EXPECT_TRUE(got.has_value()) << "no completion";
    return got.value_or(ActionResult{});
  }

  ActionRequest ocf(std::string type, std::string action) {
    ActionRequest r;
    r.resource = "r1";
    r.spec = AgentSpec{AgentClass::Ocf, "test", std::move(type)};
    r.action = std::move(action);
    runner->cacheMetadata(r.spec, AgentMetadata{});
    return r;
  }

  // An agent whose action records its cgroup, starts a grandchild in a new session (so outside
  // the agent's process group) that writes its pid, then runs `tail` (e.g. "sleep 1000").
  void escapingAgent(const std::string& type, const std::string& tail) {
    tree.ocfAgent(type, "#!/bin/sh\ncat /proc/self/cgroup > " + tree.work() + "/agent.cgroup\n" +
                            "setsid sh -c 'echo $$ > " + tree.work() +
                            "/escapee.pid; exec sleep 1000' &\n" + tail + "\n");
  }

  // The escapee's pid, once it has written it (0 if it never does).
  int escapee() {
    int pid = 0;
    waitFor(
        [&] {
          pid = std::atoi(tree.read("work/escapee.pid").c_str());
          return pid > 1;
        },
        milliseconds(5000));
    if (pid > 1) cleanup.push_back(pid);
    return pid;
  }

  // The action's cgroup directory as the agent saw it ("" if it ran in ours).
  std::string agentCgroupDir() {
    const std::string path = unifiedPath(tree.read("work/agent.cgroup"));
    if (path.empty() || path == unifiedPath(slurp("/proc/self/cgroup"))) return "";
    return cgroup2Mount() + path;
  }

  test::AgentTree tree;
  boost::asio::io_context io;
  AsioScheduler sched;
  hb::test::MemoryLogSink log;
  AgentRunnerOptions opts;
  std::unique_ptr<AgentRunner> runner;
  std::vector<int> cleanup;  // our escapees, killed at the end whatever happened
};

TEST_F(ContainmentTest, SetsidGrandchildDiesAtTimeout) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  escapingAgent("Escape", "sleep 1000");
  auto req = ocf("Escape", "start");
  req.timeout = milliseconds(1000);
  auto r = runOne(req);
  EXPECT_EQ(r.outcome, Outcome::TimedOut);
  const int pid = escapee();
  ASSERT_GT(pid, 1);
  EXPECT_TRUE(waitFor([&] { return goneOrZombie(pid); }, milliseconds(1000)))
      << "setsid grandchild " << pid << " outlived the timeout";
  const std::string dir = agentCgroupDir();
  EXPECT_NE(dir.find("/hbd-"), std::string::npos) << "agent ran outside an hbd cgroup: " << dir;
  EXPECT_TRUE(waitFor([&] { return !dir.empty() && !std::filesystem::exists(dir); },
                      milliseconds(2000)))
      << "action cgroup " << dir << " not removed";
}

TEST_F(ContainmentTest, SetsidGrandchildDiesAtCancelAll) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  escapingAgent("Escape", "sleep 1000");
  std::optional<ActionResult> got;
  ASSERT_TRUE(runner->run(ocf("Escape", "monitor"), [&](const ActionResult& r) { got = r; }).ok());
  const int pid = escapee();
  ASSERT_GT(pid, 1);
  runner->cancelAll();
  ASSERT_TRUE(waitFor([&] { return got.has_value(); }, milliseconds(10000)));
  EXPECT_EQ(got->outcome, Outcome::Cancelled);
  EXPECT_TRUE(waitFor([&] { return goneOrZombie(pid); }, milliseconds(1000)))
      << "setsid grandchild " << pid << " outlived cancelAll";
}

TEST_F(ContainmentTest, SetsidGrandchildDiesWithTheRunner) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  escapingAgent("Escape", "sleep 1000");
  ASSERT_TRUE(runner->run(ocf("Escape", "start"), [](const ActionResult&) {}).ok());
  const int pid = escapee();
  ASSERT_GT(pid, 1);
  runner.reset();
  EXPECT_TRUE(waitFor([&] { return goneOrZombie(pid); }, milliseconds(1000)))
      << "setsid grandchild " << pid << " outlived the runner";
}

TEST_F(ContainmentTest, DaemonStartedBySuccessfulStartKeepsRunningInOurCgroup) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  // A start that daemonizes and succeeds: the daemon is the resource and must stay, in hbd's own
  // cgroup as before cgroups (not in the action's, which is removed).
  escapingAgent("Daemon", "exit 0");
  auto r = runOne(ocf("Daemon", "start"));
  EXPECT_EQ(r.outcome, Outcome::Success);
  const int pid = escapee();
  ASSERT_GT(pid, 1);
  const std::string dir = agentCgroupDir();
  EXPECT_NE(dir.find("/hbd-"), std::string::npos) << "agent ran outside an hbd cgroup: " << dir;
  EXPECT_TRUE(waitFor([&] { return !dir.empty() && !std::filesystem::exists(dir); },
                      milliseconds(2000)))
      << "action cgroup " << dir << " not removed";
  EXPECT_FALSE(goneOrZombie(pid)) << "the started daemon was killed";
  EXPECT_EQ(unifiedPath(slurp("/proc/" + std::to_string(pid) + "/cgroup")),
            unifiedPath(slurp("/proc/self/cgroup")));
}

TEST_F(ContainmentTest, EveryActionGetsItsOwnCgroup) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  tree.ocfAgent("Where", "#!/bin/sh\ncat /proc/self/cgroup\n");
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    auto r = runOne(ocf("Where", "monitor"));
    ASSERT_EQ(r.outcome, Outcome::Success) << r.stderrTail;
    const std::string path = unifiedPath(r.stdoutTail);
    EXPECT_NE(path.find("/hbd-"), std::string::npos) << path;
    seen.insert(path);
  }
  EXPECT_EQ(seen.size(), 3u);
}

// Where cgroups are not usable (here: a root that is no cgroup2 filesystem), the launcher warns
// once and runs children as before, in process groups, in our own cgroup.
TEST_F(ContainmentTest, WithoutCgroupsChildrenRunAsBefore) {
  SpawnLauncherOptions o;
  o.cgroupMount = tree.root();
  hb::test::MemoryLogSink own;
  auto launcher = makeSpawnLauncher(io, own, o);
  EXPECT_EQ(own.count(kNoCgroupWarning), 1u);
  std::string out;
  std::optional<ExitStatus> st;
  ProcessSpec spec{"/bin/sh", {"/bin/sh", "-c", "cat /proc/self/cgroup; exit 3"}, {"PATH=/bin"}};
  ProcessCallbacks cb;
  cb.onOutput = [&](OutputStream, std::string_view chunk) { out.append(chunk); };
  cb.onExit = [&](ExitStatus s) { st = s; };
  auto p = launcher->launch(spec, std::move(cb));
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_TRUE(waitFor([&] { return st.has_value(); }, milliseconds(10000)));
  EXPECT_FALSE(st->signaled);
  EXPECT_EQ(st->code, 3);
  EXPECT_EQ(unifiedPath(out), unifiedPath(slurp("/proc/self/cgroup")));
  EXPECT_EQ(own.records.size(), 1u) << "warned once, at creation";
}

// A launcher of a process that died without cleaning up (SIGKILL) left its empty cgroups: the
// next launcher removes them.
TEST_F(ContainmentTest, StaleCgroupsOfDeadProcessesAreRemoved) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(dead, &status, 0), dead);
  const std::string own = cgroup2Mount() + unifiedPath(slurp("/proc/self/cgroup"));
  const std::string stale = own + "/hbd-" + std::to_string(dead) + "-1";
  ASSERT_TRUE(std::filesystem::create_directories(stale + "/a7"));
  hb::test::MemoryLogSink own_log;
  auto launcher = makeSpawnLauncher(io, own_log, SpawnLauncherOptions{});
  EXPECT_FALSE(std::filesystem::exists(stale));
  if (std::filesystem::exists(stale)) {
    ::rmdir((stale + "/a7").c_str());
    ::rmdir(stale.c_str());
  }
}

// Kernels before 5.14 have no cgroup.kill: the fallback freezes, kills every pid, thaws.
TEST_F(ContainmentTest, KillByFreezingEmptiesTheCgroup) {
  if (!needCgroups()) GTEST_SKIP() << "no usable cgroup v2";
  auto root = cgroup::AgentCgroups::create(cgroup::ProbeOptions{});
  ASSERT_TRUE(root.ok()) << root.error().message;
  auto cg = (*root)->createAction();
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  auto procs = cg->openProcs();
  ASSERT_TRUE(procs.ok()) << procs.error().message;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::write(procs->get(), "0", 1) != 1) ::_exit(126);
    ::execl("/bin/sh", "sh", "-c", "setsid sleep 1000 & exec sleep 1000",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  procs->reset();
  EXPECT_TRUE(waitFor([&] { return cg->pids().size() >= 2; }, milliseconds(5000)));
  const std::vector<int> members = cg->pids();
  for (int m : members) cleanup.push_back(m);
  cg->killAllByFreezing();
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_TRUE(waitFor([&] { return !cg->populated(); }, milliseconds(1000)));
  for (int m : members) EXPECT_TRUE(goneOrZombie(m)) << m;
  EXPECT_TRUE(cg->remove());
}

}  // namespace
}  // namespace hb::resources
