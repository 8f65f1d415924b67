// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon process setup: pid-file lock, -k without a daemon, the per-boot generation.
#include "hbd/daemon/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hb::daemon {
namespace {

namespace fs = std::filesystem;

class DaemonProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hbprocXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string dir_;
};

TEST_F(DaemonProcessTest, PidFileIsLockedOncePerRunDir) {
  const std::string run = dir_ + "/run";  // created on demand
  auto first = PidFile::lock(run);
  ASSERT_TRUE(first) << first.error().message;
  first->writeSelf();
  EXPECT_EQ(readPid(run + "/hbd.pid"), ::getpid());
  auto second = PidFile::lock(run);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "another hbd is running with run dir " + run);
  first->remove();
  EXPECT_FALSE(fs::exists(run + "/hbd.pid"));
}

TEST_F(DaemonProcessTest, LockIsReleasedWithTheDescriptor) {
  { auto first = PidFile::lock(dir_); ASSERT_TRUE(first); }
  EXPECT_TRUE(PidFile::lock(dir_));
}

TEST_F(DaemonProcessTest, LockInAnUnwritableRunDirFailsClearly) {
  write("file", "");
  auto r = PidFile::lock(dir_ + "/file");  // a file, not a directory
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot open " + dir_ + "/file/hbd.pid"), std::string::npos);
}

TEST_F(DaemonProcessTest, StateDirIsCreatedPrivateAndLockedOncePerDaemon) {
  const std::string state = dir_ + "/state";
  auto first = lockStateDir(state);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_all);
  auto second = lockStateDir(state);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message,
            "state dir " + state + " is in use by another hbd (give each hbd its own --state-dir)");
  first->reset();
  EXPECT_TRUE(lockStateDir(state));
  write("plain", "");
  EXPECT_FALSE(lockStateDir(dir_ + "/plain"));  // a file, not a directory
}

TEST_F(DaemonProcessTest, BlockedGroupsRoundTripAndBadLinesAreReported) {
  std::vector<std::string> problems;
  EXPECT_TRUE(readBlocked(dir_, problems).empty());  // no file yet
  EXPECT_TRUE(problems.empty());
  const std::vector<BlockedLine> lines{{"web", "alpha"}, {"db", "beta"}};
  ASSERT_TRUE(writeBlocked(dir_, lines));
  EXPECT_EQ(readBlocked(dir_, problems), lines);
  EXPECT_TRUE(problems.empty());
  EXPECT_FALSE(fs::exists(dir_ + "/blocked.tmp"));
  write("blocked", "# comment\nweb alpha\nonlyone\na b c\n\n");
  EXPECT_EQ(readBlocked(dir_, problems), (std::vector<BlockedLine>{{"web", "alpha"}}));
  EXPECT_EQ(problems, (std::vector<std::string>{dir_ + "/blocked:3: not GROUP NODE, ignored",
                                                dir_ + "/blocked:4: not GROUP NODE, ignored"}));
  ASSERT_TRUE(writeBlocked(dir_, {}));
  problems.clear();
  EXPECT_TRUE(readBlocked(dir_, problems).empty());
  EXPECT_FALSE(writeBlocked(dir_ + "/missing", lines));
}

TEST_F(DaemonProcessTest, ReadPidRejectsGarbage) {
  for (const char* text : {"", "abc", "1\n", "0", "-5"}) {
    write("p", text);
    EXPECT_FALSE(readPid(dir_ + "/p")) << text;
  }
  write("p", "4242\n");
  EXPECT_EQ(readPid(dir_ + "/p"), 4242);
  EXPECT_FALSE(readPid(dir_ + "/missing"));
}

