// SPDX-License-Identifier: GPL-2.0-or-later
// Running one action of one resource agent (OCF, LSB, heartbeat v1) as a child process.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/scheduler.h"

namespace boost::asio {
class io_context;
}

namespace hb::resources {

// ---------------------------------------------------------------------------------------------
// Agent names and where agents live

/** The three agent classes hbd runs. */
enum class AgentClass {
  Ocf,        ///< `ocf:PROVIDER:TYPE`: action as the only argument, parameters in OCF_RESKEY_*.
  Lsb,        ///< `lsb:NAME`: an init script in the init dir, `NAME start|stop|status`.
  Heartbeat,  ///< bare `NAME` (or `heartbeat:NAME`): `NAME [args...] start|stop|status`.
};

/** "ocf", "lsb" or "heartbeat". */
std::string_view agentClassName(AgentClass c);

/** Which agent: class, provider (OCF only, else empty) and type (script name). */
struct AgentSpec {
  AgentClass cls = AgentClass::Heartbeat;
  std::string provider;
  std::string type;

  /** The canonical text form: `ocf:heartbeat:Dummy`, `lsb:nginx`, `IPaddr`. */
  std::string toString() const;
  friend bool operator==(const AgentSpec&, const AgentSpec&) = default;
};

/**
 * Parses `ocf:PROVIDER:TYPE`, `lsb:NAME`, `heartbeat:NAME` or a bare `NAME` (heartbeat class).
 * Provider and type must be plain file names (no '/', not "." or "..", no NUL, not empty).
 * @return the spec, or Errc::InvalidArgument ("unknown agent class 'stonith'", ...).
 */
Result<AgentSpec> parseAgentSpec(std::string_view text);

/**
 * Where agents are looked up; the daemon fills this from its own options (interfaces.md).
 * Plain data; copied into the runner.
 */
struct AgentPaths {
  /** OCF_ROOT exported to OCF agents; `ocf:P:T` runs `<ocfRoot>/resource.d/P/T`. */
  std::string ocfRoot = "/usr/lib/ocf";
  /** Directory of provider `hbd` (our own agents): the build tree's `ocf/resource.d/hbd`
   *  when run from a build tree, else `/usr/lib/ocf/resource.d/hbd`. */
  std::string hbdAgentDir = "/usr/lib/ocf/resource.d/hbd";
  /** Where `lsb:NAME` scripts live, and the heartbeat class's second lookup place. */
  std::string initDir = "/etc/init.d";
  /** The configuration directory; heartbeat-class scripts are looked up in `<configDir>/resource.d`
   *  first. Exported as HA_DIR to heartbeat-class scripts. */
  std::string configDir = "/etc/ha.d";
  /** PATH given to every agent. */
  std::string path = "/usr/sbin:/usr/bin:/sbin:/bin";
};

/**
 * The file that runs `spec`: checks that it exists, is a regular file and is executable.
 * @return the absolute path, or Errc::NotFound ("unknown OCF provider 'x'", "agent not found:
 *         ...") / Errc::Permission ("agent ... is not executable"). Touches the filesystem only.
 */
Result<std::string> resolveAgentPath(const AgentSpec& spec, const AgentPaths& paths);

// ---------------------------------------------------------------------------------------------
// Meta-data

/** One `<parameter>` of an OCF agent's meta-data. */
struct ParameterInfo {
  std::string name;
  bool required = false;
  bool unique = false;
  std::string type;                          ///< `<content type=...>`: string, integer, boolean...
  std::optional<std::string> defaultValue;   ///< `<content default=...>`, when given.
  std::string shortDesc;
};

/** One `<action>` of an OCF agent's meta-data; absent attributes stay empty. */
struct ActionInfo {
  std::string name;
  std::optional<std::chrono::milliseconds> timeout;   ///< advertised (minimum recommended) timeout
  std::optional<std::chrono::milliseconds> interval;  ///< recommended recurring interval
  std::optional<int> depth;                           ///< OCF_CHECK_LEVEL
  std::string role;
};

/** What an OCF agent says about itself (`meta-data` action). */
struct AgentMetadata {
  std::string name;        ///< `<resource-agent name=...>`
  std::string version;     ///< the agent's own version attribute
  std::string apiVersion;  ///< `<version>` element (OCF API version claimed)
  std::string shortDesc;
  std::vector<ParameterInfo> parameters;
  std::vector<ActionInfo> actions;

