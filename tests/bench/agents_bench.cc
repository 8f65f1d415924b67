// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmark (not a test): cost of one trivial agent action through AgentRunner versus a bare
// fork/exec/waitpid of the same script, and the daemon side's peak RSS with 50 actions at once.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "resources/agents/agents.h"
#include "resources/base/asio_scheduler.h"

namespace {

using hb::resources::ActionRequest;
using hb::resources::ActionResult;
using hb::resources::AgentClass;
using hb::resources::AgentSpec;
using Clock = std::chrono::duration<double, std::micro>;

long statusKb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string k = std::string(key) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(k, 0) == 0) return std::atol(line.c_str() + k.size());
  }
  return -1;
}

void writeScript(const std::string& path, const std::string& body) {
  std::ofstream(path) << body;
  std::filesystem::permissions(path, std::filesystem::perms(0755));
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 300;
  const int concurrent = argc > 2 ? std::atoi(argv[2]) : 50;
  std::string tmpl = "/tmp/hb_agents_bench.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return 1;
  const std::string root = tmpl;
  std::filesystem::create_directories(root + "/resource.d/bench");
  const std::string trivial = root + "/resource.d/bench/Trivial";
  writeScript(trivial, "#!/bin/sh\nexit 0\n");
  writeScript(root + "/resource.d/bench/Nap", "#!/bin/sh\nsleep 1\nexit 0\n");

  boost::asio::io_context io;
  hb::AsioScheduler sched(io);
  hb::resources::AgentRunnerOptions opt;
  opt.paths.ocfRoot = root;
  hb::resources::AgentRunner runner(sched, io, hb::nullLogSink(), opt);
  runner.cacheMetadata(AgentSpec{AgentClass::Ocf, "bench", "Trivial"}, {});
  runner.cacheMetadata(AgentSpec{AgentClass::Ocf, "bench", "Nap"}, {});

  ActionRequest req;
  req.resource = "t";
  req.spec = AgentSpec{AgentClass::Ocf, "bench", "Trivial"};
  req.action = "monitor";

  // 1. Through the runner, one at a time.
  int failures = 0;
  auto t0 = sched.now();
  for (int i = 0; i < iterations; ++i) {
    bool done = false;
    auto id = runner.run(req, [&](const ActionResult& r) {
      failures += !r.ok();
      done = true;
    });
    if (!id) {
      std::fprintf(stderr, "run: %s\n", id.error().message.c_str());
      return 1;
    }
    io.restart();
    while (!done && io.run_one() > 0) {
    }
  }
  const double runnerUs = Clock(sched.now() - t0).count() / iterations;

  // 2. Bare fork/exec/waitpid of the same script (no pipes, no environment work, no loop).
  char* const args[] = {const_cast<char*>(trivial.c_str()), const_cast<char*>("monitor"), nullptr};
  char* const env[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  t0 = sched.now();
  for (int i = 0; i < iterations; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execve(trivial.c_str(), args, env);
      ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    failures += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  const double bareUs = Clock(sched.now() - t0).count() / iterations;

  std::printf("agents_bench: trivial agent action, %d runs each\n", iterations);
  std::printf("  through AgentRunner : %8.1f us/action\n", runnerUs);
  std::printf("  bare fork/exec/wait : %8.1f us/action\n", bareUs);
  std::printf("  ratio runner/bare   : %8.2f\n", runnerUs / bareUs);

  // 3. Peak RSS of this (daemon) process while `concurrent` actions run at once.
  {
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
  }
  const long rssBefore = statusKb("VmRSS");
  req.spec = AgentSpec{AgentClass::Ocf, "bench", "Nap"};
  int done = 0;
  t0 = sched.now();
  for (int i = 0; i < concurrent; ++i) {
    req.resource = "nap" + std::to_string(i);
    auto id = runner.run(req, [&](const ActionResult& r) {
      failures += !r.ok();
      ++done;
    });
    if (!id) return 1;
  }
  const std::size_t inFlight = runner.running();
  io.restart();
  while (done < concurrent && io.run_one() > 0) {
  }
  const double wallMs = Clock(sched.now() - t0).count() / 1000.0;
  const long peak = statusKb("VmHWM");
  std::printf("  %d concurrent 1 s actions: in flight %zu, all done in %.0f ms\n", concurrent,
              inFlight, wallMs);
  std::printf("  daemon RSS before %ld KiB, peak %ld KiB, +%ld KiB (%.1f KiB/action)\n",
              rssBefore, peak, peak - rssBefore,
              concurrent > 0 ? static_cast<double>(peak - rssBefore) / concurrent : 0.0);
  std::printf("  failures: %d\n", failures);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return failures == 0 ? 0 : 1;
}