TEST_F(DaemonProcessTest, StopWithoutADaemonSaysNotRunning) {
  std::ostringstream err;
  EXPECT_EQ(stopRunning(dir_, err), kExitOk);
  EXPECT_EQ(err.str(), "hbd: not running (no live pid in " + dir_ + "/hbd.pid)\n");
  // A stale pid file: the pid of a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  write("hbd.pid", std::to_string(child) + "\n");
  err.str("");
  EXPECT_EQ(stopRunning(dir_, err), kExitOk);
  EXPECT_NE(err.str().find("not running"), std::string::npos);
}

std::uint64_t gen(const Result<Generation>& g) { return g ? g->value : 0; }

TEST_F(DaemonProcessTest, GenerationGrowsAcrossBootsEvenWhenTheClockGoesBack) {
  // hbgenmethod time: the clock, but never below the previous one while the state dir survives.
  const std::string state = dir_ + "/state", run = dir_ + "/run";
  fs::create_directory(state);
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::Time, 1000)), 1000u);
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::Time, 500)), 1001u);   // clock stepped back
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::Time, 5000)), 5000u);  // clock ahead: the clock
  EXPECT_EQ(read("state/generation"), "5000\n");
  write("state/generation", "garbage");
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::Time, 7)), 7u);  // unreadable: from the clock
  EXPECT_FALSE(fs::exists(run + "/generation"));  // the run dir (tmpfs) is no longer written
}

TEST_F(DaemonProcessTest, FileMethodPersistsInTheStateDirAndGrowsByOne) {
  const std::string state = dir_ + "/state", run = dir_ + "/run";
  fs::create_directory(state);
  // First start: no previous value, so the clock (peers may remember a generation from before).
  auto first = nextGeneration(state, run, GenMethod::File, 1'700'000'000'000);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->value, 1'700'000'000'000u);
  EXPECT_EQ(first->basis, "clock (no previous generation)");
  EXPECT_EQ(read("state/generation"), "1700000000000\n");
  // Then a counter: one more per start, whatever the clock does (back or ahead).
  auto second = nextGeneration(state, run, GenMethod::File, 5);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->value, 1'700'000'000'001u);
  EXPECT_EQ(second->basis, "counter");
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::File, 9'000'000'000'000)), 1'700'000'000'002u);
  EXPECT_EQ(read("state/generation"), "1700000000002\n");
  EXPECT_FALSE(fs::exists(state + "/generation.tmp"));
  // A restored (older) file is what the node comes back with: peers challenge it (membership).
  write("state/generation", "41\n");
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::File, 1'700'000'000'000)), 42u);
  // Switching to time keeps growing from the file too.
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::Time, 10)), 43u);
}

TEST_F(DaemonProcessTest, MissingStateFileMigratesTheRunDirGeneration) {
  const std::string state = dir_ + "/state", run = dir_ + "/run";
  fs::create_directory(state);
  fs::create_directory(run);
  write("run/generation", "9000\n");  // written by an hbd from before --state-dir
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::File, 100)), 9001u);  // above the clock: the old one + 1
  fs::remove(state + "/generation");
  EXPECT_EQ(gen(nextGeneration(state, run, GenMethod::File, 20000)), 20000u);  // the clock is higher
  EXPECT_EQ(read("state/generation"), "20000\n");
}

TEST_F(DaemonProcessTest, UnwritableStateDirRefusesToGiveAGeneration) {
  write("plain", "");
  // A file where the state dir should be: nothing can be written under it (as root too).
  auto r = nextGeneration(dir_ + "/plain", dir_ + "/run", GenMethod::File, 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Io);
  EXPECT_NE(r.error().message.find("cannot write the generation: cannot create " + dir_ +
                                   "/plain/generation.tmp"),
            std::string::npos)
      << r.error().message;
  // A directory in the way of the file: the rename fails, the old value is not lost.
  fs::create_directories(dir_ + "/state/generation");
  auto blocked = nextGeneration(dir_ + "/state", dir_ + "/run", GenMethod::Time, 1000);
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message.find("cannot rename to " + dir_ + "/state/generation"),
            std::string::npos)
      << blocked.error().message;
}

}  // namespace
}  // namespace hb::daemon
