// SPDX-License-Identifier: GPL-2.0-or-later
// Membership scenarios over TestLinkHub and FakeScheduler: detection, links, restarts, drops.
#include "hbd/membership/membership.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/fakes/memory_log_sink.h"
#include "tests/hbd/membership/test_link_hub.h"

namespace hb::membership {
namespace {

using namespace std::chrono_literals;
using message::AuthMethod;
using message::Bytes;
using message::DropReason;
using message::KeyRing;
using message::Message;
using message::MsgType;

KeyRing keys(AuthMethod m = AuthMethod::Sha1, std::string secret = "cluster-secret", int index = 1) {
  KeyRing k;
  k.send_index = index;
  k.keys[index] = {m, m == AuthMethod::Crc ? std::string() : std::move(secret)};
  return k;
}

std::uint64_t dropped(const Membership& m, DropReason r) {
  return m.counters().dropped[static_cast<std::size_t>(r)];
}

class MembershipTest : public ::testing::Test {
 protected:
  struct Node {
    test::MemoryLogSink log;
    std::unique_ptr<Membership> m;
    std::vector<Change> changes;
    std::vector<MonoTime> change_times;
    std::vector<Message> messages;
  };

  Options options(const std::string& name) const {
    Options o;
    o.self = name;
    o.nodes = names_;
    o.links = {"eth0", "eth1"};
    o.keepalive = 1000ms;
    o.deadtime = 3000ms;
    o.warntime = 1500ms;
    o.initdead = 6000ms;
    o.keys = keys();
    return o;
  }

  /** Creates (or replaces, as a restart would) node `name`, attached to the hub. */
  Node& add(const Options& o) {
    auto& slot = nodes_[o.self];
    slot = std::make_unique<Node>();
    Node& n = *slot;
    n.m = std::make_unique<Membership>(o, s_, n.log);
    n.m->onChange([this, &n](const Change& c) {
      n.changes.push_back(c);
      n.change_times.push_back(s_.now());
    });
    n.m->onMessage([&n](const Message& m) { n.messages.push_back(m); });
    hub_.attach(o.self, *n.m, o.links);
    return n;
  }
  Node& add(const std::string& name) { return add(options(name)); }
  /** hbd restarts on `name` with a new generation: a new instance replaces it and starts. */
  Node& restart(const std::string& name, std::uint64_t generation) {
    Options o = options(name);
    o.generation = generation;
    Node& n = add(o);
    n.m->start();
    return n;
  }

  Membership& m(const std::string& name) { return *nodes_.at(name)->m; }
  Node& node(const std::string& name) { return *nodes_.at(name); }

  /** Two nodes a and b, started, settled at t0 + 5 s (right after a heartbeat exchange). */
  void twoNodesSettled() {
    add("a");
    add("b");
    m("a").start();
    m("b").start();
    s_.advance(5000ms);
    ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
    ASSERT_EQ(m("b").nodeState("a"), NodeState::Active);
  }

