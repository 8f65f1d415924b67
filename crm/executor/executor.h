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
#include <string_view>
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

/**
 * Report budget. The daemon sends one Fields map as one authenticated hbd message (message.h),
 * every value as a string field: name length (u8) + name + kind (u8) + value length (u16) + value,
 * so a field costs its name and value plus kFieldOverhead bytes. Around the fields the message has
 * at most kMessageOverhead bytes: magic, version, type, generation, seq, timestamp (28), the sender
 * name (1 + at most 255), the field count (2), the key index (1) and the largest auth code
 * (sha256, 32). So Fields whose wireSize() is at most kDefaultMaxReportBytes always encode within
 * kMessageLimit (tests/crm/executor checks this against message::encode).
 */
inline constexpr std::size_t kFieldOverhead = 4;
inline constexpr std::size_t kMessageOverhead = 28 + 1 + 255 + 2 + 1 + 32;
inline constexpr std::size_t kMessageLimit = 1400;  ///< = message::kMaxMessageSize
inline constexpr std::size_t kDefaultMaxReportBytes = kMessageLimit - kMessageOverhead;
static_assert(kDefaultMaxReportBytes == 1081);
/** The bytes the fields take inside an hbd message (see kFieldOverhead). */
std::size_t wireSize(const Fields& f);

/** A grant: this node lets `node` start the group for claim number `claim`. */
struct Grant {
  std::string node;
  std::uint64_t claim = 0;
  bool operator==(const Grant&) const = default;
};

/** What one node says about one group in its state report. */
struct GroupReport {
  /** The node's copy (FailedStart travels as Stopped with `failed`). */
  policy::GroupState state = policy::GroupState::Stopped;
  std::uint64_t claim = 0;       ///< the node's claim on the group, 0 = none
  bool failed = false;           ///< a start failed there
  std::optional<Grant> grant;    ///< whom the node lets start the group
  /** cib::definitionDigest of the node's definition of the group; 0 = not sent (an older hbd).
   *  A node grants a claim only to a claimant whose definition is its own. */
  std::uint64_t digest = 0;
  bool operator==(const GroupReport&) const = default;
};

/**
 * A node's state report, typed. It travels as one or more chunks (encodeReport): each chunk is a
 * complete statement about the groups it names plus the node-wide part, so a receiver applies each
 * chunk on its own and a lost chunk only delays what it says until the next periodic report.
 */
struct StateReport {
  /** Increases with every report a node sends (per generation); a receiver ignores, per group,
   *  a statement older than one it has applied (reordered datagrams). */
  std::uint64_t seq = 0;
  bool phase_over = false;                           ///< initial phase over and probes done
  policy::Standby standby = policy::Standby::None;
  std::set<std::string> vrrp_master;                 ///< VRRP instances MASTER on the node
  std::map<std::string, GroupReport> groups;         ///< by group id
  bool operator==(const StateReport&) const = default;
};

/**
 * The report as chunks, each of wireSize() <= max_bytes (a group whose own fields exceed the budget
 * goes alone into a chunk, which the daemon then fails to send and logs). Fields: t=rsc, s=SEQ,
 * phase=0|1, standby=WORD, vrrp=I1,I2 (if any); per group g:ID=STATE, c:ID=CLAIM, f:ID=1,
 * a:ID=NODE/CLAIM, d:ID=DIGEST (16 hex digits).
 */
std::vector<Fields> encodeReport(const StateReport& r, std::size_t max_bytes = kDefaultMaxReportBytes);
/**
 * The wireSize() of the largest chunk group `gid` can ever need: its own fields at their longest (a
 * claim, a start failure, a grant to the longest of `nodes`) plus the node-wide part at its longest
 * (every one of `vrrp_instances` MASTER). The one real limit of reports of any size: a group for
 * which this exceeds max_report_bytes could never be reported, so never be granted and started;
 * the daemon refuses such a configuration (`hbd --check` says which group).
 */
std::size_t largestChunkFor(const std::string& gid, const std::vector<std::string>& nodes,
                            const std::set<std::string>& vrrp_instances);
/** One chunk back; hostile input gives an error (never throws). Unknown fields are ignored. */
Result<StateReport> decodeReport(const Fields& f);

/**
 * A group blocked by a failed stop on `node`: its resources may still run there, so no node starts
 * it until an operator runs `hbctl cleanup` (or, once fencing exists, the node is fenced). Every
 * node keeps what it knows in its state dir, so the block survives the shutdown, restart and death
 * of either node.
 */
struct Blocked {
  std::string group;
  std::string node;
  auto operator<=>(const Blocked&) const = default;
};

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
  /** Budget of one report chunk in wireSize() bytes (the report is split into chunks). */
  std::size_t max_report_bytes = kDefaultMaxReportBytes;
  /** The blocks saved by the previous incarnation (the state dir); groups not in the CIB are dropped. */
  std::vector<Blocked> blocked;
  /** Called with the whole list whenever it changes (the daemon writes it to the state dir). */
  std::function<void(const std::vector<Blocked>&)> save_blocked;
};

