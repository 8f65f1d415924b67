// SPDX-License-Identifier: GPL-2.0-or-later
// hb_membership: the heartbeat state machine over (received frames, Scheduler): node and link states.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hbd/message/message.h"
#include "resources/base/log.h"
#include "resources/base/result.h"
#include "resources/base/scheduler.h"

namespace hb::membership {

/**
 * Node states, in heartbeat's words (cl_status nodestatus). For a peer:
 *
 *                 heartbeat "st=up|active|init" (state = what the node reports)
 *        +------+ -------------------------------> +-----------------+
 *        | init |                                   | up <--> active  |<-----+
 *        +------+                                   +-----------------+      |
 *           |  never heard for initdead                 |     |              | heartbeat again
 *           |  (deadtime once comms are up)             |     | shutdown     | (same generation:
 *           v                                           |     | message      |  "returning after
 *        +------+ <--- every link silent >= deadtime ---+     |              |   partition";
 *        | dead | <--- heartbeat gap >= deadtime (late) ------+              |  new generation:
 *        +------+ -----------------------------------------------------------+  restart)
 *
 * Ourselves: up from start() until commsUp() (every node heard, or initdead elapsed), then
 * active; that is the "st" our heartbeats carry.
 *
 * A link that was not open cannot testify. Our links are open from start() unless reported
 * otherwise (setLinkOpen). Silence counts against a peer from max(last heard, the moment the
 * earliest of our links that has been open became open): a peer's deadline is that moment +
 * deadtime (initdead before commsUp). Before any link has been open, no peer times out and
 * initdead does not run (initdead counts from the first link being open, not from start()). A
 * link that was open and is lost (device gone) still counts: its silence is a failed medium, and
 * reopening it restarts its clock.
 *
 * Link state per (peer, link):   dead --any authentic frame on the link--> up
 *                                up   --link silent >= deadtime (initdead before commsUp)--> dead
 * Links start dead and log "Link node:link up." on the first frame. Our own links always show dead
 * (our frames looping back are ignored), as heartbeat shows them.
 *
 * A peer whose generation went back (its clock was set back with `hbgenmethod time`, its state
 * dir was wiped or restored with `file`): its authentic frames carry a generation we cannot accept
 * (lower than the current one, or not above the highest ever accepted), which a replay of its old
 * frames would carry too. They are dropped (Replay) until it proves it is live:
 *
 *   B --frame, generation g' not acceptable--> A    A: Warning once per episode (g' and g), drops it
 *   A --Challenge{to=B, nonce=N} (A's gen)---> B    at most one per keepalive; N fresh (RAND_bytes),
 *                                                   valid for deadtime
 *   B --Response{to=A, nonce=N} (B's gen g')-> A    B answers any challenge addressed to it
 *   A: HMAC-verified (a keyed method, or crc in a crc-only cluster), to=A, nonce=N: g' is B's
 *      current generation (ReplayGuard::adopt; generations up to the highest ever accepted stay
 *      refused), then processed as a restart (Change Restart, counters().restarts)
 *
 * A replayed frame cannot echo a nonce made after it was captured, and without the key no answer
 * verifies. A wrong or stale nonce is counted (challenge_failures) and changes nothing.
 */
enum class NodeState { Init, Up, Active, Dead };
/** Per (node, link) liveness. */
enum class LinkState { Up, Dead };

/** "init" "up" "active" "dead", as cl_status prints them. */
std::string_view nodeStateName(NodeState s);
/** "up" "dead", as cl_status prints them. */
std::string_view linkStateName(LinkState s);

/** Everything membership needs, mapped from ha.cf/authkeys by the daemon. */
struct Options {
  std::string self;                 ///< our node name (uname -n / ha.cf node)
  std::vector<std::string> nodes;   ///< every cluster node, self included, in ha.cf order
  std::vector<std::string> links;   ///< names of our links ("eth1", "/dev/ttyS0")
  std::chrono::milliseconds keepalive{1000};  ///< heartbeat interval
  std::chrono::milliseconds deadtime{30000};  ///< silence after which a node/link is dead
  std::chrono::milliseconds warntime{15000};  ///< heartbeat gap that logs "Late heartbeat"
  std::chrono::milliseconds initdead{60000};  ///< deadtime while our communications are not up
  message::KeyRing keys;            ///< authkeys
  std::uint64_t generation = 1;     ///< our incarnation; should grow on every start (peers that
                                    ///< remember a higher one challenge us before accepting it)
};

/** One (node, link) as `hbctl status` shows it. */
struct LinkInfo {
  std::string name;
  LinkState state;
  std::optional<MonoTime> last_heard;  ///< last authentic frame on this link; none if never
};

/** One node as `cl_status`/`hbctl status` show it. */
struct NodeInfo {
  std::string name;
  NodeState state;
  std::optional<MonoTime> last_heard;  ///< last authentic frame on any link; none if never (self: none)
  std::uint64_t generation;            ///< last generation heard (0 if never); self: ours
  std::vector<LinkInfo> links;         ///< in Options::links order
};

/** Receive-path counters. `received` counts every frame given to receive(). */
struct Counters {
  std::array<std::uint64_t, message::kDropReasonCount> dropped{};  ///< indexed by DropReason
  std::uint64_t received = 0;
  std::uint64_t duplicates = 0;       ///< the same message again (another link), or an older heartbeat
  std::uint64_t late_heartbeats = 0;  ///< heartbeat gaps > warntime
  std::uint64_t restarts = 0;         ///< peers seen with a newer generation
  std::uint64_t from_non_member = 0;  ///< cluster/control messages from a node not up (dead, shut down, unheard): not delivered
  std::uint64_t stalls = 0;           ///< silence checks that ran late (this node's loop stalled): judged after a grace
  std::uint64_t challenges = 0;          ///< challenges sent to peers whose generation went back
  std::uint64_t challenge_answers = 0;   ///< challenges of peers answered
  std::uint64_t challenge_failures = 0;  ///< answers refused: wrong or stale nonce, crc-only proof, not for us
  std::uint64_t generations_lowered = 0; ///< peers accepted again with a lower generation
};

/** What a Change reports. */
enum class ChangeKind { NodeState, LinkState, Restart };

/**
 * Why a change happened, as membership knows it.
 *  - Heard: a frame arrived (a node or link came alive, a node reported a new state; for
 *    ourselves: communications are up).
 *  - Timeout: silence for deadtime (initdead before comms are up): the node or link is declared
 *    dead.
 *  - Shutdown: the node announced an orderly shutdown (its Shutdown message) and is dead at once.
 *  - Restart: the node came back with a new generation (ChangeKind::Restart only).
 */
enum class ChangeReason { Heard, Timeout, Shutdown, Restart };

/** "heard" "timeout" "shutdown" "restart". */
std::string_view changeReasonName(ChangeReason r);

/**
 * One state change, delivered to onChange() callbacks right after it happened (and was logged).
 * NodeState: old_state -> new_state of `node`. LinkState: `link` of `node` is now `link_state`
 * (old_state == new_state == the node's state). Restart: `node` came back with a new generation
 * (old_state == new_state == its state before the restart; a NodeState change may follow).
 * `generation` is the node's generation as membership knows it when the change is delivered: for a
 * Restart the new one; for ourselves Options::generation; 0 for a peer never heard.
 */
struct Change {
  ChangeKind kind;
  std::string node;
  std::string link;
  NodeState old_state;
  NodeState new_state;
  LinkState link_state;
  std::uint64_t generation = 0;
  ChangeReason reason = ChangeReason::Heard;
};

/**
 * The heartbeat membership state machine. Pure: sees frames (receive), sends frames through a
 * callback (setSender) and reads time/arms timers only through the Scheduler. Loop thread only;
 * callbacks run on the loop thread, from receive() or from a timer, and may call any method.
 *
 * Timers: keepalive (sends our heartbeat) and one check timer armed for the earliest moment a
 * node or link could expire (or initdead end), so a silent node is declared dead at exactly
 * last_heard + deadtime, never a poll interval later.
 */
class Membership {
 public:
  /** @param s and @param log must outlive this object. */
  Membership(Options o, Scheduler& s, LogSink& log);
  ~Membership();
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;