  /** The parameter called `name`, or nullptr. */
  const ParameterInfo* findParameter(std::string_view name) const;
  /** The advertised timeout of action `name` (the first entry that has one), if any. */
  std::optional<std::chrono::milliseconds> actionTimeout(std::string_view name) const;
  /** Names of required parameters absent from `params`, in meta-data order. */
  std::vector<std::string> missingRequired(const std::map<std::string, std::string>& params) const;
};

/**
 * Parses meta-data XML (pure; tinyxml2). The root must be `<resource-agent>`; parameters need
 * a name; malformed time values are an error.
 * @return the meta-data, or Errc::Parse with the reason.
 */
Result<AgentMetadata> parseMetadata(std::string_view xml);

/**
 * Parses a Pacemaker-style duration: a number with an optional unit ms|msec|s|sec|m|min|h|hr
 * (no unit = seconds), e.g. "20s", "100ms", "2min", "20".
 * @return milliseconds, or Errc::Parse.
 */
Result<std::chrono::milliseconds> parseAgentDuration(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Results

/** OCF exit codes (PM `enum ocf_exitcode`); every class's code is mapped onto these. */
enum class OcfStatus {
  Success = 0,
  ErrGeneric = 1,
  ErrArgs = 2,
  ErrUnimplemented = 3,
  ErrPerm = 4,
  ErrInstalled = 5,
  ErrConfigured = 6,
  NotRunning = 7,
  RunningPromoted = 8,
  FailedPromoted = 9,
  Degraded = 190,
  DegradedPromoted = 191,
  Unknown = 255,   ///< any other exit code, a signal, a timeout, or nothing ran
};

/** Short name of an OCF status: "success", "generic-error", ..., "not-running", "unknown". */
std::string_view ocfStatusName(OcfStatus s);

/** Maps a raw OCF exit code to the enum (other values -> Unknown). */
OcfStatus ocfStatusFromCode(int code);

/** What happened, after interpreting the exit code per class and action. */
enum class Outcome {
  Success,      ///< "ok": the action did what was asked; for monitor/status: running
  NotRunning,   ///< "not-running": monitor/status says cleanly stopped
  Failed,       ///< "error": the agent ran and reported failure (see ocfStatus / exitCode)
  TimedOut,     ///< "timeout": killed by the runner at the action's timeout
  Cancelled,    ///< "cancelled": killed by cancel()/cancelAll()
  Signaled,     ///< "killed": the agent died from a signal the runner did not send
  ConfigError,  ///< "config-error": rejected before running (missing required parameter)
};

/** The result word printed by `hbctl agent run` for each Outcome (see Outcome comments). */
std::string_view outcomeWord(Outcome o);

/** The result of one action. */
struct ActionResult {
  std::uint64_t id = 0;        ///< the id run() returned
  std::string resource;
  std::string action;          ///< as requested (e.g. "monitor", even when an LSB "status" ran)
  Outcome outcome = Outcome::Failed;
  int exitCode = -1;           ///< raw exit code; -1 when signaled, timed out or nothing ran
  int signal = 0;              ///< terminating signal, 0 when it exited
  OcfStatus ocfStatus = OcfStatus::Unknown;
  std::string stdoutTail;      ///< the last <= outputTailBytes of stdout
  std::string stderrTail;      ///< the last <= outputTailBytes of stderr
  std::uint64_t stdoutBytes = 0;  ///< total bytes seen (including those not kept)
  std::uint64_t stderrBytes = 0;
  std::string exitReason;      ///< text of the last `ocf-exit-reason:` line, if any
  std::string error;           ///< why, when outcome is ConfigError
  std::chrono::milliseconds duration{0};
  int pid = 0;

  /** outcomeWord(outcome). */
  std::string_view resultWord() const { return outcomeWord(outcome); }
  bool ok() const { return outcome == Outcome::Success; }
};

/**
 * Interprets an exit code for a class and action, exactly as each class defines it:
 *  - OCF: 0 ok; monitor/status: 0/8/190/191 running, 7 not-running (5 on a probe, interval 0,
 *    too), other error; stop: 7 counts as ok (stopped) with the status kept; others: 0 ok.
 *  - LSB: status: 0 running, 1/2/3 not running, other error; other actions 0 ok (stop: 7 ok).
 *  - heartbeat: start/stop: 0 ok, else error; status: decided by heartbeatStatusRunning(stdout).
 * `action` is the requested name (monitor for LSB/heartbeat means status).
 */
void interpretExit(AgentClass cls, std::string_view action, bool probe, int exitCode,
                   std::string_view stdoutText, ActionResult& result);

/**
 * heartbeat v1's ResourceManager status rule on an agent's stdout (exit code ignored):
 * contains "not" (any case) + space + ... + "[Rr]unning" -> false; else contains "[Rr]unning" or
 * "OK" -> true; else false.
 */
bool heartbeatStatusRunning(std::string_view stdoutText);

// ---------------------------------------------------------------------------------------------
// Processes

/** Which output pipe a chunk came from. */
enum class OutputStream { Stdout, Stderr };

/** One program to start: path, full argv (argv[0] included) and the whole environment. */
struct ProcessSpec {
  std::string path;
  std::vector<std::string> argv;
  std::vector<std::string> env;  ///< "NAME=value" entries; nothing else is inherited
};

/** How a child ended. */
struct ExitStatus {
  bool signaled = false;
  int code = 0;  ///< exit code, or the signal number when signaled
};

/** Callbacks of a launched process; both run on the loop (or inside fake calls in tests). */
struct ProcessCallbacks {
  /** A chunk of output (any split, not lines). */
  std::function<void(OutputStream, std::string_view)> onOutput;
  /** Exactly once, after the last onOutput, when the child has been reaped. Output written later
   *  by leftover grandchildren is not reported. The Process may be destroyed inside. */
  std::function<void(ExitStatus)> onExit;
};

/** A running child; the leader of its own process group and, where the launcher has cgroups,
 *  the first process of its own cgroup. Loop thread only. */
class Process {
 public:
  virtual ~Process() = default;
  virtual int pid() const = 0;
  /** Sends `signo` to the child's whole process group, and to every process of its cgroup that
   *  left the group (setsid); SIGKILL kills the whole cgroup. Harmless once reaped. */
  virtual void signalGroup(int signo) = 0;
  /** From now on, when the leader exits, SIGKILL what is left of its group and cgroup before
   *  reaping it (after a timeout: grandchildren die too, even in another session). */
  virtual void killGroupOnExit() = 0;
};
using ProcessPtr = std::unique_ptr<Process>;

/**
 * Starts child processes. Production: makeSpawnLauncher(); tests: FakeProcessLauncher.
 * Destroying a Process whose child still runs kills its group with SIGKILL and reaps it.
 */
class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  /**
   * Starts `spec`. The child: own process group (and own cgroup, for the production launcher
   * where cgroups are usable), cwd "/", stdin /dev/null, stdout/stderr pipes,
   * every other descriptor closed, signal dispositions default and mask empty, exactly `env`.
   * @return the process, or an Error when it could not be started (nothing runs then).
   */
  virtual Result<ProcessPtr> launch(const ProcessSpec& spec, ProcessCallbacks callbacks) = 0;
};
using ProcessLauncherPtr = std::unique_ptr<ProcessLauncher>;

/** How the production launcher contains its children. Plain data. */
struct SpawnLauncherOptions {
  /** Where the cgroup v2 hierarchy is mounted; empty: found in /proc/self/mountinfo (e.g.
   *  /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system). */
  std::string cgroupMount;
};

/**
 * The production launcher: vfork + execve (so its cost does not grow with the daemon's RSS), a
 * pidfd per child watched by the io_context (no SIGCHLD handler, no waitpid(-1)), output pipes
 * read when readable. Needs Linux >= 5.3. `io` must outlive the launcher and its processes.
 *
 * Containment: each child gets its own process group and, when the launcher could set up cgroups
 * at creation (cgroup v2, write access to our own cgroup), its own cgroup
 * `<our cgroup>/hbd-<pid>-<n>/a<seq>`, entered between fork and exec. A timeout's or cancel's
 * KILL then reaches processes that left the group (setsid). After the leader is reaped, what is
 * left of a killed action dies; what a finished action left running (a daemon it started) moves
 * to our own cgroup; the action's cgroup is removed once empty (the launcher's when it goes).
 * Without cgroups, process groups only. See docs/architecture.md, "Containing agents".
 * This overload is silent; the one below logs how children are contained, once.
 */
ProcessLauncherPtr makeSpawnLauncher(boost::asio::io_context& io);

/**
 * makeSpawnLauncher(io) that logs (subsystem exec), once, at creation: Info with the cgroup
 * used, or the Warning "agents run without a cgroup: a child that calls setsid can outlive its
 * timeout | reason=..."; later, a Warning for an action that could not get its cgroup.
 * `log` must outlive the launcher.
 */
ProcessLauncherPtr makeSpawnLauncher(boost::asio::io_context& io, LogSink& log,
                                     SpawnLauncherOptions options = {});

// ---------------------------------------------------------------------------------------------
// The runner

/** One action to run. */
struct ActionRequest {
  std::string resource;  ///< instance name (OCF_RESOURCE_INSTANCE); named in every error
  AgentSpec spec;
  std::string action;    ///< start, stop, monitor, meta-data, validate-all, status, ...
  /** OCF: OCF_RESKEY_<name>=value. heartbeat: positional arguments named "1", "2", ... */
  std::map<std::string, std::string> params;
  /** heartbeat class: positional arguments (used instead of numbered params when non-empty). */
  std::vector<std::string> args;
  /** Timeout; when absent: the agent's advertised timeout for the action, else 20 s. */
  std::optional<std::chrono::milliseconds> timeout;
  /** OCF_RESKEY_CRM_meta_interval; 0 marks a monitor as a probe. */
  std::chrono::milliseconds interval{0};
};

/** Knobs of the runner. */
struct AgentRunnerOptions {
  AgentPaths paths;
  std::chrono::milliseconds defaultTimeout{20000};
  std::chrono::milliseconds killGrace{2000};   ///< between SIGTERM and SIGKILL
  std::chrono::milliseconds metadataTimeout{10000};
  std::size_t outputTailBytes = 64 * 1024;     ///< kept per stream
  std::size_t maxLineBytes = 4096;             ///< longer lines are logged cut
  std::size_t maxLoggedLines = 200;            ///< per action and stream; then one notice
  std::string nodeName;                        ///< HA_CURHOST for heartbeat-class scripts
  std::string stateDir;                        ///< HA_RSCTMP for every agent (empty: the agent's default)
  SpawnLauncherOptions launcher;               ///< for the runner's own launcher (none injected)
};

/**
 * Runs agent actions as child processes, several at once, reporting on the loop.
 *
 * Per action:
 * ```
 *   [validate] --error--> run() returns Error, nothing ran
 *       | (OCF, meta-data not cached: run `meta-data` first, check required params;
 *       |  missing -> done(ConfigError), nothing else ran)
 *       v
 *   spawned --exit--------------------------------------> reaped -> done(result)
 *       | timeout / cancel
 *       v
 *   term_sent (SIGTERM to the group) --exit--------------> reaped (group SIGKILLed) -> done
 *       | killGrace
 *       v
 *   kill_sent (SIGKILL to the group) --exit--------------> reaped -> done
 *       | killGrace: log "will not die" once, keep waiting
 * ```
 * Loop thread only. `done` runs on the loop, never inside run(). Destroying the runner kills
 * every child (SIGKILL to the group) without calling `done`.
 */
class AgentRunner {
 public:
  /**
   * @param scheduler timers and durations; @param io the loop the default launcher uses;
   * @param log receives one line per result (subsystem exec) and the agents' output lines;
   * @param launcher nullptr = makeSpawnLauncher(io, log, options.launcher); else not owned, must
   *        outlive the runner.
   */
  AgentRunner(Scheduler& scheduler, boost::asio::io_context& io, LogSink& log,
              AgentRunnerOptions options, ProcessLauncher* launcher = nullptr);
  ~AgentRunner();
  AgentRunner(const AgentRunner&) = delete;
  AgentRunner& operator=(const AgentRunner&) = delete;