/** A resource's state on this node (resourceStateName). */
enum class ResourceState { Unknown, Started, Stopped, Starting, Stopping, Failed };
/** "unknown", "started", "stopped", "starting", "stopping", "failed". */
std::string_view resourceStateName(ResourceState s);

/** How a timeline ended (outcomeName). */
enum class Outcome { InProgress, Started, Stopped, FailedStart, Unmanaged };
/** "in-progress", "started", "stopped", "failed-start", "unmanaged". */
std::string_view outcomeName(Outcome o);

/** One resource as `hbctl status` shows it. */
struct ResourceStatus {
  std::string id;
  std::string agent;        ///< "ocf:hbd:IPaddr", "lsb:nginx", "heartbeat:httpd"
  std::string state;        ///< resourceStateName(state_enum)
  ResourceState state_enum = ResourceState::Unknown;
  std::string last_action;  ///< start, stop, monitor
  int last_rc = -1;
  std::int64_t last_duration_ms = 0;
};

/** One group as `hbctl status` and `cl_status rscstatus` see it. */
struct GroupStatus {
  std::string id;
  std::string key;                    ///< heartbeat's group key (first resource)
  std::string preferred;              ///< preferred node ("" for vrrp-following groups)
  std::string status;                 ///< policy::statusName(status_enum)
  policy::Status status_enum = policy::Status::Stopped;
  std::optional<std::string> owner;   ///< node holding it (started/starting/stopping), if any
  std::string local_state;            ///< policy::groupStateName of this node's copy
  policy::GroupState local_state_enum = policy::GroupState::Stopped;
  std::string reason;                 ///< policy::reasonName(reason_enum)
  policy::Reason reason_enum = policy::Reason::NoNode;
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
  std::string outcome;        ///< outcomeName(outcome_enum)
  Outcome outcome_enum = Outcome::InProgress;
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
 * peer needs no grant. Reports carry the whole state (in chunks of at most
 * Options::max_report_bytes, each complete for the groups it names) and are re-sent periodically,
 * so lost, duplicated or reordered messages only delay, never break, a hand-over; a peer
 * restarting (new generation) loses its grants. A live peer that has not yet stated a group's
 * state counts as possibly holding it.
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
   * A peer was declared dead (or announced shutdown): the groups it held are free (without fencing,
   * as heartbeat without a STONITH device, a dead holder is trusted to hold nothing), except those
   * it reported unmanaged (a failed stop): their resources may still run there, so they stay
   * blocked (Blocked) until `cleanup`.
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
   * (`vrrp:NAME` in haresources) are placed by policy::place like every group, the view naming
   * the node where the instance is MASTER (this node, else a peer whose report says so): they
   * start here, through the same claim/grant hand-over, once every live peer reports its copy
   * stopped (or is declared dead), and stop here when the instance leaves MASTER. A peer that is
   * not an hbd node of the cluster (keepalived) is not asked. An instance no group follows is
   * ignored (it would only lengthen every report).
   */
  void setVrrpMaster(const std::string& instance, bool master);

  /** Orderly shutdown: stop every local group right to left, then call done (once). A group whose
   *  stop fails stays unmanaged (unmanaged() says which): the daemon must not call that clean. */
  void shutdown(std::function<void()> done);

  /**
   * `hbctl cleanup RSC`: forget the failures of the group of resource (or group) `what` on every
   * node (failed starts, a failed stop and its block) and probe it again. A block whose holder is
   * dead is lifted: the operator asserts that nothing of the group runs there any more.
   * @return a one-line message, or InvalidArgument for an unknown name.
   */
  Result<std::string> cleanup(const std::string& what);
  /** Groups unmanaged here (a failed stop), in CIB order. */
  std::vector<std::string> unmanaged() const;

  /**
   * Reload: what adopting `next` would do ("" = nothing), or why it cannot: other nodes, a
   * shutdown, a reload still being applied, start-up probes still running (for added, removed or
   * changed groups), or a group to be removed or changed that is blocked by a failed stop.
   */
  Result<std::string> checkReconfigure(const cib::Cib& next) const;
  /**
   * Reload: adopts `next` (checkReconfigure first; on error nothing changes). Groups whose
   * definition (cib::Group::sameDefinition) did not change are not touched, placement changes
   * included (they move through the normal hand-over). Removed and changed groups are stopped here
   * with their old definition first and granted to no one meanwhile; then the new CIB is adopted
   * and new and changed groups are probed (not stated in reports until probed). A peer whose
   * definition of a group differs is never granted it (GroupReport::digest).
   * @return the one-line summary ("" = nothing to do).
   */
  Result<std::string> reconfigure(cib::Cib next);
  /** A reload waits for removed or changed groups to stop here. */
  bool reconfiguring() const;
  /** Reload: the full report is re-sent this often from the next one on. */
  void setReportInterval(std::chrono::milliseconds every);

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