  /** Arms the keepalive and check timers, starts the initdead phase, sends a heartbeat at once. */
  void start();
  /** Cancels every timer (no more heartbeats, no more timeouts). receive() still updates state. */
  void stop();

  /**
   * Reload: new keys and timings, at once. Frames are signed with keys.send_index from now on and
   * accepted with any key listed (key rotation: list the new key everywhere, then switch `auth`,
   * then drop the old one). Silences are judged against the new deadtime from the next check on;
   * the next heartbeat goes out after the new keepalive.
   */
  void reconfigure(const message::KeyRing& keys, std::chrono::milliseconds keepalive, std::chrono::milliseconds deadtime,
                   std::chrono::milliseconds warntime, std::chrono::milliseconds initdead);

  /** Sets where frames go: called once per frame, which the caller sends on ALL links. */
  void setSender(std::function<void(const message::Bytes&)> send);

  /**
   * One frame received on `link`. Decodes, authenticates, drops frames from unknown senders and
   * replays (counted per DropReason, no state change), ignores our own frames, then processes the
   * message once. Liveness comes only from fresh frames: a frame refreshes the node only when its
   * (generation, seq) is newer than every frame seen from the node before, and refreshes `link`
   * only when it is newer than every frame seen on that link. So the first copy of a frame counts
   * for the node, a copy on a second link refreshes only that link, and a replayed or reordered
   * older frame keeps nobody alive (nor does an older heartbeat change the node's state).
   * Never throws.
   */
  void receive(std::string_view link, message::ByteView bytes);

