// SPDX-License-Identifier: GPL-2.0-or-later
// The parts behind the ResourceManager facade (private to crm/executor and its tests):
//   executor.cc             the facade, view building, reconcile, standby/takeover, waiters
//   executor_claim_grant.cc the claim/grant hand-over protocol over the peers' reports
//   executor_report.cc      the StateReport codec (chunks within a byte budget)
//   executor_actions.cc     probes and ordered group actions (start left to right, stop right to
//                           left with retries), VIP re-announcement
//   executor_history.cc     hand-over timelines (`hbctl history`)
//   executor_reload.cc      reload: a new CIB adopted group by group (reconfigure)
//   executor_agent.cc       CIB primitive -> agent request (actionFor), the name tables
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crm/executor/executor.h"

namespace hb::executor {

/** What this node knows about one peer (from membership and its latest report chunks). */
struct Peer {
  bool up = false;
  std::uint64_t generation = 0;
  bool reported = false;          ///< a report chunk of this generation arrived
  std::uint64_t header_seq = 0;   ///< seq of the chunk the node-wide part below came from
  bool phase_over = false;
  policy::Standby standby = policy::Standby::None;
  std::set<std::string> vrrp_master;
  struct Group {
    GroupReport report;
    std::uint64_t seq = 0;  ///< seq of the chunk this statement came from
  };
  /** Only groups the peer has stated; a missing one may be held there. */
  std::map<std::string, Group> groups;

  const GroupReport* group(const std::string& gid) const {
    auto it = groups.find(gid);
    return it == groups.end() ? nullptr : &it->second.report;
  }
  /** Applies one decoded chunk (statements older than applied ones are skipped). */
  void apply(const StateReport& r);
};
using Peers = std::map<std::string, Peer>;

// --- claim/grant (executor_claim_grant.cc) ----------------------------------------------------

/** Claim numbers start from the wall clock (microseconds), so a restarted hbd never reuses the
 *  number of a claim its previous incarnation made (a grant for it may still be in flight). */
std::uint64_t firstClaimNumber(WallTime now);
/** Every live peer has stated the group stopped and grants exactly (self, claim). */
bool claimGranted(const Peers& peers, const std::string& self, const std::string& gid, std::uint64_t claim);
/** A live peer with a competing claim wins the tie (lower name). */
bool losesTo(const Peers& peers, const std::string& self, const std::string& gid);
/**
 * Whom this node grants the group: the winning live claimant, only while our copy is stopped and
 * idle (`can_grant`) and we do not win the tie with our own claim (`own_claim` != 0). A claimant
 * whose definition of the group differs from ours (`own_digest`; a peer that sends none is an
 * older hbd and is trusted to agree) is never granted: it would run other resources under the
 * same name, and what runs here under another group could be among them.
 */
std::optional<Grant> grantFor(const Peers& peers, const std::string& self, const std::string& gid,
                              bool can_grant, std::uint64_t own_claim, std::uint64_t own_digest);

// --- history (executor_history.cc) ------------------------------------------------------------

/** The last N hand-over timelines, addressed by a stable id (0 = none). */
class History {
 public:
  using Id = std::uint64_t;
  explicit History(std::size_t capacity) : capacity_(capacity) {}
  Id open(WallTime wall_at_trigger, MonoTime trigger_at, std::string trigger, std::string group,
          std::string decision);
  void event(Id id, MonoTime now, std::string what);
  void close(Id id, Outcome outcome);
  std::vector<HistoryEntry> entries() const;

 private:
  struct Item {
    Id id;
    MonoTime t0;
    HistoryEntry entry;
  };
  Item* find(Id id);
  std::size_t capacity_;
  Id next_ = 1;
  std::deque<Item> items_;
};

// --- agent requests (executor_agent.cc) ---------------------------------------------------------

bool isIpResource(const cib::Primitive& p);
/** The address of an IPaddr primitive ("ip", or heartbeat's positional "10.0.0.5/24/eth0"). */
std::string vipOf(const cib::Primitive& p);

// --- the resource manager's state ---------------------------------------------------------------

struct LocalResource {
  std::string id;
  std::string agent;
  ResourceState state = ResourceState::Unknown;
  std::string last_action;
  int last_rc = -1;
  std::int64_t last_duration_ms = 0;
};

/** This node's copy of one group. */
struct LocalGroup {
  policy::GroupState state = policy::GroupState::Stopped;
  bool busy = false;               ///< an agent action is running for this group
  std::uint64_t claim = 0;         ///< our claim while the policy targets us and we do not hold it
  bool failed_here = false;        ///< a start failed here (heartbeat: try the other node, once)
  /// Found running at probe (hbd restarted under it): a peer may have taken it over meanwhile and
  /// clients may know that peer's MAC. Its addresses are announced again once no peer holds it.
  bool announce_when_alone = false;
  std::vector<LocalResource> resources;
  History::Id timeline = 0;        ///< the running timeline, 0 = none
  /// Probes of this group still running. Until they are done the node does not know whether the
  /// group runs here: it neither states the group in its reports (peers count it as possibly held
  /// here) nor grants a claim on it.
  std::size_t probes_pending = 0;
  bool probe_failed = false;       ///< a probe failed or timed out: may be running, stop it
  std::uint64_t digest = 0;        ///< cib::definitionDigest of our definition
};

/** A hb_standby or hb_takeover request, as the one path that carries both out sees it. */
struct MoveRequest {
  std::string trigger;                   ///< e.g. "hb_standby all on alpha"
  policy::Standby my_standby;            ///< our own standby from now on
  Fields to_peer;                        ///< sent to every live peer, "node" filled in per peer
  policy::Standby peer_standby;          ///< what each asked peer reports once it has acted
  std::set<std::string> affected;        ///< the groups concerned
  bool want_here = false;                ///< moved = affected started here (else: elsewhere)
};

struct ResourceManager::Impl : std::enable_shared_from_this<ResourceManager::Impl> {
  Impl(Options o, Scheduler& s, LogSink& l, resources::AgentRunner& r);

