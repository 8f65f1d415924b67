// SPDX-License-Identifier: GPL-2.0-or-later
// VrrpScriptRunner: vrrp_script and notify commands through the agents' ProcessLauncher.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hbd/vrrp/vrrp.h"
#include "resources/agents/agents.h"

namespace hb::vrrp {

/** How one command ended. */
struct ScriptOutcome {
  bool ok = false;         ///< exited with status 0 before its timeout
  bool timed_out = false;  ///< the runner sent SIGTERM at the timeout
  bool signaled = false;
  int code = -1;           ///< exit code, or the signal number when signaled
  std::string output_tail; ///< the last kOutputTailBytes of stdout and stderr, interleaved
};

/**
 * Runs a prepared command (prepareScriptCommand: no shell, as keepalived) with ARGS appended, through
 * a resources::ProcessLauncher (own process group,
 * stdin /dev/null, output captured, environment PATH and LANG=C only) and reports on the loop.
 *
 * ```
 *   run() -> spawned --exit--------------------------------> reaped -> done(outcome)
 *              | timeout
 *              v
 *            term_sent (SIGTERM to the group) --exit-------> reaped (group SIGKILLed) -> done
 *              | kill grace
 *              v
 *            kill_sent (SIGKILL to the group) --exit-------> reaped -> done
 *              | kill grace: log "will not die" once, keep waiting
 * ```
 * Output lines are logged at `output_level` (subsystem vrrp, at most kMaxLoggedLines per run).
 * stopAll() sends SIGTERM to every group, forgets every `done`, and escalates to SIGKILL after
 * the grace like a timeout. Destroying the runner destroys the Process handles, which kill and
 * reap what is left (the launcher's last resort). Loop thread only; `done` never runs inside run().
 */
class VrrpScriptRunner : public std::enable_shared_from_this<VrrpScriptRunner> {
 public:
  using Done = std::function<void(const ScriptOutcome&)>;
  static constexpr std::size_t kOutputTailBytes = 2048;
  static constexpr int kMaxLoggedLines = 20;

  VrrpScriptRunner(Scheduler& sched, LogSink& log, resources::ProcessLauncher& launcher,
                   std::chrono::milliseconds kill_grace = std::chrono::seconds(2))
      : sched_(sched), log_(log), launcher_(launcher), kill_grace_(kill_grace) {}

  /**
   * Starts `cmd` with `args` appended as separate words.
   * @param label names the command in logs ("notify_master of VI_1", "vrrp_script chk")
   * @param timeout 0 = none
   * @param output_level level of the logged output lines
   * @return false when it could not be started (logged; `done` is not called)
   */
  bool run(const std::string& label, const ScriptCommand& cmd, const std::vector<std::string>& args,
           Micros timeout, LogLevel output_level, Done done);
  /** SIGTERM to every running command, then SIGKILL after the grace; no `done` runs. */
  void stopAll();
  /** Commands started and not yet reaped (stopped ones included until they are reaped). */
  std::size_t running() const { return children_.size(); }

 private:
  struct Child {
    std::string label;
    resources::ProcessPtr process;
    TimerPtr timer;
    Done done;
    LogLevel level = LogLevel::Info;
    std::string tail;
    std::string partial[2];
    int logged = 0;
    bool timed_out = false;
    bool kill_sent = false;
  };
  void onOutput(std::uint64_t id, resources::OutputStream s, std::string_view chunk);
  void onLine(Child& c, std::string_view line);
  void onExit(std::uint64_t id, resources::ExitStatus st);
  void escalate(std::uint64_t id);

  Scheduler& sched_;
  LogSink& log_;
  resources::ProcessLauncher& launcher_;
  std::chrono::milliseconds kill_grace_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Child> children_;
};

}  // namespace hb::vrrp