  /**
   * Sends a message to every peer: fills from, generation, seq, timestamp_ms, encodes with
   * Options::keys and hands the frame to the sender.
   * @return an error when encoding fails (missing key, > kMaxMessageSize); nothing is sent then.
   */
  Result<void> send(message::Message m);

  /** Sends a Shutdown message (peers mark us dead at once) and stops sending heartbeats. */
  void announceShutdown();

  /**
   * Our link `link` can (true) or cannot (false) carry frames now: the daemon forwards each link's
   * status (link::Link::onStatus; a serial device opened or lost). Links are open from start()
   * until reported closed; report a link closed before start() when its medium is missing (a
   * serial device not there yet). Re-arms the check timer; a frame received on a closed link
   * reopens it. Unknown links are ignored; repeating the current state changes nothing.
   */
  void setLinkOpen(std::string_view link, bool open);

  /**
   * Reload: our link `link` exists from now on, after the links Options::links named (status and
   * cl_status list it last). It can carry frames at once (setLinkOpen to say otherwise) and each
   * peer's link starts dead, logging "Link node:link up." on its first frame. A node's liveness
   * is unchanged: it comes from any link, and the new link only adds testimony. A known link:
   * nothing changes (a link replaced by one with the same name keeps its state).
   */
  void addLink(const std::string& link);
  /**
   * Reload: our link `link` is gone, for ourselves and for every peer. Node states are unchanged:
   * a node heard on another link stays alive, one heard only here keeps its last_heard and dies
   * deadtime after it unless another link carries it. Unknown links are ignored.
   */
  void removeLink(std::string_view link);

  /** Adds a callback for every state change. */
  void onChange(std::function<void(const Change&)> cb);
  /** Adds a callback for every non-heartbeat message, once per message (not per link); not for
   *  Challenge and Response, which membership handles itself. */
  void onMessage(std::function<void(const message::Message&)> cb);  // a Shutdown arrives before its node turns dead

  /** State of a node (self included); an unknown node is Dead. */
  NodeState nodeState(std::string_view node) const;
  /** State of one of a node's links; nullopt for an unknown node or link. Own links are Dead. */
  std::optional<LinkState> linkState(std::string_view node, std::string_view link) const;
  /** All nodes in Options::nodes order (self included). */
  std::vector<NodeInfo> nodes() const;
  /** Receive-path counters. */
  const Counters& counters() const;
  /** True once every node was heard from since start(), or initdead elapsed. */
  bool commsUp() const;
  /** Up until commsUp(), then Active. */
  NodeState selfState() const;
  /** Our generation (Options::generation). */
  std::uint64_t generation() const;

