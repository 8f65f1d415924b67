// SPDX-License-Identifier: GPL-2.0-or-later
// Membership state machine: heartbeats out, frames in, node/link liveness on exact-deadline timers.
#include "hbd/membership/membership.h"

#include <algorithm>
#include <bit>

namespace hb::membership {

using message::DropReason;
using message::Message;
using message::MsgType;

namespace {

std::optional<NodeState> parseReported(std::string_view st) {
  if (st == "init") return NodeState::Init;
  if (st == "up") return NodeState::Up;
  if (st == "active") return NodeState::Active;
  return std::nullopt;
}

long long toMs(MonoClock::duration d) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

std::string_view nodeStateName(NodeState s) {
  switch (s) {
    case NodeState::Init: return "init";
    case NodeState::Up: return "up";
    case NodeState::Active: return "active";
    case NodeState::Dead: return "dead";
  }
  return "unknown";
}

std::string_view changeReasonName(ChangeReason r) {
  switch (r) {
    case ChangeReason::Heard: return "heard";
    case ChangeReason::Timeout: return "timeout";
    case ChangeReason::Shutdown: return "shutdown";
    case ChangeReason::Restart: return "restart";
  }
  return "unknown";
}

std::string_view linkStateName(LinkState s) {
  switch (s) {
    case LinkState::Up: return "up";
    case LinkState::Dead: return "dead";
  }
  return "unknown";
}

Membership::Membership(Options o, Scheduler& s, LogSink& log)
    : o_(std::move(o)),
      sched_(s),
      log_(log),
      keepalive_timer_(s.createTimer()),
      check_timer_(s.createTimer()) {
  for (const auto& n : o_.nodes) {
    if (n == o_.self || peers_.count(n) != 0) continue;
    Peer& p = peers_[n];
    for (const auto& l : o_.links) p.links[l];
  }
  for (const auto& l : o_.links) own_links_[l];
  for (const auto& [index, key] : o_.keys.keys) any_keyed_ = any_keyed_ || message::isKeyed(key.method);
}

Membership::~Membership() = default;

void Membership::start() {
  running_ = true;
  start_time_ = sched_.now();
  for (auto& [name, l] : own_links_) {
    l.open_since = l.open ? std::optional<MonoTime>(start_time_) : std::nullopt;
  }
  // A node heard before start() (frames may arrive as soon as links open) counts as heard.
  if (!comms_up_ && everyPeerKnown()) setCommsUp();
  onKeepalive();
  armCheck();
}

void Membership::stop() {
  running_ = false;
  keepalive_timer_->cancel();
  check_timer_->cancel();
  check_deadline_.reset();
  check_due_.reset();
  stalled_since_.reset();
}

void Membership::setSender(std::function<void(const message::Bytes&)> send) {
  sender_ = std::move(send);
}

void Membership::onChange(std::function<void(const Change&)> cb) {
  change_cbs_.push_back(std::move(cb));
}

void Membership::onMessage(std::function<void(const message::Message&)> cb) {
  message_cbs_.push_back(std::move(cb));
}

void Membership::setLinkOpen(std::string_view link, bool open) {
  auto it = own_links_.find(link);
  if (it == own_links_.end() || it->second.open == open) return;
  OwnLink& l = it->second;
  l.open = open;
  // Kept when closing: silence after a medium was lost still counts (it failed, it did not
  // "not exist"); before start() the clock starts at start().
  if (open) l.open_since = running_ ? std::optional<MonoTime>(sched_.now()) : std::nullopt;
  HB_LOG(log_, Info, Membership, "link {} {} | silence counts from {}", link,
         open ? "can carry frames" : "cannot carry frames",
         open ? "now" : "when it was opened");
  armCheck();
}

void Membership::addLink(const std::string& link) {
  if (own_links_.count(link) != 0) return;
  o_.links.push_back(link);
  OwnLink& own = own_links_[link];
  own.open_since = running_ ? std::optional<MonoTime>(sched_.now()) : std::nullopt;
  for (auto& [name, p] : peers_) p.links[link];
  HB_LOG(log_, Info, Membership, "link {} added", link);
  armCheck();
}

void Membership::removeLink(std::string_view link) {
  auto it = own_links_.find(link);
  if (it == own_links_.end()) return;
  // What it testified while open still counts: silence is judged from the earliest moment any
  // link, removed ones included, could carry frames (firstOpen).
  if (const auto since = it->second.open_since; since && (!removed_open_since_ || *since < *removed_open_since_)) {
    removed_open_since_ = since;
  }
  own_links_.erase(it);
  o_.links.erase(std::remove(o_.links.begin(), o_.links.end(), link), o_.links.end());
  for (auto& [name, p] : peers_) {
    if (auto lit = p.links.find(link); lit != p.links.end()) p.links.erase(lit);
  }
  HB_LOG(log_, Info, Membership, "link {} removed", link);
  armCheck();
}

std::optional<MonoTime> Membership::firstOpen() const {
  if (own_links_.empty() && !removed_open_since_) return start_time_;
  std::optional<MonoTime> first = removed_open_since_;
  for (const auto& [name, l] : own_links_) {
    if (l.open_since && (!first || *l.open_since < *first)) first = l.open_since;
  }
  return first;
}

std::optional<MonoTime> Membership::silentSince(const Peer& p) const {
  // A link that was not open cannot testify: no silence is counted before the first one opened.
  const auto first = firstOpen();
  if (!first) return std::nullopt;
  return std::max(p.last_heard.value_or(*first), *first);
}

MonoClock::duration Membership::threshold() const {
  return std::chrono::duration_cast<MonoClock::duration>(comms_up_ ? o_.deadtime : o_.initdead);
}

Result<void> Membership::send(message::Message m) {
  m.from = o_.self;
  m.generation = o_.generation;
  m.seq = seq_ + 1;
  m.timestamp_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(sched_.wallNow().time_since_epoch())
          .count());
  auto frame = message::encode(m, o_.keys);
  if (!frame.ok()) return frame.error();
  seq_ = m.seq;
  if (sender_) sender_(*frame);
  return {};
}

void Membership::sendHeartbeat() {
  Message hb;
  hb.type = MsgType::Heartbeat;
  hb.fields["st"] = std::string(nodeStateName(selfState()));
  auto r = send(std::move(hb));
  if (!r.ok()) {
    HB_LOG(log_, Error, Membership, "Cannot send heartbeat: {}", r.error().message);
  }
}

void Membership::onKeepalive() {
  sendHeartbeat();
  if (running_) keepalive_timer_->arm(o_.keepalive, [this] { onKeepalive(); });
}

void Membership::reconfigure(const message::KeyRing& keys, std::chrono::milliseconds keepalive,
                             std::chrono::milliseconds deadtime, std::chrono::milliseconds warntime,
                             std::chrono::milliseconds initdead) {
  o_.keys = keys;
  o_.deadtime = deadtime;
  o_.warntime = warntime;
  o_.initdead = initdead;
  if (o_.keepalive != keepalive) {
    o_.keepalive = keepalive;
    if (running_) keepalive_timer_->arm(o_.keepalive, [this] { onKeepalive(); });
  }
  armCheck();
}

void Membership::announceShutdown() {
  Message m;
  m.type = MsgType::Shutdown;
  auto r = send(std::move(m));
  if (!r.ok()) {
    HB_LOG(log_, Error, Membership, "Cannot send shutdown notice: {}", r.error().message);
  }
  // A heartbeat after the notice would make peers think we came back.
  keepalive_timer_->cancel();
}

bool Membership::everyPeerKnown() const {
  // Known: a heartbeat gave the node a state (or it shut down). Any other frame is not enough: its
  // messages are not delivered while the node is not a member, so the resource manager would
  // decide without it (a start against a live peer).
  return std::all_of(peers_.begin(), peers_.end(),
                     [](const auto& kv) { return kv.second.state != NodeState::Init; });
}

void Membership::setCommsUp() {
  if (comms_up_) return;
  comms_up_ = true;
  // Heartbeat: "Comm_now_up(): updating status to active".
  HB_LOG(log_, Notice, Membership, "node {}: status active | communications up", o_.self);
  emit(Change{ChangeKind::NodeState, o_.self, "", NodeState::Up, NodeState::Active,
              LinkState::Dead});
}

void Membership::setNodeState(const std::string& name, Peer& p, NodeState to,
                              std::string_view why) {
  const NodeState from = p.state;
  if (from == to) return;
  p.state = to;
  if (to == NodeState::Dead) {
    if (why.empty()) {
      HB_LOG(log_, Notice, Membership, "node {}: is dead", name);
    } else {
      HB_LOG(log_, Notice, Membership, "node {}: is dead | reason={}", name, why);
    }
  } else {
    HB_LOG(log_, Notice, Membership, "node {}: status {}", name, nodeStateName(to));
  }
  // Dead by a Shutdown message or by silence (check timer, late heartbeat); alive: heard.
  const ChangeReason reason = to != NodeState::Dead ? ChangeReason::Heard
                              : why == "shutdown"   ? ChangeReason::Shutdown
                                                    : ChangeReason::Timeout;
  emit(Change{ChangeKind::NodeState, name, "", from, to, LinkState::Dead, p.generation, reason});
}

void Membership::emit(const Change& change) {
  Change c = change;
  // Every change carries the node's generation as known now; link changes their own reason.
  if (c.node == o_.self) {
    c.generation = o_.generation;
  } else if (auto it = peers_.find(c.node); it != peers_.end()) {
    c.generation = it->second.generation;
  }
  if (c.kind == ChangeKind::LinkState) {
    c.reason = c.link_state == LinkState::Up ? ChangeReason::Heard : ChangeReason::Timeout;
  } else if (c.kind == ChangeKind::Restart) {
    c.reason = ChangeReason::Restart;
  }
  // Copied: a callback may register another callback.
  const auto cbs = change_cbs_;
  for (const auto& cb : cbs) cb(c);
}

void Membership::countDrop(DropReason r) {
  const auto n = ++counters_.dropped[static_cast<std::size_t>(r)];
  // Rate limit: log the 1st, 2nd, 4th, 8th, ... drop of each reason.
  if (std::has_single_bit(n)) {
    HB_LOG(log_, Warning, Membership, "Dropped a received frame: {} | count={}",
           message::dropReasonName(r), n);
  }
}

void Membership::receive(std::string_view link, message::ByteView bytes) {
  ++counters_.received;
  message::AuthMethod method = message::AuthMethod::Crc;
  auto decoded = message::decode(bytes, o_.keys, method);
  if (const auto* reason = std::get_if<DropReason>(&decoded)) {
    countDrop(*reason);
    return;
  }
  const Message& m = std::get<Message>(decoded);
  if (m.from == o_.self) return;  // our own frame looping back (broadcast/multicast)
  auto pit = peers_.find(m.from);
  if (pit == peers_.end()) {
    countDrop(DropReason::UnknownSender);
    return;
  }
  const std::string& name = pit->first;
  Peer& p = pit->second;
  auto verdict = guard_.check(m);
  if (verdict == message::ReplayGuard::Verdict::Replay) {
    // A generation the guard does not accept (not a sequence number out of the window): a replay,
    // or the peer's generation went back. Only an answer to our challenge tells them apart.
    const auto current = guard_.generation(m.from);
    if (!current || m.generation == *current || !unacceptedGeneration(m, p, method, *current)) {
      countDrop(DropReason::Replay);
      return;
    }
    verdict = message::ReplayGuard::Verdict::Restart;  // proven live: processed as its restart
  }
  const Stamp stamp{m.generation, m.seq};
  const bool fresh_node = !p.newest || stamp > *p.newest;
  auto lit = p.links.find(link);
  const bool fresh_link = lit != p.links.end() ? !lit->second.newest || stamp > *lit->second.newest : fresh_node;
  // A fresh frame proves the link carries frames, whatever its status said.
  if (auto own = own_links_.find(link); fresh_link && own != own_links_.end() && !own->second.open) {
    setLinkOpen(link, true);
  }
  const MonoTime now = sched_.now();
  if (fresh_node) {
    p.last_heard = now;
    p.newest = stamp;
  }
  if (lit == p.links.end()) {
    HB_LOG(log_, Debug, Membership, "Frame from {} on unconfigured link {}", name, link);
  } else if (fresh_link) {
    lit->second.last_heard = now;
    lit->second.newest = stamp;
    if (lit->second.state == LinkState::Dead) {
      lit->second.state = LinkState::Up;
      HB_LOG(log_, Notice, Membership, "Link {}:{} up.", name, link);
      emit(Change{ChangeKind::LinkState, name, std::string(link), p.state, p.state,
                  LinkState::Up});
    }
  }
  if (verdict == message::ReplayGuard::Verdict::Duplicate || (!fresh_node && m.type == MsgType::Heartbeat)) {
    // A copy, or a reordered older heartbeat: it says nothing about now (its status may be stale).
    ++counters_.duplicates;
  } else {
    handle(m, p, verdict == message::ReplayGuard::Verdict::Restart);
  }
  if (running_ && !comms_up_ && everyPeerKnown()) setCommsUp();
  armCheck();
}

void Membership::handle(const Message& m, Peer& p, bool restart) {
  const std::string& name = m.from;
  if (restart) {
    ++counters_.restarts;
    HB_LOG(log_, Notice, Membership, "node {}: restarted | generation={} previous={}", name,
           m.generation, p.generation);
    // Listeners see the new generation in the Restart change and in nodes().
    p.generation = m.generation;
    emit(Change{ChangeKind::Restart, name, "", p.state, p.state, LinkState::Dead});
    p.last_heartbeat.reset();  // a gap across a restart is not a late heartbeat
  }
  p.generation = m.generation;
  const MonoTime now = sched_.now();
  switch (m.type) {
    case MsgType::Heartbeat: {
      // An unknown status word (a newer peer?) still proves the node is alive.
      const NodeState reported = parseReported(m.str("st")).value_or(NodeState::Up);
      if (p.last_heartbeat && p.state != NodeState::Dead) {
        const auto gap = now - *p.last_heartbeat;
        if (gap > o_.warntime) {
          ++counters_.late_heartbeats;
          if (gap >= threshold()) {
            // The check timer would have declared the node dead before this gap could be seen:
            // it did not run in time, so this node's own loop was stalled and the frame may have
            // waited in the socket while we were. That is no proof of the peer's silence, and a
            // death now (heartbeat declares one, then "returning") would free its groups for a
            // moment while it still runs them. It stays alive (heard just now).
            HB_LOG(log_, Warning, Membership,
                   "Late heartbeat: Node {}: interval {} ms (> deadtime) while this node's loop was "
                   "stalled: not counted as a death",
                   name, toMs(gap));
          } else {
            HB_LOG(log_, Warning, Membership, "Late heartbeat: Node {}: interval {} ms", name,
                   toMs(gap));
          }
        }
      }
      if (p.state == NodeState::Dead && p.last_heartbeat) {
        HB_LOG(log_, Warning, Membership, "Cluster node {} returning after partition.", name);
      }
      p.last_heartbeat = now;
      setNodeState(name, p, reported, "");
      return;
    }
    case MsgType::Shutdown: {
      HB_LOG(log_, Info, Membership, "Received shutdown notice from '{}'.", name);
      // Listeners see the notice before the state change, so they can tell a clean shutdown
      // from a failure when the node goes dead.
      const auto shutdown_cbs = message_cbs_;
      for (const auto& cb : shutdown_cbs) cb(m);
      p.last_heartbeat.reset();
      setNodeState(name, p, NodeState::Dead, "shutdown");
      return;
    }
    case MsgType::Challenge:
      answerChallenge(m, p);
      return;
    case MsgType::Response:
      // Under a generation we accept already (our challenge was caused by a replay, or the answer
      // came twice): nothing to adopt; a matching nonce is used up (the episode goes on, so more
      // replays are not logged as a new one).
      if (m.str("to") == o_.self && !p.challenge.nonce.empty() &&
          m.str("nonce") == p.challenge.nonce) {
        p.challenge.nonce.clear();
        p.challenge.nonce_since.reset();
      }
      return;
    case MsgType::Cluster:
    case MsgType::Control:
      break;
  }
  if (p.state == NodeState::Dead || p.state == NodeState::Init) {
    // Only a heartbeat makes a node a member again. A message from a node that shut down (its last
    // report overtaken by the notice) or was declared dead must not reach the resource manager as
    // if the node were there: it could hand groups over to a node that is gone.
    ++counters_.from_non_member;
    HB_LOG(log_, Debug, Membership, "{} message from {} while it is {}: not delivered", message::msgTypeName(m.type),
           name, nodeStateName(p.state));
    return;
  }
  const auto cbs = message_cbs_;
  for (const auto& cb : cbs) cb(m);
}

bool Membership::unacceptedGeneration(const Message& m, Peer& p, message::AuthMethod method,
                                      std::uint64_t current) {
  const std::string& name = m.from;
  const MonoTime now = sched_.now();
  Challenge& c = p.challenge;
  const auto deadtime = std::chrono::duration_cast<MonoClock::duration>(o_.deadtime);
  if (!c.last_refused || now - *c.last_refused >= deadtime) {
    // A new episode (none yet, or the last one went quiet): logged once, not per frame.
    if (m.generation < current) {
      HB_LOG(log_, Warning, Membership,
             "node {}: frames with generation {}, lower than the {} it had: dropped until it "
             "answers a challenge (generation set back? or a replay) | generation={} remembered={}",
             name, m.generation, current, m.generation, current);
    } else {
      // Above the current one, below one it had before it went back: every ordinary restart of a
      // node that went back once (until we restart), or a replay of its old frames. The replay
      // drops are logged (rate-limited) as such.
      HB_LOG(log_, Info, Membership,
             "node {}: frames with generation {}, not above every generation it had before it went "
             "back to {}: dropped until it answers a challenge | generation={} remembered={}",
             name, m.generation, current, m.generation, current);
    }
    c = {};
  }
  c.last_refused = now;
  if (m.type == MsgType::Response) {
    const bool fresh = !c.nonce.empty() && c.nonce_since && now - *c.nonce_since < deadtime;
    // With a key in authkeys, a crc answer (anyone can compute one) proves nothing. A crc-only
    // cluster (auth_insecure_ok) has no proof of identity to give: the echo still proves the
    // sender is live and not a stale datagram, and whoever can forge a crc frame could already
    // pose as the node with a higher generation.
    const bool proven = message::isKeyed(method) || !any_keyed_;
    if (m.str("to") == o_.self && fresh && proven && m.str("nonce") == c.nonce) {
      HB_LOG(log_, Notice, Membership,
             "node {}: answered our challenge with generation {}: accepted again (it had {}) | "
             "generation={} previous={}",
             name, m.generation, current, m.generation, current);
      ++counters_.generations_lowered;
      guard_.adopt(m);
      // Liveness compares (generation, seq): the old incarnation's stamps would outrank every
      // frame of the new one.
      p.newest.reset();
      for (auto& [lname, l] : p.links) l.newest.reset();
      c = {};
      return true;
    }
    if (m.str("to") == o_.self) {
      ++counters_.challenge_failures;
      HB_LOG(log_, Warning, Membership, "node {}: answer to a challenge refused | reason={}", name,
             !proven ? "crc" : !fresh ? "no challenge outstanding" : "wrong nonce");
    }
  }
  if (!running_) return false;
  const auto every = std::max<MonoClock::duration>(
      std::chrono::duration_cast<MonoClock::duration>(o_.keepalive), std::chrono::milliseconds(100));
  if (c.last_sent && now - *c.last_sent < every) return false;
  if (c.nonce.empty() || !c.nonce_since || now - *c.nonce_since >= deadtime) {
    auto nonce = message::randomNonce(16);
    if (!nonce) {
      HB_LOG(log_, Error, Membership, "Cannot challenge node {}: {}", name, nonce.error().message);
      return false;
    }
    c.nonce = std::move(*nonce);
    c.nonce_since = now;
  }
  Message ch;
  ch.type = MsgType::Challenge;
  ch.fields["to"] = name;
  ch.fields["nonce"] = c.nonce;
  if (auto r = send(std::move(ch)); !r) {
    HB_LOG(log_, Error, Membership, "Cannot challenge node {}: {}", name, r.error().message);
    return false;
  }
  c.last_sent = now;
  ++counters_.challenges;
  HB_LOG(log_, Info, Membership, "node {}: challenged | generation={} remembered={}", name,
         m.generation, current);
  return false;
}

void Membership::answerChallenge(const Message& m, Peer& p) {
  if (m.str("to") != o_.self || !running_) return;
  const std::string nonce = m.str("nonce");
  if (nonce.empty() || nonce.size() > 64) return;
  // The challenger sends at most one per keepalive; answering at most four times as often bounds
  // what a flood of (crc) challenges can make us send.
  const MonoTime now = sched_.now();
  const auto every = std::clamp<MonoClock::duration>(
      std::chrono::duration_cast<MonoClock::duration>(o_.keepalive) / 4,
      std::chrono::milliseconds(10), std::chrono::milliseconds(250));
  if (p.last_answer && now - *p.last_answer < every) return;
  Message r;
  r.type = MsgType::Response;
  r.fields["to"] = m.from;
  r.fields["nonce"] = nonce;
  if (auto sent = send(std::move(r)); !sent) {
    HB_LOG(log_, Error, Membership, "Cannot answer the challenge of node {}: {}", m.from,
           sent.error().message);
    return;
  }
  p.last_answer = now;
  ++counters_.challenge_answers;
  HB_LOG(log_, Info, Membership, "node {}: answered its challenge | generation={}", m.from,
         o_.generation);
}

void Membership::onCheck() {
  const MonoTime now = sched_.now();
  const auto due = check_due_;
  check_deadline_.reset();
  check_due_.reset();
  // A check that runs much later than its deadline means this node's loop was stalled (CPU
  // starvation, a paused VM, swapping). Frames that arrived meanwhile may still wait in the
  // sockets, unread, and judging silence now would declare live peers dead. Read first: judge
  // after a grace of half a keepalive (10..500 ms), during which the loop reads what is pending.
  // Late means by more than a quarter keepalive (5..50 ms): ordinary handler latency is below
  // that. The deferral ends once a check runs on time, or after one deadtime of stalls in a row (a
  // loop that never catches up still declares the dead dead). Costs one grace of detection time.
  const auto keep = std::chrono::duration_cast<MonoClock::duration>(o_.keepalive);
  const auto tolerance = std::clamp<MonoClock::duration>(keep / 4, std::chrono::milliseconds(5),
                                                         std::chrono::milliseconds(50));
  if (due && now - *due > tolerance &&
      (!stalled_since_ || now - *stalled_since_ < threshold())) {
    if (!stalled_since_) stalled_since_ = now;
    ++counters_.stalls;
    const auto grace = std::clamp<MonoClock::duration>(keep / 2, std::chrono::milliseconds(10),
                                                        std::chrono::milliseconds(500));
    HB_LOG(log_, Warning, Membership,
           "silence check ran {} ms late (this node's loop was stalled): reading pending frames "
           "for {} ms before judging",
           toMs(now - *due), toMs(grace));
    check_deadline_ = check_due_ = now + grace;
    check_timer_->arm(grace, [this] { onCheck(); });
    return;
  }
  stalled_since_.reset();
  // initdead runs from the moment a link could first carry frames, not from start().
  if (const auto first = firstOpen(); !comms_up_ && first && now - *first >= o_.initdead) {
    setCommsUp();
  }
  const auto th = threshold();
  for (auto& [name, p] : peers_) {
    const auto since = silentSince(p);
    if (p.state != NodeState::Dead && since && now - *since >= th) {
      setNodeState(name, p, NodeState::Dead, "");
    }
    for (auto& [lname, l] : p.links) {
      if (l.state == LinkState::Up && now - *l.last_heard >= th) {
        l.state = LinkState::Dead;
        HB_LOG(log_, Notice, Membership, "Link {}:{} dead.", name, lname);
        emit(Change{ChangeKind::LinkState, name, lname, p.state, p.state, LinkState::Dead});
      }
    }
  }
  armCheck();
}

void Membership::armCheck() {
  if (!running_) return;
  // During a stall's grace, frames only make deadlines later; the grace's check recomputes them.
  if (stalled_since_ && check_timer_->armed()) return;
  std::optional<MonoTime> earliest;
  auto consider = [&](MonoTime t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  const auto th = threshold();
  if (const auto first = firstOpen(); !comms_up_ && first) {
    consider(*first + std::chrono::duration_cast<MonoClock::duration>(o_.initdead));
  }
  for (const auto& [name, p] : peers_) {
    if (const auto since = silentSince(p); p.state != NodeState::Dead && since) {
      consider(*since + th);
    }
    for (const auto& [lname, l] : p.links) {
      if (l.state == LinkState::Up) consider(*l.last_heard + th);
    }
  }
  if (!earliest) {
    check_timer_->cancel();
    check_deadline_.reset();
    check_due_.reset();
    return;
  }
  // Deadlines only move later as frames arrive; an armed timer that fires early just re-arms.
  if (check_deadline_ && *check_deadline_ <= *earliest && check_timer_->armed()) return;
  const auto now = sched_.now();
  check_deadline_ = *earliest;
  check_due_ = std::max(*earliest, now);
  check_timer_->arm(*earliest > now ? *earliest - now : MonoClock::duration::zero(),
                    [this] { onCheck(); });
}

NodeState Membership::nodeState(std::string_view node) const {
  if (node == o_.self) return selfState();
  auto it = peers_.find(node);
  return it == peers_.end() ? NodeState::Dead : it->second.state;
}

std::optional<LinkState> Membership::linkState(std::string_view node, std::string_view link) const {
  if (node == o_.self) {
    if (std::find(o_.links.begin(), o_.links.end(), link) == o_.links.end()) return std::nullopt;
    return LinkState::Dead;
  }
  auto it = peers_.find(node);
  if (it == peers_.end()) return std::nullopt;
  auto lit = it->second.links.find(link);
  if (lit == it->second.links.end()) return std::nullopt;
  return lit->second.state;
}

std::vector<NodeInfo> Membership::nodes() const {
  std::vector<NodeInfo> out;
  out.reserve(o_.nodes.size());
  for (const auto& n : o_.nodes) {
    NodeInfo info{n, NodeState::Dead, std::nullopt, 0, {}};
    if (n == o_.self) {
      info.state = selfState();
      info.generation = o_.generation;
      for (const auto& l : o_.links) info.links.push_back({l, LinkState::Dead, std::nullopt});
    } else if (auto it = peers_.find(n); it != peers_.end()) {
      const Peer& p = it->second;
      info.state = p.state;
      info.last_heard = p.last_heard;
      info.generation = p.generation;
      for (const auto& l : o_.links) {
        const Link& lk = p.links.at(l);
        info.links.push_back({l, lk.state, lk.last_heard});
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

const Counters& Membership::counters() const { return counters_; }
bool Membership::commsUp() const { return comms_up_; }
NodeState Membership::selfState() const { return comms_up_ ? NodeState::Active : NodeState::Up; }
std::uint64_t Membership::generation() const { return o_.generation; }

}  // namespace hb::membership