  Options opts;
  Scheduler& sched;
  LogSink& log;
  resources::AgentRunner& runner;
  std::function<void(const Fields&)> sender;
  Peers peers;
  std::map<std::string, LocalGroup> local;  // by group id
  std::map<std::string, std::size_t> index; // group id -> position in opts.cib.groups
  policy::Standby my_standby = policy::Standby::None;
  std::set<std::string> vrrp_masters;  // our VRRP instances currently MASTER
  bool comms_up = false;
  bool probed = false;
  std::size_t probes_left = 0;
  bool shutting_down = false;
  std::function<void()> shutdown_done;
  std::uint64_t claim_counter;
  std::uint64_t report_seq = 0;
  std::vector<policy::Placement> placements;  // cib order
  std::vector<Fields> last_chunks;             // as last sent, without "s"
  TimerPtr report_timer;
  TimerPtr reconcile_timer;
  std::string pending_trigger = "start-up";
  MonoTime pending_trigger_at{};
  History history;
  /** A reload waiting for groups to stop before the new CIB is adopted (reconfigure). */
  struct PendingCib {
    cib::Cib next;
    std::map<std::string, std::string> retiring;  ///< group id -> "removed" or "changed"
    std::string summary;                          ///< logged once adopted
  };
  std::optional<PendingCib> pending_cib;
  /** Every VRRP instance of ours that is MASTER, followed by a group or not (vrrp_masters is the
   *  followed part: what reports carry); kept so a reload that adds a follower knows at once. */
  std::set<std::string> all_vrrp_masters;
  /** (peer, group) pairs already warned about for a different definition, with the digest. */
  std::map<std::pair<std::string, std::string>, std::uint64_t> warned_definition;
  /** Group -> nodes where its stop failed (Blocked; ours and what peers reported, saved). */
  std::map<std::string, std::set<std::string>> blocked;
  /** hb_standby/hb_takeover --wait: `check` says nothing yet (nullopt) or the final answer. */
  struct Waiter {
    std::function<std::optional<bool>()> check;
    std::function<void(bool)> done;
  };
  std::vector<Waiter> waiters;

  const cib::Group* group(const std::string& id) const;
  static bool holding(policy::GroupState s) {
    return s == policy::GroupState::Starting || s == policy::GroupState::Started ||
           s == policy::GroupState::Stopping;
  }
  void trigger(std::string what);

  // executor.cc
  policy::ClusterView view() const;
  void scheduleReconcile();
  void reconcile();
  void receiveReport(const std::string& from, Peer& p, const Fields& f);
  void block(const std::string& gid, const std::string& node);
  void unblock(const std::string& gid, const std::string& node);
  void saveBlocked();
  /** Forgets the failures of one group here (cleanup, ours or a peer's) and probes it again. */
  void cleanupHere(const std::string& gid, const std::string& who);
  /** Our copy of a group as configured, nothing known yet (construction, reload). */
  LocalGroup freshLocal(const cib::Group& g) const;
  /** What a reload to `next` would do, or why it cannot (nothing changed then). */
  Result<PendingCib> planReconfigure(const cib::Cib& next) const;
  /** Adopts the pending CIB once its removed and changed groups are stopped here. */
  void tryAdopt();
  /** Logs once per (peer, group, digest) that a peer defines a group otherwise. */
  void warnDefinition(const std::string& peer, const std::string& gid, std::uint64_t digest);
  StateReport buildReport() const;
  void sendReport(bool force);
  void periodic();
  Result<std::string> move(MoveRequest req, std::function<void(bool)> moved);
  void checkWaiters();
  bool stableNow() const;
  bool startedOnPeer(const std::string& gid) const;
  void checkShutdown();
  std::set<std::string> groupsFor(policy::Standby s, const std::string& relative_to) const;

  // executor_actions.cc
  void startStop(const std::string& gid, bool start, const std::string& decision);
  void runStart(const std::string& gid, std::size_t i);
  void runStop(const std::string& gid, int i, int attempt, bool after_failed_start);
  void runAction(const std::string& gid, std::size_t i, const std::string& action,
                 std::function<void(const resources::ActionResult&)> then);
  void probe();
  /** Probes one group's resources (monitor, interval 0); `initial`: part of the start-up probes. */
  void probeGroup(const std::string& gid, bool initial);
  void reannounce(const std::string& gid);
  /** Re-announces the groups found running at probe that no (reported) peer holds any more. */
  void announceWhenAlone();
  void event(LocalGroup& lg, std::string what);
  void closeTimeline(LocalGroup& lg, Outcome outcome);
};

}  // namespace hb::executor
