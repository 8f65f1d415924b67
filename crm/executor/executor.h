// SPDX-License-Identifier: GPL-2.0-or-later
// hb_executor: runs resource groups where the policy says, with a hand-over that is safe by
// construction (a group starts on a node only after every other live node has confirmed it is
// stopped there and granted the start, or has been declared dead).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/policy/policy.h"
#include "resources/agents/agents.h"
#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/scheduler.h"

namespace hb::executor {

/**
 * The fields of one cluster message (the daemon carries them in an authenticated hbd message).
 * Kept as plain strings so crm does not depend on the daemon's wire format.
 */
using Fields = std::map<std::string, std::string>;

/** What the resource manager needs, mapped by the daemon from its config. */
struct Options {
  std::string self;  ///< our node name
  cib::Cib cib;      ///< the resource model (groups, preferred nodes, auto_failback)
  resources::AgentPaths paths;  ///< where agents are looked up (same as the runner's)
  /** How often the full state report is re-sent (lost messages heal within this time). */
  std::chrono::milliseconds report_interval{1000};
  /** A failing stop is retried this many times before the group is declared unmanaged. */
  int stop_retries = 2;
  std::chrono::milliseconds stop_retry_delay{500};
  /** How many timelines `hbctl history` keeps. */
  std::size_t history_size = 32;
};

/** One resource as `hbctl status` shows it. */
struct ResourceStatus {
  std::string id;
  std::string agent;        ///< "ocf:hbd:IPaddr", "lsb:nginx", "heartbeat:httpd"
  std::string state;        ///< started, stopped, starting, stopping, failed, unknown
  std::string last_action;  ///< start, stop, monitor
  int last_rc = -1;
  std::int64_t last_duration_ms = 0;
};

/** One group as `hbctl status` and `cl_status rscstatus` see it. */
struct GroupStatus {
  std::string id;
  std::string key;                    ///< heartbeat's group key (first resource)
  std::string preferred;              ///< preferred node ("" for vrrp-following groups)
  std::string status;                 ///< cluster-wide: started, starting, stopping, stopped, moving, failed, unmanaged
  std::optional<std::string> owner;   ///< node holding it (started/starting/stopping), if any
  std::string local_state;            ///< policy::groupStateName of this node's copy
  std::string reason;                 ///< the policy's reason word
  std::vector<std::string> failed_on; ///< nodes where a start failed
  std::vector<ResourceStatus> resources;
};

/** One step of a hand-over/failover timeline. */
struct TimelineEvent {
  std::int64_t at_ms = 0;  ///< since the trigger
  std::string what;
};

/** One hand-over or failover of one group, as `hbctl history` prints it. */
struct HistoryEntry {
  WallTime started;           ///< wall clock of the trigger
  std::string trigger;        ///< e.g. "node beta declared dead", "hb_standby all on alpha"
  std::string group;
  std::string decision;       ///< e.g. "start here (failover)", "stop here (standby)"
  std::string outcome;        ///< started, stopped, failed-start, unmanaged, in-progress
  std::vector<TimelineEvent> events;
};

/**
 * The per-node resource manager. Loop thread only; every callback runs on the loop.
 *
 * Local group state machine (this node's copy of one group):
 *
 *     +---------+  target here, claim granted   +----------+  all starts ok  +---------+
 *     | stopped | ----------------------------> | starting | --------------> | started |
 *     +---------+                               +----------+                 +---------+
 *        ^   ^   a start failed: stop what started,  |                           |
 *        |   +--- right to left; mark failed here <--+        target elsewhere   |
 *        |                                                    or nowhere         v
 *        |             all stops ok                +----------+ <----------------+
 *        +---------------------------------------- | stopping |
 *                                                  +----------+ --stop failed (retried)--> failed-stop
 *                                                                                          (unmanaged)
 * Hand-over (claim/grant): a node that the policy targets for a group it does not hold announces
 * a claim (a number never reused, even by a restarted hbd: it starts from the wall clock) in its
 * state report. Every other live node grants the claim in its own report only while its copy of
 * the group is stopped and it is not itself
 * winning a claim on the group (ties: the lower node name wins). The claimant starts only when
 * every live peer's latest report shows the group stopped AND grants exactly this claim; a dead
 * peer needs no grant. Reports carry the whole state and are re-sent periodically, so lost or
 * duplicated messages only delay, never break, a hand-over; a peer restarting (new generation)
 * loses its grants.
 */
class ResourceManager {
 public:
  ResourceManager(Options o, Scheduler& sched, LogSink& log, resources::AgentRunner& runner);
  ~ResourceManager();
  ResourceManager(const ResourceManager&) = delete;
  ResourceManager& operator=(const ResourceManager&) = delete;

  /** Where reports and requests go (to every peer). Set before start(). */
  void setSender(std::function<void(const Fields&)> send);

  /** Probes every resource (monitor with interval 0) to learn what already runs here, then joins
   *  placement once setCommsUp(true) has been called too. */
  void start();

  /** Membership's initial phase (initdead / every node heard) is over. */
  void setCommsUp(bool up);
  /** A peer is alive (heartbeats) with this generation; a new generation forgets its old state. */
  void nodeUp(const std::string& node, std::uint64_t generation);
  /**
   * A peer was declared dead (or announced shutdown): its groups are free. This includes a group
   * the peer reported unmanaged (a failed stop): there is no fencing yet, so, as heartbeat does
   * without a STONITH device, a dead holder is trusted to hold nothing and the group may start
   * here. While the peer is alive an unmanaged group is never started anywhere else.
   */
  void nodeDead(const std::string& node, const std::string& why);
  /** A cluster message from a peer (already authenticated, processed once). */
  void receive(const std::string& from, std::uint64_t generation, const Fields& f);

  /**
   * hb_standby: give away `what` (all|local|foreign|failback). With auto_failback legacy it is
   * refused, as heartbeat refuses it. `moved` (optional) is called with true once the groups
   * concerned run elsewhere (or no other node is up: false).
   * @return a one-line message for the operator, or an error.
   */
  Result<std::string> standby(const std::string& what, std::function<void(bool)> moved = nullptr);
  /** hb_takeover: the peer gives `what` (mirrored) to us; `moved` as for standby. */
  Result<std::string> takeover(const std::string& what, std::function<void(bool)> moved = nullptr);

  /**
   * A VRRP instance of this node entered (master = true) or left MASTER. Groups that follow it
   * (`vrrp:NAME` in haresources) start here, left to right, while it is MASTER and stop, right to
   * left, when it leaves MASTER. VRRP elects the single master, so no claim/grant is exchanged for
   * these groups (the peer may be keepalived).
   */
  void setVrrpMaster(const std::string& instance, bool master);

  /** Orderly shutdown: stop every local group right to left, then call done (once). */
  void shutdown(std::function<void()> done);

  std::vector<GroupStatus> groups() const;
  /** cl_status rscstatus: none, local, foreign, all, or transition while an action runs. */
  std::string rscstatus() const;
  std::vector<HistoryEntry> history() const;
  const cib::Cib& cib() const;
  /** True while no group is being started, stopped or waiting for a grant. */
  bool stable() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/** Maps a CIB primitive to the agent run for it (heartbeat scripts not found on this machine fall
 *  back to our ocf:hbd agents with mapped parameters, as interfaces.md says). */
resources::ActionRequest actionFor(const cib::Primitive& p, const std::string& action,
                                   const resources::AgentPaths& paths);

}  // namespace hb::executor