  /**
   * Checks the request and starts it. Checked first (then nothing runs): the agent exists and
   * is executable, parameter names are valid environment names, LSB gets no parameters,
   * heartbeat parameters are numbered, and (OCF, meta-data cached) no required parameter is
   * missing. Every error message names the resource.
   * @return an id (> 0), or the Error.
   */
  Result<std::uint64_t> run(ActionRequest request, std::function<void(const ActionResult&)> done);

  /** Starts loading (and caching) an OCF agent's meta-data; `done` gets the parse result. */
  void loadMetadata(const AgentSpec& spec,
                    std::function<void(const Result<AgentMetadata>&)> done);
  /** Meta-data cached for `spec` (loaded by loadMetadata, a run, or cacheMetadata), or nullptr. */
  const AgentMetadata* cachedMetadata(const AgentSpec& spec) const;
  /** Stores meta-data for `spec` (e.g. read at configuration time). */
  void cacheMetadata(const AgentSpec& spec, AgentMetadata metadata);

  /** TERM then KILL the action's group; done() reports Cancelled. @return false if unknown. */
  bool cancel(std::uint64_t id);
  /** cancel() for every running action (daemon shutdown). */
  void cancelAll();
  /** Actions started and not yet reported. */
  std::size_t running() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hb::resources
