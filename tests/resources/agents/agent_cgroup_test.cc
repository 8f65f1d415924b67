// SPDX-License-Identifier: GPL-2.0-or-later
// cgroup containment of agents: the pure parts (path derivation, mountinfo, cgroup files) and the
// fallback to process groups when the cgroup root is not usable.
#include "resources/agents/agent_cgroup_private.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include <gtest/gtest.h>

#include "resources/agents/agents.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/resources/agents/agent_test_util.h"

namespace hb::resources::cgroup {
namespace {

constexpr std::string_view kHybrid =
    "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/6fdf\n1:cpu:/\n0::/\n";

TEST(CgroupPathTest, UnifiedLineIsTheV2Path) {
  EXPECT_EQ(parseUnifiedPath("0::/system.slice/hbd.service\n"), "/system.slice/hbd.service");
  EXPECT_EQ(parseUnifiedPath(kHybrid), "/");
  EXPECT_EQ(parseUnifiedPath("0::/user.slice/a b\n"), "/user.slice/a b");
  EXPECT_EQ(parseUnifiedPath("12:pids:/x\n1:name=systemd:/x\n"), std::nullopt);  // v1 only
  EXPECT_EQ(parseUnifiedPath(""), std::nullopt);
  EXPECT_EQ(parseUnifiedPath("0::relative\n"), std::nullopt);
}

TEST(CgroupPathTest, FindsTheCgroup2Mount) {
  const std::string hybrid =
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  auto m = findCgroup2Mount(hybrid);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->point, "/sys/fs/cgroup/unified");
  EXPECT_EQ(m->root, "/");

  // Optional fields before " - "; /sys/fs/cgroup wins over an earlier extra mount.
  const std::string unified =
      "25 30 0:22 / /mnt/cg\\040two rw shared:9 - cgroup2 cgroup2 rw\n"
      "26 30 0:22 / /sys/fs/cgroup rw,nosuid shared:4 master:1 - cgroup2 "
      "cgroup2 rw,nsdelegate\n";
  m = findCgroup2Mount(unified);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->point, "/sys/fs/cgroup");
  m = findCgroup2Mount(unified.substr(0, unified.find('\n') + 1));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->point, "/mnt/cg two");

  // A container without a cgroup namespace: a subtree bind-mounted.
  m = findCgroup2Mount("50 40 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->root, "/docker/abc");

  EXPECT_EQ(findCgroup2Mount("31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"),
            std::nullopt);
  EXPECT_EQ(findCgroup2Mount("garbage\n\n"), std::nullopt);
}

TEST(CgroupPathTest, CgroupDirJoinsMountAndPath) {
  const Mount plain{"/sys/fs/cgroup", "/"};
  EXPECT_EQ(cgroupDir(plain, "/"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroupDir(plain, "/system.slice/hbd.service"),
            "/sys/fs/cgroup/system.slice/hbd.service");
  EXPECT_EQ(cgroupDir(Mount{"/sys/fs/cgroup/unified/", "/"}, "/a/"), "/sys/fs/cgroup/unified/a");
  const Mount bind{"/sys/fs/cgroup", "/docker/abc"};
  EXPECT_EQ(cgroupDir(bind, "/docker/abc"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroupDir(bind, "/docker/abc/sub"), "/sys/fs/cgroup/sub");
  EXPECT_EQ(cgroupDir(bind, "/docker/abcd"), std::nullopt);
  EXPECT_EQ(cgroupDir(bind, "/elsewhere"), std::nullopt);
  EXPECT_EQ(cgroupDir(plain, ""), std::nullopt);
}

TEST(CgroupPathTest, CgroupFiles) {
  EXPECT_EQ(parsePids("12\n345\n"), (std::vector<int>{12, 345}));
  EXPECT_EQ(parsePids(""), std::vector<int>{});
  EXPECT_EQ(parsePids("x\n-1\n0\n7\n"), std::vector<int>{7});
  EXPECT_TRUE(parsePopulated("populated 1\nfrozen 0\n"));
  EXPECT_FALSE(parsePopulated("populated 0\nfrozen 0\n"));
  EXPECT_FALSE(parsePopulated(""));
}

// A temporary directory that looks like a cgroup (cgroup.procs, ...) but is on tmpfs or ext4.
class FallbackTest : public ::testing::Test {
 protected:
  resources::test::AgentTree tree;
  hb::test::MemoryLogSink log;
  boost::asio::io_context io;
};

TEST_F(FallbackTest, NonCgroupRootIsRefusedWithAReason) {
  tree.write("fake/cgroup.procs", "", 0644);
  ProbeOptions o;
  o.mount = tree.root() + "/fake";
  auto r = AgentCgroups::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Unsupported);
  EXPECT_NE(r.error().message.find("is not a cgroup2 filesystem"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(
      std::filesystem::exists(tree.root() + "/fake/hbd-" + std::to_string(::getpid()) + "-1"));
}

TEST_F(FallbackTest, MissingPiecesAreRefusedWithAReason) {
  ProbeOptions o;
  o.procCgroupPath = tree.write("proc-cgroup", std::string(kHybrid).substr(0, 20), 0644);
  auto r = AgentCgroups::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no cgroup v2 entry"), std::string::npos) << r.error().message;

  o = ProbeOptions{};
  o.mountinfoPath = tree.write("mountinfo", "31 30 0:28 / /cpu rw - cgroup cgroup rw,cpu\n", 0644);
  r = AgentCgroups::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no cgroup2 filesystem mounted");

  o = ProbeOptions{};
  o.mount = tree.root() + "/does-not-exist";
  r = AgentCgroups::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("No such file"), std::string::npos) << r.error().message;
}

TEST_F(FallbackTest, LauncherWarnsOnce) {
  SpawnLauncherOptions o;
  o.cgroupMount = tree.root();
  auto launcher = makeSpawnLauncher(io, log, o);
  ASSERT_NE(launcher, nullptr);
  EXPECT_EQ(log.count("agents run without a cgroup: a child that calls setsid "
                      "can outlive its "
                      "timeout | reason="),
            1u);
  EXPECT_EQ(log.count("is not a cgroup2 filesystem"), 1u);
  ASSERT_EQ(log.records.size(), 1u);
  EXPECT_EQ(log.records[0].level, LogLevel::Warning);
}

TEST_F(FallbackTest, RunnerWarnsOnceThroughItsOwnLauncher) {
  AgentRunnerOptions o;
  o.paths = tree.paths();
  o.launcher.cgroupMount = tree.root();
  hb::test::FakeScheduler sched;
  AgentRunner runner(sched, io, log, o);
  EXPECT_EQ(log.count("agents run without a cgroup"), 1u);
}

}  // namespace
}  // namespace hb::resources::cgroup