  test::FakeScheduler s_;
  const MonoTime t0_ = s_.now();
  test::TestLinkHub hub_{s_};
  std::vector<std::string> names_{"a", "b"};
  std::map<std::string, std::unique_ptr<Node>> nodes_;
};

TEST_F(MembershipTest, NamesAndDefaults) {
  EXPECT_EQ(nodeStateName(NodeState::Init), "init");
  EXPECT_EQ(nodeStateName(NodeState::Up), "up");
  EXPECT_EQ(nodeStateName(NodeState::Active), "active");
  EXPECT_EQ(nodeStateName(NodeState::Dead), "dead");
  EXPECT_EQ(linkStateName(LinkState::Up), "up");
  EXPECT_EQ(linkStateName(LinkState::Dead), "dead");
  Options o = options("a");
  o.generation = 77;
  add(o);
  EXPECT_EQ(m("a").generation(), 77u);
  EXPECT_EQ(m("a").selfState(), NodeState::Up);
  EXPECT_FALSE(m("a").commsUp());
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Init);
  EXPECT_EQ(m("a").nodeState("nobody"), NodeState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  EXPECT_EQ(m("a").linkState("a", "eth0"), LinkState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth9"), std::nullopt);
  EXPECT_EQ(m("a").linkState("nobody", "eth0"), std::nullopt);
}

TEST_F(MembershipTest, StartSendsAtOnceAndBothBecomeActive) {
  add("a");
  add("b");
  m("a").start();
  EXPECT_EQ(hub_.sent("a").size(), 1u);  // first heartbeat at once
  m("b").start();
  s_.runPending();
  // Each heard the other ("st=up"): communications are up, so each is active itself.
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Up);
  EXPECT_TRUE(m("a").commsUp());
  EXPECT_EQ(m("a").selfState(), NodeState::Active);
  EXPECT_EQ(m("a").nodeState("a"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  // One log line per change.
  const auto& log = node("a").log;
  EXPECT_EQ(log.count("Link b:eth0 up."), 1u);
  EXPECT_EQ(log.count("Link b:eth1 up."), 1u);
  EXPECT_EQ(log.count("node b: status up"), 1u);
  EXPECT_EQ(log.count("node b: status active"), 1u);
  EXPECT_EQ(log.count("node a: status active"), 1u);
  // Changes seen by a: link eth0 up, link eth1 up? (order of links = order of arrival).
  ASSERT_GE(node("a").changes.size(), 5u);
  EXPECT_EQ(node("a").changes[0].kind, ChangeKind::LinkState);
  EXPECT_EQ(node("a").changes[0].link_state, LinkState::Up);

  const auto infos = m("a").nodes();
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].name, "a");
  EXPECT_EQ(infos[0].state, NodeState::Active);
  EXPECT_EQ(infos[0].generation, 1u);
  ASSERT_EQ(infos[0].links.size(), 2u);
  EXPECT_EQ(infos[0].links[0].state, LinkState::Dead);  // own links show dead
  EXPECT_EQ(infos[1].name, "b");
  EXPECT_EQ(infos[1].state, NodeState::Active);
  EXPECT_EQ(infos[1].last_heard, s_.now());
  EXPECT_EQ(infos[1].generation, 1u);
  ASSERT_EQ(infos[1].links.size(), 2u);
  EXPECT_EQ(infos[1].links[1].name, "eth1");
  EXPECT_EQ(infos[1].links[1].state, LinkState::Up);
  EXPECT_EQ(infos[1].links[1].last_heard, s_.now());
}

TEST_F(MembershipTest, DeadAtExactlyDeadtime) {
  twoNodesSettled();
  const MonoTime last = s_.now();  // b's heartbeat of t0+5s was just received
  hub_.partition({"a"}, {"b"});
  s_.advance(2999ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  s_.advance(1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Dead);
  // The change happened exactly at last + deadtime.
  const auto& n = node("a");
  ASSERT_FALSE(n.changes.empty());
  bool found = false;
  for (std::size_t i = 0; i < n.changes.size(); ++i) {
    if (n.changes[i].kind == ChangeKind::NodeState && n.changes[i].new_state == NodeState::Dead) {
      EXPECT_EQ(n.changes[i].node, "b");
      EXPECT_EQ(n.changes[i].old_state, NodeState::Active);
      EXPECT_EQ(n.change_times[i], last + 3000ms);
      EXPECT_EQ(n.changes[i].reason, ChangeReason::Timeout);
      EXPECT_EQ(n.changes[i].generation, 1u);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(n.log.count("node b: is dead"), 1u);
  EXPECT_EQ(n.log.count("Link b:eth0 dead."), 1u);
  EXPECT_EQ(n.log.count("Link b:eth1 dead."), 1u);
  // Symmetric on b.
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Dead);
  // Stays dead, logs nothing more.
  s_.advance(10s);
  EXPECT_EQ(n.log.count("node b: is dead"), 1u);
}

TEST_F(MembershipTest, DetectionIsNotAlignedToKeepalive) {
  // deadtime 2.5 s with a 1 s keepalive: a poll on the keepalive tick would see it at 3 s.
  names_ = {"a", "b"};
  Options oa = options("a");
  oa.deadtime = 2500ms;
  oa.warntime = 2000ms;
  add(oa);
  add("b");
  m("a").start();
  m("b").start();
  s_.advance(5000ms);
  s_.advance(300ms);
  hub_.partition({"a"}, {"b"});  // last heard at t0+5s
  s_.advance(2199ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  s_.advance(1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(s_.now(), t0_ + 7500ms);
}

TEST_F(MembershipTest, OneLinkDiesNodeStaysActive) {
  twoNodesSettled();
  hub_.cut("eth0");
  s_.advance(2999ms);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  s_.advance(1ms);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  s_.advance(20s);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
  EXPECT_EQ(node("a").log.count("Link b:eth0 dead."), 1u);
  EXPECT_EQ(node("a").log.count("node b: is dead"), 0u);
  // The link comes back.
  hub_.cut("eth0", false);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  EXPECT_EQ(node("a").log.count("Link b:eth0 up."), 2u);
}

// Reload: key rotation in three steps (add the new key everywhere, switch auth, drop the old key)
// keeps both nodes active; a node still on a key the other no longer lists is dropped.
TEST_F(MembershipTest, ReconfigureRotatesKeysWithoutADeath) {
  twoNodesSettled();
  KeyRing both = keys();
  both.keys[2] = {AuthMethod::Sha256, "new-secret"};
  KeyRing both_send2 = both;
  both_send2.send_index = 2;
  KeyRing only2 = keys(AuthMethod::Sha256, "new-secret", 2);
  auto step = [&](const std::string& n, const KeyRing& k) {
    m(n).reconfigure(k, 1000ms, 3000ms, 1500ms, 6000ms);
  };
  for (const auto* k : {&both, &both_send2, &only2}) {
    step("a", *k);
    s_.advance(700ms);  // the other node reloads a little later
    step("b", *k);
    s_.advance(5000ms);
    EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
    EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  }
  EXPECT_EQ(dropped(m("a"), DropReason::UnknownKey), 0u);
  EXPECT_EQ(dropped(m("b"), DropReason::UnknownKey), 0u);
  // b goes back to the old key alone: a no longer accepts it, and b is dead after deadtime.
  step("b", keys());
  s_.advance(3500ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_GT(dropped(m("a"), DropReason::UnknownKey), 0u);
}

// Reload: a link added on both nodes comes up and carries the node alone once the old one is
// removed; neither node ever sees the other dead.
TEST_F(MembershipTest, ReloadAddsAndRemovesLinksWithoutADeath) {
  twoNodesSettled();
  for (const char* n : {"a", "b"}) {
    m(n).addLink("eth2");
    hub_.attach(n, m(n), {"eth0", "eth1", "eth2"});
  }
  EXPECT_EQ(m("a").linkState("b", "eth2"), LinkState::Dead);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").linkState("b", "eth2"), LinkState::Up);
  EXPECT_EQ(node("a").log.count("Link b:eth2 up."), 1u);
  ASSERT_EQ(m("a").nodes().at(1).links.size(), 3u);
  EXPECT_EQ(m("a").nodes().at(1).links.at(2).name, "eth2");
  // eth0 and eth1 go away (removed, then cut): eth2 alone keeps both nodes active.
  for (const char* n : {"a", "b"}) {
    m(n).removeLink("eth0");
    m(n).removeLink("eth1");
    hub_.attach(n, m(n), {"eth2"});
  }
  EXPECT_EQ(m("a").linkState("b", "eth0"), std::nullopt);
  EXPECT_EQ(m("a").linkState("a", "eth1"), std::nullopt);
  ASSERT_EQ(m("a").nodes().at(1).links.size(), 1u);
  s_.advance(20s);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  EXPECT_EQ(node("a").log.count("node b: is dead"), 0u);
  // Adding a known link or removing an unknown one changes nothing.
  m("a").addLink("eth2");
  m("a").removeLink("eth9");
  EXPECT_EQ(m("a").linkState("b", "eth2"), LinkState::Up);
  ASSERT_EQ(m("a").nodes().at(1).links.size(), 1u);
}

// Reload: removing the link a peer was heard on does not give it more time. It dies deadtime after
// its last frame, as it would have with the link kept, even though the new link opened later.
TEST_F(MembershipTest, ReloadRemovingALinkDoesNotDelayADeath) {
  twoNodesSettled();
  hub_.cut("eth0");
  hub_.cut("eth1");
  const MonoTime silent = s_.now();
  s_.advance(1000ms);
  m("a").addLink("eth2");
  m("a").removeLink("eth0");
  m("a").removeLink("eth1");
  hub_.attach("a", m("a"), {"eth2"});
  s_.advance(3000ms - (s_.now() - silent) - 1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  s_.advance(1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
}

// Reload: a shorter deadtime applies from the next check; a longer keepalive from the next beat.
TEST_F(MembershipTest, ReconfigureAppliesNewTimings) {
  twoNodesSettled();
  m("a").reconfigure(keys(), 1000ms, 1500ms, 1000ms, 6000ms);
  hub_.cut("eth0");
  hub_.cut("eth1");
  s_.advance(1600ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
}

TEST_F(MembershipTest, DuplicateAcrossLinksProcessedOnce) {
  twoNodesSettled();
  const auto dup_before = m("a").counters().duplicates;
  const auto recv_before = m("a").counters().received;
  Message msg;
  msg.type = MsgType::Cluster;
  msg.fields["t"] = std::string("resource");
  ASSERT_TRUE(m("b").send(msg).ok());
  s_.runPending();
  ASSERT_EQ(node("a").messages.size(), 1u);
  EXPECT_EQ(node("a").messages[0].from, "b");
  EXPECT_EQ(node("a").messages[0].str("t"), "resource");
  EXPECT_EQ(m("a").counters().received, recv_before + 2);
  EXPECT_EQ(m("a").counters().duplicates, dup_before + 1);
  // Heartbeats are not delivered to onMessage, and each arrives twice: one duplicate each.
  s_.advance(3000ms);
  EXPECT_EQ(node("a").messages.size(), 1u);
  EXPECT_EQ(m("a").counters().duplicates, dup_before + 1 + 3);
  EXPECT_EQ(m("a").counters().late_heartbeats, 0u);
}

TEST_F(MembershipTest, LateHeartbeatWarns) {
  twoNodesSettled();
  s_.advance(500ms);
  hub_.drop("b", "a", "");  // the heartbeat of t0+6s is lost
  s_.advance(1000ms);
  hub_.drop("b", "a", "", false);
  s_.advance(1000ms);  // t0+7s arrives: gap 2000 ms > warntime 1500 ms
  EXPECT_EQ(m("a").counters().late_heartbeats, 1u);
  EXPECT_EQ(node("a").log.count("Late heartbeat: Node b: interval 2000 ms"), 1u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(node("a").log.count("node b: is dead"), 0u);
}

// A gap beyond deadtime that the silence check did not catch means this node's own loop was late:
// the heartbeat may have waited unread in the socket. Heartbeat declares the peer dead and then
// "returning"; that would free its groups for a moment while it still runs them.
TEST_F(MembershipTest, LateHeartbeatBeyondDeadtimeIsAStallNotADeath) {
  twoNodesSettled();
  // a's timers are stopped (as if its loop stalled): nothing detects the silence in time.
  m("a").stop();
  hub_.drop("b", "a", "");
  s_.advance(4000ms);
  hub_.drop("b", "a", "", false);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").counters().late_heartbeats, 1u);
  EXPECT_EQ(node("a").log.count("(> deadtime) while this node's loop was stalled"), 1u);
  EXPECT_EQ(node("a").log.count("node b: is dead"), 0u);
  EXPECT_EQ(node("a").log.count("returning after partition"), 0u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  for (const auto& c : node("a").changes) {
    EXPECT_FALSE(c.kind == ChangeKind::NodeState && c.node == "b" && c.new_state == NodeState::Dead);
  }
}

// The whole machine stalls for longer than deadtime (both nodes' loops; groups_scale with 8 nodes
// on 2 cores saw 2.2 s). When the loops run again, the overdue silence checks come before the frames
// sent meanwhile are read: without a grace, each node declares the other dead (and would start its
// groups while they still run there).
TEST_F(MembershipTest, ALoopStallDoesNotKillPeersWhoseFramesWaitUnread) {
  twoNodesSettled();
  s_.jump(4000ms);
  s_.advance(1ms);
  EXPECT_GE(m("a").counters().stalls, 1u);
  EXPECT_GE(node("a").log.count("silence check ran"), 1u);
  s_.advance(10000ms);
  for (const char* n : {"a", "b"}) {
    EXPECT_EQ(node(n).log.count(": is dead"), 0u) << n;
    EXPECT_EQ(node(n).log.count(" dead."), 0u) << n;  // no link declared dead either
  }
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
}

// A peer that really died during the stall is still declared dead: after one grace (half a
// keepalive) in which nothing arrives from it.
TEST_F(MembershipTest, APeerThatDiedDuringAStallIsDeadAfterOneGrace) {
  twoNodesSettled();
  hub_.drop("b", "a", "");
  s_.jump(4000ms);
  const MonoTime woke = s_.now();
  s_.advance(499ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);  // still reading what might be pending
  s_.advance(2ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  const auto& n = node("a");
  const auto dead = std::find_if(n.changes.begin(), n.changes.end(), [](const Change& c) {
    return c.kind == ChangeKind::NodeState && c.node == "b" && c.new_state == NodeState::Dead;
  });
  ASSERT_NE(dead, n.changes.end());
  EXPECT_EQ(dead->reason, ChangeReason::Timeout);
  EXPECT_EQ(m("a").counters().stalls, 1u);
  EXPECT_LE(n.change_times.at(static_cast<std::size_t>(dead - n.changes.begin())) - woke, 501ms);
}

// A loop that never catches up still declares the dead dead: deferrals end after one deadtime.
TEST_F(MembershipTest, StallDeferralsEndAfterOneDeadtime) {
  twoNodesSettled();
  hub_.drop("b", "a", "");
  for (int i = 0; i < 10 && m("a").nodeState("b") != NodeState::Dead; ++i) {
    s_.jump(1500ms);  // every check runs 1.5 s late
    s_.advance(1ms);
  }
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_LE(m("a").counters().stalls, 4u);
}

TEST_F(MembershipTest, ChangesCarryGenerationAndReason) {
  Options oa = options("a");
  oa.generation = 7;
  Options ob = options("b");
  ob.generation = 42;
  add(oa);
  add(ob);
  m("a").start();
  m("b").start();
  s_.advance(2000ms);
  bool saw_up = false, saw_link_up = false, saw_self = false;
  for (const auto& c : node("a").changes) {
    if (c.node == "a") {
      saw_self = true;
      EXPECT_EQ(c.generation, 7u);
      EXPECT_EQ(c.reason, ChangeReason::Heard);
      continue;
    }
    EXPECT_EQ(c.node, "b");
    if (c.kind == ChangeKind::NodeState) {
      saw_up = true;
      EXPECT_EQ(c.generation, 42u);  // known before the first state change is delivered
      EXPECT_EQ(c.reason, ChangeReason::Heard);
    }
    if (c.kind == ChangeKind::LinkState) {
      saw_link_up = true;
      EXPECT_EQ(c.reason, ChangeReason::Heard);
    }
  }
  EXPECT_TRUE(saw_up && saw_link_up && saw_self);
  hub_.cut("eth1");
  s_.advance(3500ms);
  ASSERT_FALSE(node("a").changes.empty());
  const Change& link_dead = node("a").changes.back();
  EXPECT_EQ(link_dead.kind, ChangeKind::LinkState);
  EXPECT_EQ(link_dead.link, "eth1");
  EXPECT_EQ(link_dead.reason, ChangeReason::Timeout);
  EXPECT_EQ(link_dead.generation, 42u);
  EXPECT_EQ(changeReasonName(ChangeReason::Shutdown), "shutdown");
}

TEST_F(MembershipTest, InitdeadAppliesUntilCommsUp) {
  names_ = {"a", "b", "c"};  // c never starts
  add("a");
  add("b");
  m("a").start();
  m("b").start();
  s_.advance(1000ms);
  hub_.partition({"a"}, {"b"});  // b last heard at t0+1s
  s_.advance(4000ms);            // t0+5s: b silent 4 s > deadtime, but initdead applies
  EXPECT_FALSE(m("a").commsUp());
  EXPECT_EQ(m("a").selfState(), NodeState::Up);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Up);  // b has not heard c either: it says "up"
  EXPECT_EQ(m("a").nodeState("c"), NodeState::Init);
  s_.advance(999ms);
  EXPECT_EQ(m("a").nodeState("c"), NodeState::Init);
  EXPECT_FALSE(m("a").commsUp());
  s_.advance(1ms);  // t0 + initdead
  EXPECT_TRUE(m("a").commsUp());
  EXPECT_EQ(m("a").selfState(), NodeState::Active);
  EXPECT_EQ(m("a").nodeState("c"), NodeState::Dead);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(node("a").log.count("node c: is dead"), 1u);
}

TEST_F(MembershipTest, CommsUpAsSoonAsEveryNodeIsHeard) {
  names_ = {"a", "b", "c"};
  add("a");
  add("b");
  add("c");
  m("a").start();
  m("b").start();
  s_.advance(2000ms);
  EXPECT_FALSE(m("a").commsUp());
  m("c").start();
  s_.runPending();
  EXPECT_TRUE(m("a").commsUp());
  EXPECT_EQ(m("a").selfState(), NodeState::Active);
  // Heartbeats now say "active".
  s_.advance(1000ms);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
}

TEST_F(MembershipTest, SingleNodeClusterIsActiveAtStart) {
  names_ = {"a"};
  add("a");
  m("a").start();
  EXPECT_TRUE(m("a").commsUp());
  EXPECT_EQ(m("a").selfState(), NodeState::Active);
}

TEST_F(MembershipTest, RestartWithNewGeneration) {
  twoNodesSettled();
  const auto old_frames = hub_.sent("b");
  s_.advance(500ms);
  restart("b", 2);  // replaces b: its old instance is gone, seq numbers start again at 1
  s_.runPending();
  EXPECT_EQ(m("a").counters().restarts, 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::Replay), 0u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Up);  // the new b reports "up" until it hears a
  const auto& n = node("a");
  ASSERT_GE(n.changes.size(), 1u);
  bool saw_restart = false;
  for (const auto& c : n.changes) {
    if (c.kind == ChangeKind::Restart) {
      saw_restart = true;
      EXPECT_EQ(c.node, "b");
      EXPECT_EQ(c.reason, ChangeReason::Restart);
      EXPECT_EQ(c.generation, 2u);  // the new incarnation's, not the one it replaced
    }
  }
  EXPECT_TRUE(saw_restart);
  EXPECT_EQ(n.log.count("node b: restarted"), 1u);
  EXPECT_EQ(m("a").nodes()[1].generation, 2u);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").counters().late_heartbeats, 0u);

  // A replay of the old incarnation's frames is dropped as Replay and changes nothing.
  const auto changes = n.changes.size();
  for (const auto& f : old_frames) hub_.inject("a", "eth0", f);
  s_.runPending();
  EXPECT_EQ(dropped(m("a"), DropReason::Replay), old_frames.size());
  EXPECT_EQ(n.changes.size(), changes);
}

// b restarts with a generation below the one a remembers (clock set back with hbgenmethod time, or
// its state dir restored with file). Fixture: b at generation 5 (a restart a accepted), then 3.
class LowerGenerationTest : public MembershipTest {
 protected:
  void SetUp() override {
    twoNodesSettled();
    restart("b", 5);
    s_.advance(2000ms);
    ASSERT_EQ(m("a").nodes()[1].generation, 5u);
    ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
    old_frames_ = hub_.sent("b");  // b's frames so far, generation 5 among them
  }
  /** The nonce of the last challenge a sent to b. */
  std::string lastNonce() {
    const auto& sent = hub_.sent("a");
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      auto d = message::decode(*it, keys());
      const auto* msg = std::get_if<Message>(&d);
      if (msg != nullptr && msg->type == MsgType::Challenge && msg->str("to") == "b") {
        return msg->str("nonce");
      }
    }
    return {};
  }
  /** An answer as b at `generation`, signed with `k`. */
  Bytes answer(std::string nonce, std::uint64_t generation, const KeyRing& k, std::string to = "a") {
    Message r;
    r.type = MsgType::Response;
    r.from = "b";
    r.generation = generation;
    r.seq = ++forged_seq_;
    r.fields["to"] = std::move(to);
    r.fields["nonce"] = std::move(nonce);
    auto bytes = message::encode(r, k);
    EXPECT_TRUE(bytes.ok());
    return *bytes;
  }
  std::size_t restartsSeen() const {
    std::size_t n = 0;
    for (const auto& c : nodes_.at("a")->changes) n += c.kind == ChangeKind::Restart ? 1 : 0;
    return n;
  }
  std::vector<Bytes> old_frames_;
  std::uint64_t forged_seq_ = 5000;
};

TEST_F(LowerGenerationTest, DroppedUntilItAnswersAChallengeThenAcceptedWithTheLowerGeneration) {
  const auto restarts = m("a").counters().restarts;
  const auto replays = dropped(m("a"), DropReason::Replay);
  hub_.drop("a", "b", "");  // a's challenges do not reach b yet
  restart("b", 3);
  s_.advance(4000ms);  // > deadtime: b's frames are dropped, so b is dead for a
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_GT(dropped(m("a"), DropReason::Replay), replays + 4);  // its heartbeats, on both links
  EXPECT_EQ(m("a").nodes()[1].generation, 5u);
  // One challenge per keepalive, not one per frame; one warning for the episode, both numbers.
  EXPECT_GE(m("a").counters().challenges, 4u);
  EXPECT_LE(m("a").counters().challenges, 5u);
  EXPECT_EQ(node("a").log.count("node b: frames with generation 3, lower than the 5 it had"), 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 0u);

  hub_.heal();
  s_.advance(1000ms);  // b's next heartbeat -> challenge -> answer -> accepted
  EXPECT_EQ(m("b").counters().challenge_answers, 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 1u);
  EXPECT_EQ(m("a").counters().restarts, restarts + 1);
  EXPECT_EQ(m("a").nodes()[1].generation, 3u);
  ASSERT_FALSE(node("a").changes.empty());
  bool saw = false;
  for (const auto& c : node("a").changes) {
    if (c.kind == ChangeKind::Restart && c.generation == 3u) saw = true;
  }
  EXPECT_TRUE(saw);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
  const auto challenges = m("a").counters().challenges;
  s_.advance(5000ms);
  EXPECT_EQ(m("a").counters().challenges, challenges);  // accepted: no more challenges
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
}

TEST_F(LowerGenerationTest, AcceptedAtOnceWhenTheChallengeGetsThrough) {
  restart("b", 3);
  s_.runPending();
  s_.advance(10ms);
  EXPECT_EQ(m("a").counters().challenges, 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 1u);
  EXPECT_EQ(m("a").nodes()[1].generation, 3u);
  // b hears a normally (b's guard is new): a's challenge was an ordinary frame for it.
  EXPECT_EQ(m("b").counters().challenge_answers, 1u);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  EXPECT_TRUE(node("a").messages.empty());  // challenges and answers are membership's own
  EXPECT_TRUE(node("b").messages.empty());
  // b's next start (file: 3 + 1) is above its current generation but not above the 5 it had: it
  // could be a replay of 5's era too, so it is challenged as well, and accepted without a warning.
  const auto warnings = node("a").log.count("lower than");
  restart("b", 4);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").counters().generations_lowered, 2u);
  EXPECT_EQ(m("a").nodes()[1].generation, 4u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(node("a").log.count("lower than"), warnings);
  // Above every generation it ever had: an ordinary restart, no challenge.
  const auto challenges = m("a").counters().challenges;
  restart("b", 6);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").counters().challenges, challenges);
  EXPECT_EQ(m("a").nodes()[1].generation, 6u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
}

TEST_F(LowerGenerationTest, AReplayOfTheOldIncarnationDoesNotUndoItNorKeepItAlive) {
  restart("b", 3);
  s_.advance(2000ms);
  ASSERT_EQ(m("a").nodes()[1].generation, 3u);
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
  const auto restarts = m("a").counters().restarts;
  const auto changes = node("a").changes.size();
  // b goes silent; the captured generation-5 frames (above 3!) are replayed all along.
  hub_.partition({"a"}, {"b"});
  const MonoTime silent_from = s_.now();
  std::size_t i = 0;
  while (m("a").nodeState("b") != NodeState::Dead && s_.now() - silent_from < 10s) {
    hub_.inject("a", "eth0", old_frames_[i++ % old_frames_.size()]);
    s_.advance(100ms);
  }
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_LE(s_.now() - silent_from, 3100ms);  // dead by deadtime, as without the replay
  EXPECT_EQ(m("a").counters().restarts, restarts);
  EXPECT_EQ(m("a").nodes()[1].generation, 3u);
  for (std::size_t c = changes; c < node("a").changes.size(); ++c) {
    EXPECT_NE(node("a").changes[c].kind, ChangeKind::Restart);
  }
  // The replays were challenged (b could not answer under 5) and all dropped.
  EXPECT_GT(m("a").counters().challenges, 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 1u);
}

TEST_F(LowerGenerationTest, ForgedOrStaleAnswersAreRefused) {
  hub_.drop("b", "a", "");  // b's real frames and answers do not reach a
  restart("b", 3);
  // Let one frame of b's through to start the episode: a challenges.
  hub_.heal();
  hub_.drop("a", "b", "");
  s_.advance(1000ms);
  hub_.drop("b", "a", "");
  ASSERT_GE(m("a").counters().challenges, 1u);
  const std::string nonce = lastNonce();
  ASSERT_EQ(nonce.size(), 16u);

  // The right nonce under a wrong key: not authentic.
  hub_.inject("a", "eth0", answer(nonce, 3, keys(AuthMethod::Sha1, "not-the-secret")));
  // The right key, a nonce of its own (a guess): refused.
  hub_.inject("a", "eth0", answer(std::string(16, 'x'), 3, keys()));
  // The right key and nonce, addressed to another node: not an answer to a.
  hub_.inject("a", "eth0", answer(nonce, 3, keys(), "c"));
  s_.runPending();
  EXPECT_EQ(dropped(m("a"), DropReason::BadAuth), 1u);
  EXPECT_EQ(m("a").counters().challenge_failures, 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 0u);
  EXPECT_EQ(m("a").nodes()[1].generation, 5u);

  // The nonce expires after deadtime: an answer with it is stale, even when authentic.
  s_.advance(3500ms);
  hub_.inject("a", "eth0", answer(nonce, 3, keys()));
  s_.runPending();
  EXPECT_EQ(m("a").counters().generations_lowered, 0u);
  EXPECT_EQ(m("a").counters().challenge_failures, 2u);
  EXPECT_EQ(m("a").nodes()[1].generation, 5u);
  EXPECT_NE(lastNonce(), nonce);  // re-challenged with a fresh nonce

  // The genuine exchange still works.
  hub_.heal();
  s_.advance(2500ms);
  EXPECT_EQ(m("a").counters().generations_lowered, 1u);
  EXPECT_EQ(m("a").nodes()[1].generation, 3u);
}

TEST_F(MembershipTest, ACrcAnswerProvesNothingWhenAKeyIsConfigured) {
  // Keys rotated to sha1 with crc still accepted (index 2): b answers with crc.
  KeyRing ring = keys();
  ring.keys[2] = {AuthMethod::Crc, ""};
  Options oa = options("a"), ob = options("b");
  oa.keys = ring;
  ob.keys = ring;
  ob.keys.send_index = 2;
  ob.generation = 5;
  add(oa).m->start();
  add(ob).m->start();
  s_.advance(2000ms);
  ASSERT_EQ(m("a").nodes()[1].generation, 5u);
  ob.generation = 3;
  add(ob).m->start();
  s_.advance(2000ms);
  EXPECT_GE(m("a").counters().challenges, 1u);
  EXPECT_GE(m("a").counters().challenge_failures, 1u);
  EXPECT_EQ(m("a").counters().generations_lowered, 0u);
  EXPECT_EQ(m("a").nodes()[1].generation, 5u);
}

TEST_F(MembershipTest, ACrcOnlyClusterAcceptsALowerGenerationThatEchoesTheNonce) {
  Options oa = options("a"), ob = options("b");
  oa.keys = ob.keys = keys(AuthMethod::Crc);
  ob.generation = 5;
  add(oa).m->start();
  add(ob).m->start();
  s_.advance(2000ms);
  ob.generation = 3;
  add(ob).m->start();
  s_.advance(2000ms);
  EXPECT_EQ(m("a").counters().generations_lowered, 1u);
  EXPECT_EQ(m("a").nodes()[1].generation, 3u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
}

TEST_F(MembershipTest, ReplayedShutdownIsIgnored) {
  twoNodesSettled();
  // Capture a shutdown notice from b's old incarnation, then restart b.
  m("b").announceShutdown();
  s_.runPending();
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(node("a").log.count("node b: is dead | reason=shutdown"), 1u);
  const Bytes notice = hub_.sent("b").back();
  restart("b", 2);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  hub_.inject("a", "eth1", notice);
  s_.runPending();
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(dropped(m("a"), DropReason::Replay), 1u);
  // Within the current generation a re-sent frame is a duplicate: counted, not processed.
  const auto dups = m("a").counters().duplicates;
  hub_.inject("a", "eth1", hub_.sent("b").back());  // the new incarnation's last heartbeat
  s_.runPending();
  EXPECT_EQ(m("a").counters().duplicates, dups + 1);
  EXPECT_EQ(dropped(m("a"), DropReason::Replay), 1u);
}

TEST_F(MembershipTest, ShutdownMarksDeadAtOnce) {
  twoNodesSettled();
  m("b").announceShutdown();
  s_.runPending();
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  ASSERT_EQ(node("a").messages.size(), 1u);
  EXPECT_EQ(node("a").messages[0].type, MsgType::Shutdown);
  ASSERT_FALSE(node("a").changes.empty());
  const Change& dead = node("a").changes.back();
  EXPECT_EQ(dead.kind, ChangeKind::NodeState);
  EXPECT_EQ(dead.new_state, NodeState::Dead);
  EXPECT_EQ(dead.reason, ChangeReason::Shutdown);
  EXPECT_EQ(dead.generation, 1u);
  const auto sent = hub_.sent("b").size();
  s_.advance(10s);
  EXPECT_EQ(hub_.sent("b").size(), sent);  // no heartbeats after the notice
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(node("a").log.count("node b: is dead"), 1u);
}

// After b's shutdown notice, b's cluster messages are not delivered: neither one b sends after the
// notice nor an older one the notice overtook. Only a heartbeat (a new incarnation) makes b a member
// again. (cluster_groups_standby, CI: a late report brought a shut-down peer back to life.)
TEST_F(MembershipTest, NoClusterMessageIsDeliveredFromANodeThatShutDown) {
  twoNodesSettled();
  Message report;
  report.type = MsgType::Cluster;
  report.fields["t"] = std::string("rsc");
  hub_.partition({"a"}, {"b"});
  ASSERT_TRUE(m("b").send(report).ok());
  s_.runPending();
  const Bytes overtaken = hub_.sent("b").back();
  hub_.heal();
  m("b").announceShutdown();
  s_.runPending();
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Dead);
  ASSERT_TRUE(m("b").send(report).ok());  // sent after the notice
  s_.runPending();
  hub_.inject("a", "eth1", overtaken);  // sent before it, arriving after it
  s_.runPending();
  ASSERT_EQ(node("a").messages.size(), 1u);
  EXPECT_EQ(node("a").messages[0].type, MsgType::Shutdown);
  EXPECT_EQ(m("a").counters().from_non_member, 2u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  // While b is a member its messages are delivered.
  restart("b", 2);
  s_.advance(2000ms);
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
  ASSERT_TRUE(m("b").send(report).ok());
  s_.runPending();
  ASSERT_EQ(node("a").messages.size(), 2u);
  EXPECT_EQ(node("a").messages[1].type, MsgType::Cluster);
}

TEST_F(MembershipTest, PartitionHealsAndNodeReturns) {
  twoNodesSettled();
  hub_.partition({"a"}, {"b"});
  s_.advance(5000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  hub_.heal();
  s_.advance(1000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
  EXPECT_EQ(node("a").log.count("Cluster node b returning after partition."), 1u);
  EXPECT_EQ(node("a").log.count("node b: status active"), 2u);
  EXPECT_EQ(m("a").counters().late_heartbeats, 0u);  // dead already: returning, not late
}

TEST_F(MembershipTest, BadFramesAreDroppedByReasonAndChangeNothing) {
  add("a");
  m("a").start();
  s_.runPending();
  const auto changes = node("a").changes.size();
  Message hb;
  hb.type = MsgType::Heartbeat;
  hb.from = "b";
  hb.generation = 1;
  hb.seq = 1;
  hb.fields["st"] = std::string("active");

  auto good = message::encode(hb, keys());
  ASSERT_TRUE(good.ok());
  // Forged: the right sender name, the wrong secret.
  auto forged = message::encode(hb, keys(AuthMethod::Sha1, "guess"));
  ASSERT_TRUE(forged.ok());
  hub_.inject("a", "eth0", *forged);
  // A key index we do not have.
  auto other_index = message::encode(hb, keys(AuthMethod::Sha1, "cluster-secret", 9));
  hub_.inject("a", "eth0", *other_index);
  // Truncated.
  hub_.inject("a", "eth0", Bytes(good->begin(), good->end() - 3));
  // Not ours at all.
  hub_.inject("a", "eth0", Bytes{'G', 'E', 'T', ' ', '/'});
  // Over the size limit.
  hub_.inject("a", "eth0", Bytes(message::kMaxMessageSize + 1, 'H'));
  // A sender that is not a node of ha.cf, with the right key.
  Message stranger = hb;
  stranger.from = "mallory";
  hub_.inject("a", "eth0", *message::encode(stranger, keys()));
  s_.runPending();

  EXPECT_EQ(dropped(m("a"), DropReason::BadAuth), 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::UnknownKey), 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::Truncated), 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::BadMagic), 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::Oversize), 1u);
  EXPECT_EQ(dropped(m("a"), DropReason::UnknownSender), 1u);
  EXPECT_EQ(m("a").counters().received, 6u);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Init);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  EXPECT_EQ(node("a").changes.size(), changes);
  EXPECT_GE(node("a").log.count("Dropped a received frame: bad_auth"), 1u);

  // The genuine frame is then accepted.
  hub_.inject("a", "eth0", *good);
  s_.runPending();
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
}

TEST_F(MembershipTest, OwnFramesLoopingBackAreIgnored) {
  add("a");
  m("a").start();
  s_.runPending();
  for (int i = 0; i < 3; ++i) hub_.inject("a", "eth0", hub_.sent("a").front());
  s_.runPending();
  EXPECT_EQ(m("a").counters().received, 3u);
  EXPECT_EQ(m("a").counters().duplicates, 0u);
  for (auto d : m("a").counters().dropped) EXPECT_EQ(d, 0u);
  EXPECT_EQ(m("a").linkState("a", "eth0"), LinkState::Dead);
  EXPECT_TRUE(node("a").changes.empty());
}

TEST_F(MembershipTest, KeyRotation) {
  Options oa = options("a");
  oa.keys.keys[2] = {AuthMethod::Sha256, "new-secret"};  // a accepts keys 1 and 2, sends 1
  Options ob = options("b");
  ob.keys = keys(AuthMethod::Sha256, "new-secret", 2);  // b already switched to key 2
  add(oa);
  add(ob);
  m("a").start();
  m("b").start();
  s_.runPending();
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Up);
  EXPECT_EQ(dropped(m("a"), DropReason::UnknownKey), 0u);
  // b no longer lists key 1: a's frames are refused until a switches too.
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Init);
  EXPECT_EQ(dropped(m("b"), DropReason::UnknownKey), 2u);
}

TEST_F(MembershipTest, EveryAuthMethodFormsAClusterAndRejectsCorruption) {
  for (AuthMethod method :
       {AuthMethod::Crc, AuthMethod::Md5, AuthMethod::Sha1, AuthMethod::Sha256}) {
    SCOPED_TRACE(std::string(message::authMethodName(method)));
    nodes_.clear();
    test::TestLinkHub hub(s_);
    Options oa = options("a");
    oa.keys = keys(method);
    Options ob = options("b");
    ob.keys = keys(method);
    test::MemoryLogSink la;
    test::MemoryLogSink lb;
    Membership a(oa, s_, la);
    Membership b(ob, s_, lb);
    hub.attach("a", a, oa.links);
    hub.attach("b", b, ob.links);
    hub.corrupt("eth0");  // one bit flipped in every frame on eth0
    a.start();
    b.start();
    s_.advance(3000ms);
    EXPECT_EQ(a.nodeState("b"), NodeState::Active);
    EXPECT_EQ(a.linkState("b", "eth1"), LinkState::Up);
    EXPECT_EQ(a.linkState("b", "eth0"), LinkState::Dead);
    std::uint64_t drops = 0;
    for (auto d : a.counters().dropped) drops += d;
    EXPECT_EQ(drops, 4u);  // the 4 heartbeats b sent so far, each once on eth0
    a.stop();
    b.stop();
    s_.runPending();
  }
}

TEST_F(MembershipTest, SendFillsHeaderAndRespectsSizeLimit) {
  twoNodesSettled();
  const auto sent = hub_.sent("b").size();
  Message big;
  big.type = MsgType::Cluster;
  big.fields["cib"] = std::string(message::kMaxMessageSize, 'x');
  auto r = m("b").send(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(hub_.sent("b").size(), sent);  // nothing went out

  Message small;
  small.type = MsgType::Control;
  small.from = "forged";
  small.generation = 99;
  ASSERT_TRUE(m("b").send(small).ok());
  s_.runPending();
  ASSERT_EQ(node("a").messages.size(), 1u);
  const Message& got = node("a").messages[0];
  EXPECT_EQ(got.from, "b");
  EXPECT_EQ(got.generation, 1u);
  EXPECT_EQ(got.seq, sent + 1);  // one seq per frame, no gap for the refused one
  EXPECT_EQ(got.timestamp_ms,
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           s_.wallNow().time_since_epoch())
                                           .count()));
}

TEST_F(MembershipTest, StopCancelsEveryTimer) {
  twoNodesSettled();
  EXPECT_GT(s_.armedTimers(), 0u);
  m("a").stop();
  m("b").stop();
  s_.runPending();
  EXPECT_EQ(s_.armedTimers(), 0u);
}

TEST_F(MembershipTest, DelayedLinkStillCountsAsDuplicateNotLate) {
  twoNodesSettled();
  hub_.delay("eth1", 400ms);
  s_.advance(10s);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
  EXPECT_EQ(m("a").counters().late_heartbeats, 0u);
  for (auto d : m("a").counters().dropped) EXPECT_EQ(d, 0u);
}

// ---- Liveness only from fresh frames (issue 11, item 3) ----

TEST_F(MembershipTest, ReplayedHeartbeatsCannotDelayADeath) {
  twoNodesSettled();
  // An attacker captured b's last five heartbeats (no key needed) ...
  const auto& sent = hub_.sent("b");
  ASSERT_GE(sent.size(), 5u);
  const std::vector<Bytes> captured(sent.end() - 5, sent.end());
  // ... b dies, and the attacker replays them ten times a second on both links.
  hub_.partition({"a"}, {"b"});
  const MonoTime died = s_.now();
  for (int i = 0; i < 100 && m("a").nodeState("b") != NodeState::Dead; ++i) {
    for (const auto& f : captured) {
      hub_.inject("a", "eth0", f);
      hub_.inject("a", "eth1", f);
    }
    s_.advance(100ms);
  }
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Dead);
  // Dead at deadtime after b's last fresh frame (at most one keepalive before the partition).
  const auto& times = node("a").change_times;
  EXPECT_LE(times.back() - died, 3000ms + 100ms);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Dead);
  EXPECT_EQ(dropped(m("a"), DropReason::Replay) + m("a").counters().duplicates > 0, true);
}

TEST_F(MembershipTest, AnOldFrameDoesNotReviveADeadLink) {
  twoNodesSettled();
  const Bytes old = hub_.sent("b").back();
  hub_.drop("b", "a", "eth1");
  s_.advance(4000ms);
  ASSERT_EQ(m("a").linkState("b", "eth1"), LinkState::Dead);
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);  // eth0 still carries b
  hub_.inject("a", "eth1", old);
  s_.runPending();
  // The frame was seen on eth1 before the cut: not newer there, so eth1 stays dead.
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Dead);
  // A fresh frame on eth1 brings it back.
  hub_.drop("b", "a", "eth1", false);
  s_.advance(1000ms);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
}

TEST_F(MembershipTest, ACopyOnASecondLinkRefreshesOnlyThatLink) {
  twoNodesSettled();
  // eth0 stops carrying b; eth1's copies keep the node alive and eth0 dies.
  hub_.drop("b", "a", "eth0");
  s_.advance(4000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Dead);
  EXPECT_EQ(m("a").linkState("b", "eth1"), LinkState::Up);
  // The latest heartbeat, already seen on eth1, arriving late on eth0 is fresh there: eth0 is up.
  hub_.inject("a", "eth0", hub_.sent("b").back());
  s_.runPending();
  EXPECT_EQ(m("a").linkState("b", "eth0"), LinkState::Up);
}

// ---- A link that was not open cannot testify (issue 9, item 9) ----

/** Two nodes joined only by "ser", whose device is missing at start on both sides. */
class LateLinkTest : public MembershipTest {
 protected:
  Options serialOnly(const std::string& name) const {
    Options o = options(name);
    o.links = {"ser"};
    return o;
  }
  void startWithDeviceMissing() {
    add(serialOnly("a"));
    add(serialOnly("b"));
    hub_.cut("ser");  // nothing passes while the device is missing
    m("a").setLinkOpen("ser", false);
    m("b").setLinkOpen("ser", false);
    m("a").start();
    m("b").start();
  }
  /** The device appears on both sides (socat creating the pty pair) at the current time. */
  void plugCable() {
    hub_.cut("ser", false);
    m("a").setLinkOpen("ser", true);
    m("b").setLinkOpen("ser", true);
  }
  std::size_t deaths(const std::string& name) const {
    std::size_t n = 0;
    for (const auto& c : nodes_.at(name)->changes) {
      if (c.kind == ChangeKind::NodeState && c.new_state == NodeState::Dead) ++n;
    }
    return n;
  }
};

TEST_F(LateLinkTest, NoSilenceCountedBeforeAnyLinkOpened) {
  startWithDeviceMissing();
  s_.advance(60s);  // ten initdeads without a device
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Init);
  EXPECT_FALSE(m("a").commsUp());  // initdead has not run: we cannot have heard anyone
  EXPECT_EQ(deaths("a"), 0u);
}

// The cluster_serial_only flake: the device opened just as initdead (counted from start) expired,
// and the peer was declared dead at the very moment the link came up.
TEST_F(LateLinkTest, DeviceOpeningAsInitdeadExpiresDoesNotKillThePeer) {
  startWithDeviceMissing();
  s_.advance(5999ms);
  plugCable();
  s_.advance(1ms);  // t0 + initdead
  EXPECT_NE(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_NE(m("b").nodeState("a"), NodeState::Dead);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  EXPECT_EQ(m("b").nodeState("a"), NodeState::Active);
  s_.advance(30s);
  EXPECT_EQ(deaths("a"), 0u);
  EXPECT_EQ(deaths("b"), 0u);
  EXPECT_EQ(node("a").log.count(": is dead"), 0u);
}

TEST_F(LateLinkTest, InitdeadCountsFromTheLinkOpening) {
  names_ = {"a", "b"};
  add(serialOnly("a"));
  m("a").setLinkOpen("ser", false);
  m("a").start();  // b never starts
  s_.advance(10s);
  const MonoTime opened = s_.now();
  m("a").setLinkOpen("ser", true);
  s_.advance(5999ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Init);
  EXPECT_FALSE(m("a").commsUp());
  s_.advance(1ms);
  EXPECT_TRUE(m("a").commsUp());
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  ASSERT_FALSE(node("a").changes.empty());
  EXPECT_EQ(node("a").change_times.back(), opened + 6000ms);
}

TEST_F(LateLinkTest, LostDeviceStillCountsSilence) {
  // A medium that was open and failed is evidence (heartbeat: a cut cable is a dead link).
  startWithDeviceMissing();
  plugCable();
  s_.advance(5000ms);
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
  hub_.cut("ser");
  const MonoTime cut = s_.now();
  m("a").setLinkOpen("ser", false);
  s_.advance(2999ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  s_.advance(1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(node("a").change_times.back(), cut + 3000ms);
}

TEST_F(LateLinkTest, ReopenedLinkRestartsTheClock) {
  startWithDeviceMissing();
  plugCable();
  s_.advance(5000ms);  // settled right after a heartbeat exchange
  ASSERT_EQ(m("a").nodeState("b"), NodeState::Active);
  hub_.cut("ser");
  m("a").setLinkOpen("ser", false);
  s_.advance(2000ms);
  const MonoTime reopened = s_.now();
  m("a").setLinkOpen("ser", true);  // the device is back but b stays silent on it
  s_.advance(2999ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);  // 5 s after b was last heard
  s_.advance(1ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
  EXPECT_EQ(node("a").change_times.back(), reopened + 3000ms);
}

TEST_F(LateLinkTest, AnOpenLinkKeepsCountingWhileAnotherOpensLate) {
  // eth0 is open from start; a late "ser" does not buy a silent peer any time.
  names_ = {"a", "b"};
  Options o = options("a");
  o.links = {"eth0", "ser"};
  add(o);
  m("a").setLinkOpen("ser", false);
  m("a").start();
  s_.advance(5000ms);
  m("a").setLinkOpen("ser", true);
  s_.advance(1000ms);  // t0 + initdead
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
}

TEST_F(LateLinkTest, FrameOnAClosedLinkOpensIt) {
  startWithDeviceMissing();
  hub_.cut("ser", false);  // frames pass although a was told the device is missing
  m("b").setLinkOpen("ser", true);
  s_.advance(2000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Active);
  hub_.cut("ser");
  s_.advance(3000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
}

TEST_F(LateLinkTest, UnknownLinkAndRepeatsAreIgnored) {
  twoNodesSettled();
  m("a").setLinkOpen("eth9", false);
  m("a").setLinkOpen("eth0", true);  // already open: its clock does not restart
  hub_.partition({"a"}, {"b"});
  s_.advance(3000ms);
  EXPECT_EQ(m("a").nodeState("b"), NodeState::Dead);
}

}  // namespace
}  // namespace hb::membership
