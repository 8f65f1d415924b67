// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon process around the Daemon object: its pid file and lock, going to the background with
// the start-up result reported to the parent, `hbd -k`, the per-boot generation, `realtime on`.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/unique_fd.h"

namespace hb::daemon {

/** hbd's exit codes (interfaces.md). */
inline constexpr int kExitOk = 0;
inline constexpr int kExitConfig = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

/**
 * RUN_DIR/hbd.pid, locked (flock) for the daemon's whole life: a second hbd with the same run dir
 * refuses to start. The lock belongs to the open file, so it survives the fork into the background.
 */
class PidFile {
 public:
  /** Creates RUN_DIR if needed, opens and locks the pid file. Io error: cannot open, or locked by a
   *  running hbd ("another hbd is running with run dir ..."). */
  static Result<PidFile> lock(const std::string& run_dir);
  /** Writes this process's pid (call after going to the background). */
  void writeSelf();
  /** Removes the file (at exit; the lock goes with the descriptor). */
  void remove();
  const std::string& path() const { return path_; }

 private:
  PidFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

/**
 * The state dir (--state-dir, default /var/lib/hbd): what must survive a reboot (generation,
 * groups blocked by a failed stop). Created (0700) if needed and locked (flock on DIR/hbd.lock)
 * for the daemon's whole life: two hbd sharing one state dir would share the generation and the
 * blocked groups, so the second refuses to start. Io error: cannot create or open, or locked.
 */
Result<UniqueFd> lockStateDir(const std::string& state_dir);

/** One line of STATE_DIR/blocked: a group blocked by a failed stop on a node (executor::Blocked). */
struct BlockedLine {
  std::string group;
  std::string node;
  bool operator==(const BlockedLine&) const = default;
};
/**
 * STATE_DIR/blocked, one `GROUP NODE` per line (`#` comments). A missing file is an empty list;
 * a line that is not two words is skipped and reported in `problems` ("PATH:LINE: ...").
 */
std::vector<BlockedLine> readBlocked(const std::string& state_dir, std::vector<std::string>& problems);
/** Replaces STATE_DIR/blocked atomically (temp file, fsync, rename, fsync of the dir). */
Result<void> writeBlocked(const std::string& state_dir, const std::vector<BlockedLine>& lines);

/**
 * RUN_DIR/hbd.unclean: written by a daemon that stopped with groups unmanaged (a failed stop), read
 * by `hbd -k` once the daemon has gone (it then prints it and exits kExitRuntime). A daemon
 * removes it when it starts.
 */
std::string uncleanPath(const std::string& run_dir);

/** The pid in a pid file, if it holds a number above 1. */
std::optional<pid_t> readPid(const std::string& path);

/**
 * `hbd -k`: SIGTERM to the pid in RUN_DIR/hbd.pid, then wait (up to 120 s: resources are released
 * first) until it has gone. Messages go to `err`. kExitOk also when nothing was running;
 * kExitRuntime when the daemon left uncleanPath() behind (a group whose stop failed).
 */
int stopRunning(const std::string& run_dir, std::ostream& err);

/**
 * Going to the background with the start-up result as the parent's exit code: the parent waits
 * until the child calls ready(code) (or dies: kExitRuntime), so `hbd` returns only once the daemon
 * is up or has failed, as an init script expects.
 */
class Background {
 public:
  /** Forks. In the parent: the child's reported code (return it from main). In the child: nullopt,
   *  after setsid, stdin/stdout/stderr on /dev/null and chdir("/"). A failed fork: kExitRuntime. */
  std::optional<int> detach();
  /** Reports the start-up result to the waiting parent (once; nothing in the foreground). */
  void ready(int code);

 private:
  UniqueFd report_;
};

/** ha.cf `hbgenmethod`. */
enum class GenMethod { File, Time };

/** This start's generation and what it came from (for the start-up log line). */
struct Generation {
  std::uint64_t value = 0;
  std::string_view basis;  ///< "counter", "clock", or "clock (no previous generation)"
};

/**
 * This start's generation, persisted in STATE_DIR/generation before it is returned, so no frame
 * ever carries a generation a restart could repeat.
 *  - File (heartbeat's default): previous + 1, whatever the clock says.
 *  - Time: max(previous + 1, wall_ms): the clock, but never back while the file survives.
 * Without a readable previous value (first start, wiped state dir) both start from
 * max(wall_ms, RUN_DIR/generation + 1) (the run dir held it before --state-dir existed): peers may
 * still remember this node's last generation, and a wall clock in ms is above any counter that
 * started from one, so the node does not come back lower than they remember (which they would
 * only accept after a challenge).
 * Written atomically: a temporary file, fsync, rename, fsync of the directory.
 * @return an Io error naming the file when it cannot be written: the caller must not start.
 */
Result<Generation> nextGeneration(const std::string& state_dir, const std::string& run_dir,
                                  GenMethod method, std::uint64_t wall_ms);

/** heartbeat's `realtime on`: lock memory, SCHED_FIFO. Failures are warnings, never fatal. */
void applyRealtime(bool on, LogSink& log);

}  // namespace hb::daemon
