// SPDX-License-Identifier: GPL-2.0-or-later
// The pure placement function: from the model and the facts (nodes, standby, group states) to
// where each group should run, with heartbeat v1 two-node semantics and safe hand-over.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/cib/cib.h"
#include "resources/base/diagnostic.h"

namespace hb::policy {

/**
 * What a node asked to give away (hb_standby; hb_takeover X on A is hb_standby mirror(X) on the
 * peer). Relative to that node (heartbeat-reference §3.5): Local = the groups whose preferred node
 * it is, Foreign = all other groups, All = both. A request stays in force until the daemon clears
 * it: placement is level-based, so a lifted request lets auto_failback act again.
 */
enum class Standby { None, Local, Foreign, All };

/** One node as the cluster sees it. */
struct NodeView {
  std::string name;                 ///< lower-cased, as in cib::Cib::nodes
  bool up = false;                  ///< false = declared dead (or never heard of)
  bool initial_phase_over = false;  ///< its initdead / start-up handshake has finished
  Standby standby = Standby::None;  ///< ignored with auto_failback legacy, as heartbeat does
  /** The node was fenced after being declared dead: a failed stop there no longer pins a group. */
  bool fenced = false;
};

/**
 * A group's state on one node, as that node reported it. FailedStart means a start failed and the
 * node has stopped again what it had started (if that stop fails the node reports FailedStop).
 */
enum class GroupState { Stopped, Starting, Started, Stopping, FailedStart, FailedStop };

/** The facts about one group. */
struct GroupView {
  std::string group;  ///< cib::Group id (or heartbeat key)
  /** Reported state per node; a node absent here is Stopped. */
  std::map<std::string, GroupState> state;
  /** Nodes where the group failed to start (until an operator clears them). */
  std::vector<std::string> failed_on;
};

/** Everything the placement decision reads. Time is not an input: the facts already encode it. */
struct ClusterView {
  std::vector<NodeView> nodes;
  std::vector<GroupView> groups;  ///< a Cib group missing here is stopped everywhere
  /** For groups that follow a VRRP instance: the node where the instance is MASTER. */
  std::map<std::string, std::string> vrrp_master;
};

/** Why a group is (to be) where it is: one word each (reasonName). */
enum class Reason {
  Preferred, Failover, Failback, Sticky, Standby, Waiting, FailedStart, FailedEverywhere, NoNode,
  Unmanaged, NoMaster, Vrrp, MultipleHolders
};
/** A group's cluster-wide status (statusName). */
enum class Status { Stopped, Starting, Started, Stopping, Moving, Failed, Unmanaged };

/** The decision for one group. */
struct Placement {
  std::string group;  ///< cib::Group id
  /**
   * Where the group should run now; nullopt = nowhere (stop it where it runs). Never a node other
   * than a current holder while a holder is up or may still hold it: a hand-over first targets
   * nowhere (with `next` set) until the holder reports Stopped or is declared dead.
   * For an unmanaged group it is the node that failed to stop; the executor must not act.
   */
  std::optional<std::string> target;
  /** During a hand-over: the node that takes the group once the holder has stopped it. */
  std::optional<std::string> next;
  /**
   * Why (reasonName: preferred, failover, failback, sticky, standby, waiting, failed-start,
   * failed-everywhere, no-node, unmanaged, no-master, vrrp, multiple-holders).
   */
  Reason reason = Reason::NoNode;
  /** statusName: started, starting, stopping, stopped, moving, failed or unmanaged. */
  Status status = Status::Stopped;
  /** The status is a move in progress (starting, stopping or moving). */
  bool transient() const {
    return status == Status::Starting || status == Status::Stopping || status == Status::Moving;
  }
  bool operator==(const Placement&) const = default;
};

/**
 * Where every group of `cib` should run (heartbeat v1 semantics, generalised beyond two nodes by
 * trying the preferred node first, then the others in `cib.nodes` order):
 *  - a node can run a group when it is up, its initial phase is over and the group did not fail
 *    to start there; a node whose standby request covers the group runs it only when no other node
 *    can;
 *  - an unheld group goes to its preferred node; if that node is dead (or cannot run it), to
 *    another node; if the preferred node is up but still in its initial phase, the group waits;
 *  - a held group stays (sticky) unless its holder cannot run it any more (standby, failed start)
 *    or auto_failback is on/legacy, the group's stickiness is below the preferred-node score
 *    (cib::setAutoFailback keeps both in step) and its preferred node can run it (failback);
 *  - auto_failback legacy behaves as on (each node takes its own groups when it comes up, here
 *    through the same safe hand-over) and ignores standby requests, as heartbeat refuses them;
 *  - a group that failed to start on every node is left stopped (failed-everywhere);
 *  - a failed stop pins the group where it happened (unmanaged) until that node is fenced.
 * Pure: no I/O, no clock. Groups are returned in cib order.
 */
std::vector<Placement> place(const cib::Cib& cib, const ClusterView& view);

/** "none", "local", "foreign", "all". */
std::string_view standbyName(Standby s);
/** "stopped", "starting", "started", "stopping", "failed-start", "failed-stop". */
std::string_view groupStateName(GroupState s);
/** The one name table of each enum: the words `hbctl status`, logs and golden files show. */
std::string_view reasonName(Reason r);
std::string_view statusName(Status s);
/** The inverses (nullopt for an unknown word). "failback" is not a Standby word here. */
std::optional<Standby> parseStandbyName(std::string_view s);
std::optional<GroupState> parseGroupStateName(std::string_view s);

/**
 * Reads a ClusterView from the text form the golden tests and `hbctl simulate` use:
 * ```
 * # comment
 * auto_failback on|off|legacy          (optional; returned separately)
 * node NAME up|dead [initial] [standby=none|local|foreign|all] [fenced]
 * group ID_OR_KEY [NODE=STATE ...] [failed=NODE[,NODE...]]
 * vrrp INSTANCE NODE
 * ```
 * STATE is a groupStateName(). Pure; every problem as `FILE:LINE: error: TEXT`.
 */
struct SimulationInput {
  ClusterView view;
  std::optional<cib::AutoFailback> auto_failback;
};
ParseResult<SimulationInput> parseClusterView(std::string_view text, std::string_view path);

/** One line per placement: `GROUP target=NODE|- next=NODE|- reason=WORD status=WORD`. */
std::string formatPlacements(const std::vector<Placement>& placements);

}  // namespace hb::policy