 private:
  /** (generation, seq) of a frame: what "newer" means for liveness. */
  using Stamp = std::pair<std::uint64_t, std::uint64_t>;
  struct Link {
    LinkState state = LinkState::Dead;
    std::optional<MonoTime> last_heard;
    std::optional<Stamp> newest;  // the newest frame seen on this link
  };
  // A challenge to a peer whose generation went back (see the diagram at NodeState).
  struct Challenge {
    std::string nonce;                     // outstanding; empty: none
    std::optional<MonoTime> nonce_since;   // made at: valid for deadtime
    std::optional<MonoTime> last_sent;     // rate limit: one challenge per keepalive
    std::optional<MonoTime> last_refused;  // the episode ends after deadtime without a refused frame
  };
  struct Peer {
    NodeState state = NodeState::Init;
    Challenge challenge;
    std::optional<MonoTime> last_answer;     // rate limit of our answers to its challenges
    std::optional<MonoTime> last_heard;      // the last frame newer than any before, any link
    std::optional<Stamp> newest;             // the newest frame seen from the node, any link
    std::optional<MonoTime> last_heartbeat;  // first arrival of the last heartbeat
    std::uint64_t generation = 0;
    bool heard_since_start = false;
    std::map<std::string, Link, std::less<>> links;
  };

  // One of our own links: can it carry frames, and since when (kept after it closes: a lost
  // medium keeps counting silence; none = never open since start()).
  struct OwnLink {
    bool open = true;
    std::optional<MonoTime> open_since;
  };

  MonoClock::duration threshold() const;
  std::optional<MonoTime> firstOpen() const;
  std::optional<MonoTime> silentSince(const Peer& p) const;
  void sendHeartbeat();
  void onKeepalive();
  void onCheck();
  void armCheck();
  void setCommsUp();
  /** Whether every peer has a state from a heartbeat (or its shutdown): comms up before initdead. */
  bool everyPeerKnown() const;
  void setNodeState(const std::string& name, Peer& p, NodeState to, std::string_view why);
  void emit(const Change& c);
  void countDrop(message::DropReason r);
  void handle(const message::Message& m, Peer& p, bool restart);
  /** An authentic frame whose generation the guard refused (`current` is the accepted one):
   *  challenge the peer or, for a matching answer, adopt the generation. @return true if adopted. */
  bool unacceptedGeneration(const message::Message& m, Peer& p, message::AuthMethod method,
                            std::uint64_t current);
  void answerChallenge(const message::Message& m, Peer& p);

  Options o_;
  Scheduler& sched_;
  LogSink& log_;
  TimerPtr keepalive_timer_;
  TimerPtr check_timer_;
  std::optional<MonoTime> check_deadline_;
  /** When the armed check timer should fire: its deadline, or the arming time if that was later. */
  std::optional<MonoTime> check_due_;
  /** Since when silence checks have been deferred because they ran late (see onCheck). */
  std::optional<MonoTime> stalled_since_;
  std::function<void(const message::Bytes&)> sender_;
  std::vector<std::function<void(const Change&)>> change_cbs_;
  std::vector<std::function<void(const message::Message&)>> message_cbs_;
  std::map<std::string, Peer, std::less<>> peers_;
  std::map<std::string, OwnLink, std::less<>> own_links_;
  /** The earliest open_since of the links removed by reload (firstOpen keeps counting from it). */
  std::optional<MonoTime> removed_open_since_;
  message::ReplayGuard guard_;
  Counters counters_;
  MonoTime start_time_{};
  bool running_ = false;
  bool comms_up_ = false;
  bool any_keyed_ = false;  // a key in authkeys is an HMAC: only HMAC-verified answers prove anything
  std::uint64_t seq_ = 0;
};

}  // namespace hb::membership
