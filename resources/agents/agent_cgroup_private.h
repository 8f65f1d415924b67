// SPDX-License-Identifier: GPL-2.0-or-later
// cgroup v2 containment of agent actions: where hbd's cgroups live, one cgroup per action.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/base/result.h"
#include "resources/base/unique_fd.h"

namespace hb::resources::cgroup {

// ---------------------------------------------------------------------------------------------
// Pure parts (text in, values out; unit-tested)

/** The cgroup v2 path of a `/proc/PID/cgroup` text: the `0::PATH` line ("/a/b"), else nullopt. */
std::optional<std::string> parseUnifiedPath(std::string_view procCgroup);

/** A cgroup2 mount from /proc/self/mountinfo. */
struct Mount {
  std::string point;  ///< where it is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified
  std::string root;   ///< the hierarchy path shown there ("/" unless a bind mount of a subtree)
};

/** The cgroup2 mount in a mountinfo text: /sys/fs/cgroup if it is one, else the first. */
std::optional<Mount> findCgroup2Mount(std::string_view mountinfo);

/** The directory of cgroup `path` ("/a/b") under `mount`, or nullopt when the mount does not
 *  show that cgroup (path outside the mount's root). */
std::optional<std::string> cgroupDir(const Mount& mount, std::string_view path);

/** The pids in a cgroup.procs text (one per line; malformed lines are skipped). */
std::vector<int> parsePids(std::string_view procs);

/** Whether a cgroup.events text says `populated 1`. */
bool parsePopulated(std::string_view events);

// ---------------------------------------------------------------------------------------------
// The filesystem side (all calls are short, non-blocking syscalls on cgroupfs; loop thread)

/**
 * One action's cgroup: a leaf directory that the child enters between fork and exec. Plain
 * handle: the directory stays until remove() succeeds (see CgroupSupervisor in
 * spawn_launcher.cc, which retires it once the action's leader is reaped).
 */
class ActionCgroup {
 public:
  ActionCgroup(std::string dir, bool hasKillFile);
  const std::string& dir() const { return dir_; }

  /** `cgroup.procs` opened for writing (O_CLOEXEC); the child writes "0" to it to enter. */
  Result<UniqueFd> openProcs() const;
  /** An inotify descriptor (non-blocking) watching `cgroup.events`: readable when it changes
   *  (e.g. populated 1 -> 0). */
  Result<UniqueFd> watchEvents() const;

  /** Pids now in the cgroup. */
  std::vector<int> pids() const;
  /** Whether any process is in it (cgroup.events; a missing file counts as empty). */
  bool populated() const;
  /** Sends `signo` to every process in it; SIGKILL goes through killAll(). */
  void signalAll(int signo) const;
  /** SIGKILLs everything in it: `cgroup.kill` (Linux 5.14+), else killAllByFreezing(). The
   *  processes are dead or dying on return; the cgroup empties asynchronously. */
  void killAll() const;
  /** The fallback of killAll(): freeze, SIGKILL every pid in cgroup.procs, thaw; a few rounds,
   *  without waiting (frozen tasks cannot fork; killed ones die once thawed). */
  void killAllByFreezing() const;
  /** Moves every process in it to the cgroup directory `to` (a few rounds, for racing forks). */
  void moveAllTo(const std::string& to) const;
  /** rmdir; true when the directory is gone (false with EBUSY while processes remain). */
  bool remove() const;

 private:
  std::string dir_;
  bool hasKillFile_;
};

/** Where to look for cgroups: the injectable seams of AgentCgroups::create(). */
struct ProbeOptions {
  std::string mount;  ///< the cgroup2 mount point; empty: found in mountinfoPath
  std::string mountinfoPath = "/proc/self/mountinfo";
  std::string procCgroupPath = "/proc/self/cgroup";
};

/**
 * hbd's cgroups for one launcher: `<own cgroup>/hbd-<pid>-<n>/a<seq>`, below the process's own
 * cgroup. cgroup v2 forbids processes in a cgroup that enables controllers for its children; we
 * enable none, so our own cgroup keeps its processes (hbd itself, and the daemons that agents
 * start) while the action cgroups sit below it (docs/architecture.md, "Containing agents").
 * Loop thread only. Destroying it removes the hbd-<pid>-<n> directory (when empty).
 */
class AgentCgroups {
 public:
  /** Finds and checks our cgroup and creates the launcher's directory; the Error says why not
   *  (Errc::Unsupported: no usable cgroup v2; Errc::Permission; Errc::Io). */
  static Result<std::unique_ptr<AgentCgroups>> create(const ProbeOptions& options);
  ~AgentCgroups();
  AgentCgroups(const AgentCgroups&) = delete;
  AgentCgroups& operator=(const AgentCgroups&) = delete;

  /** The process's own cgroup directory (where agents' leftover daemons are moved). */
  const std::string& ownDir() const { return own_; }
  /** This launcher's directory, parent of every action cgroup. */
  const std::string& dir() const { return dir_; }
  /** Whether `cgroup.kill` exists (else kills freeze first). */
  bool hasKillFile() const { return hasKill_; }
  /** A fresh, empty cgroup for one action. */
  Result<ActionCgroup> createAction();

 private:
  AgentCgroups(std::string own, std::string dir, bool hasKill)
      : own_(std::move(own)), dir_(std::move(dir)), hasKill_(hasKill) {}
  std::string own_;
  std::string dir_;
  bool hasKill_;
  unsigned long nextAction_ = 1;
};

}  // namespace hb::resources::cgroup
