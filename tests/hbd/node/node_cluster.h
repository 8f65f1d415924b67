// SPDX-License-Identifier: GPL-2.0-or-later
// NodeCluster: N real hb::node::Node on FakeLinks (a SimWire with two media) and SimAgents, all on
// one FakeScheduler, with the safety invariant checked after every simulated millisecond.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <tuple>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crm/cib/cib.h"
#include "hbd/node/node.h"
#include "tests/fakes/fake_link.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"
#include "tests/fakes/sim_agents.h"

namespace hb::node::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

inline cib::Group group(const std::string& id, const std::string& preferred, const std::vector<std::string>& rscs) {
  cib::Group g;
  g.id = id;
  g.preferred_node = preferred;
  for (const auto& r : rscs) {
    cib::Primitive p;
    p.id = r;
    p.cls = "ocf";
    p.provider = "test";
    p.type = "Thing";
    p.source = r;
    g.primitives.push_back(p);
  }
  return g;
}

/**
 * The cluster. Timing: keepalive 100 ms, deadtime 1 s, initdead 2 s (so scenarios are short).
 *
 * The invariant, "a group is never started on two nodes that consider each other alive", checked
 * after every simulated millisecond and at every start launch:
 *  - at a start launch on a: no node b with a and b mutually alive (each one's membership has the
 *    other up or active) may be running a resource of that group;
 *  - after every millisecond, for every group and every two running nodes a, b that are mutually
 *    alive: not both hold the group, neither by their resource managers' view (started/starting)
 *    nor by what the simulated machines run.
 * Nodes that do not consider each other alive (a partition; there is no fencing) may both run a
 * group: heartbeat does the same and only fencing could prevent it. When such a pair hears each
 * other again (the partition heals) both still hold the group for a moment; that inherited double
 * is not a violation as long as it began while they were not mutually alive, lasted without a
 * break, and ends within kResolveWithin of their meeting again. Scenarios that partition assert
 * the double explicitly.
 */
class NodeCluster {
 public:
  hb::test::FakeScheduler sched;  // first: destroyed last
  hb::test::SimWire wire{sched};
  hb::test::SimAgents agents{sched};
  const std::vector<std::string> media{"eth0", "eth1"};

  NodeCluster(std::vector<std::string> names, std::vector<cib::Group> groups, cib::AutoFailback af = cib::AutoFailback::On)
      : names_(std::move(names)) {
    cib_.nodes = names_;
    cib_.groups = std::move(groups);
    cib::setAutoFailback(cib_, af);
    for (const auto& g : cib_.groups) {
      for (const auto& p : g.primitives) group_of_[p.id] = g.id;
    }
    std::string tmpl = "/tmp/hb_node_test.XXXXXX";
    root_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "/tmp/hb_node_test.failed";
    for (const char* d : {"/ocf/resource.d/test", "/ocf/resource.d/hbd", "/init.d", "/ha.d/resource.d"}) {
      std::filesystem::create_directories(root_ + d);
    }
    const std::string agent = root_ + "/ocf/resource.d/test/Thing";
    { std::ofstream(agent) << "#!/bin/sh\nexit 1\n"; }  // never run: the agents are simulated
    ::chmod(agent.c_str(), 0755);
    paths_.ocfRoot = root_ + "/ocf";
    paths_.hbdAgentDir = root_ + "/ocf/resource.d/hbd";
    paths_.initDir = root_ + "/init.d";
    paths_.configDir = root_ + "/ha.d";
    agents.onStart = [this](const std::string& n, const std::string& rsc) { checkStart(n, rsc); };
  }
  ~NodeCluster() {
    nodes_.clear();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  NodeCluster(const NodeCluster&) = delete;
  NodeCluster& operator=(const NodeCluster&) = delete;

  struct Running {
    hb::test::MemoryLogSink log{LogLevel::Info};
    std::vector<std::unique_ptr<hb::test::FakeLink>> links;
    std::unique_ptr<Node> node;
    std::uint64_t generation = 0;
    ~Running() { node.reset(); }  // before its links
  };

  /** Starts hbd on `name` with a new generation (or `generation`: e.g. one that went back). */
  Node& boot(const std::string& name, std::optional<std::uint64_t> generation = std::nullopt) {
    auto r = std::make_unique<Running>();
    r->generation = generation ? *generation : ++generation_;
    NodeOptions o;
    o.membership.self = name;
    o.membership.nodes = names_;
    o.membership.links = media;
    o.membership.keepalive = 100ms;
    o.membership.warntime = 500ms;
    o.membership.deadtime = 1000ms;
    o.membership.initdead = 2000ms;
    o.membership.keys.send_index = 1;
    o.membership.keys.keys[1] = {message::AuthMethod::Sha1, "node-test"};
    o.membership.generation = r->generation;
    o.runner.paths = paths_;
    o.runner.nodeName = name;
    o.runner.defaultTimeout = 5s;
    o.runner.killGrace = 1s;
    executor::Options eo;
    eo.cib = cib_;
    eo.paths = paths_;
    eo.report_interval = 250ms;
    eo.stop_retries = 2;
    eo.stop_retry_delay = 100ms;
    o.resources = eo;
    std::vector<link::Link*> raw;
    for (const auto& m : media) {
      r->links.push_back(wire.makeLink(name, m));
      raw.push_back(r->links.back().get());
    }
    r->node = std::make_unique<Node>(o, raw, sched, agents.launcher(name), r->log);
    r->node->runner().cacheMetadata(resources::AgentSpec{resources::AgentClass::Ocf, "test", "Thing"},
                                    resources::AgentMetadata{});
    for (auto& l : r->links) (void)l->open();
    Node& n = *r->node;
    nodes_[name] = std::move(r);
    n.start();
    touch();
    return n;
  }
  void bootAll() {
    for (const auto& n : names_) boot(n);
  }
  /** The machine dies at once: no stop runs, no shutdown notice, its resources are gone. */
  void crash(const std::string& name) {
    nodes_.erase(name);
    agents.powerOff(name);
    touch();
  }
  /** hbd is killed and started again (a new generation, or `generation`); the machine and its
   *  resources stay. */
  Node& restartDaemon(const std::string& name, std::optional<std::uint64_t> generation = std::nullopt) {
    nodes_.erase(name);
    agents.daemonGone(name);
    touch();
    return boot(name, generation);
  }
  /** hbd stops in order (groups stopped, peers told), as SIGTERM does; the machine stays. */
  void stopDaemon(const std::string& name) {
    bool done = false;
    node(name).shutdown([&] { done = true; });
    runUntil([&] { return done; }, 30s);
    node(name).announceShutdown();
    node(name).stop();
    sched.runPending();
    nodes_.erase(name);
    agents.daemonGone(name);
    touch();
  }

  Node& node(const std::string& name) { return *nodes_.at(name)->node; }
  /** The node's resource manager (acting on it between steps: call touch() after). */
  /** Reload of the links on `name`: links on `add` join (opened first), then every link on a
   *  medium in `remove` leaves and is closed, as the daemon does it. */
  void reloadMedia(const std::string& name, const std::vector<std::string>& add, const std::vector<std::string>& remove) {
    Running& r = *nodes_.at(name);
    for (const auto& m : add) {
      r.links.push_back(wire.makeLink(name, m));
      (void)r.links.back()->open();
      r.node->addLink(*r.links.back());
    }
    for (auto it = r.links.begin(); it != r.links.end();) {
      if (std::find(remove.begin(), remove.end(), std::string((*it)->name())) == remove.end()) {
        ++it;
        continue;
      }
      r.node->removeLink(**it);
      (*it)->close();
      it = r.links.erase(it);
    }
    touch();
  }
  executor::ResourceManager& rm(const std::string& name) { return *node(name).resources(); }
  bool running(const std::string& name) const { return nodes_.count(name) != 0; }
  std::string logs() {
    std::string out;
    for (auto& [n, r] : nodes_) {
      out += "==== " + n + "\n";
      for (const auto& rec : r->log.records) out += "  " + formatRecord(rec) + "\n";
    }
    out += "==== journal\n";
    for (const auto& j : agents.journal) out += "  " + j + "\n";
    return out;
  }

  /** Whether `a`'s membership has `b` up or active. */
  bool alive(const std::string& a, const std::string& b) {
    if (!running(a)) return false;
    const auto s = node(a).membership().nodeState(b);
    return s == membership::NodeState::Up || s == membership::NodeState::Active;
  }
  bool mutuallyAlive(const std::string& a, const std::string& b) { return alive(a, b) && alive(b, a); }

  // --- time ----------------------------------------------------------------------------------
  void run(Millis total) {
    for (Millis t{0}; t < total; t += 1ms) step();
  }
  template <class Pred>
  bool runUntil(Pred pred, Millis limit = 30s) {
    for (Millis t{0}; t < limit; t += 1ms) {
      if (pred()) return true;
      step();
    }
    return pred();
  }
  void step() {
    sched.advance(1ms);
    check();
  }

  // --- observation ---------------------------------------------------------------------------
  /** The local state of `gid` on running node `n` (read once per simulated instant and node). */
  const std::string& localState(const std::string& n, const std::string& gid) {
    if (cache_time_ != sched.now() || cache_epoch_ != epoch_) {
      cache_.clear();
      cache_time_ = sched.now();
      cache_epoch_ = epoch_;
    }
    auto [it, fresh] = cache_.try_emplace(n);
    if (fresh) {
      for (const auto& g : rm(n).groups()) it->second[g.id] = g.local_state;
    }
    static const std::string kUnknown = "?";
    auto git = it->second.find(gid);
    return git == it->second.end() ? kUnknown : git->second;
  }
  /** Forgets the states read at this instant (after acting on a manager between two steps). */
  void touch() { ++epoch_; }
  /** Running nodes whose machine runs every resource of `gid` and whose manager has it started. */
  std::vector<std::string> heldBy(const std::string& gid) {
    std::vector<std::string> out;
    for (auto& [n, r] : nodes_) {
      if (localState(n, gid) != "started") continue;
      bool all = true;
      for (const auto& g : cib_.groups) {
        if (g.id != gid) continue;
        for (const auto& p : g.primitives) all = all && agents.active(n).count(p.id) != 0;
      }
      if (all) out.push_back(n);
    }
    return out;
  }
  /** Every group held by exactly one node, every running node alive for all the others. */
  bool settled() {
    for (const auto& g : cib_.groups) {
      if (heldBy(g.id).size() != 1) return false;
    }
    for (auto& [a, ra] : nodes_) {
      for (auto& [b, rb] : nodes_) {
        if (a != b && !alive(a, b)) return false;
      }
    }
    for (auto& [n, r] : nodes_) {
      if (!r->node->resources()->stable()) return false;
    }
    return true;
  }
  std::size_t startsOf(const std::string& gid_rsc) const {
    std::size_t n = 0;
    for (const auto& j : agents.journal) {
      if (j.size() > gid_rsc.size() && j.compare(j.size() - gid_rsc.size(), gid_rsc.size(), gid_rsc) == 0 &&
          j.find(" start ") != std::string::npos) {
        ++n;
      }
    }
    return n;
  }

  std::vector<std::string> violations;
  /** When false, violations are only recorded (for the checker's own test), not test failures. */
  bool fail_on_violation = true;
  std::uint64_t checks = 0;

  /** How long a double inherited from a partition may last once the pair meets again. */
  static constexpr Millis kResolveWithin{5000};

  /** The invariant (see the class comment). */
  void check() {
    ++checks;
    const MonoTime now = sched.now();
    std::set<std::tuple<int, std::string, std::string, std::string>> doubles;
    for (const auto& g : cib_.groups) {
      std::vector<std::string> lists[2];  // 0: held (managers' view), 1: running (machines)
      for (auto& [n, r] : nodes_) {
        const auto st = localState(n, g.id);
        if (st == "started" || st == "starting") lists[0].push_back(n);
        for (const auto& p : g.primitives) {
          if (agents.active(n).count(p.id) != 0) {
            lists[1].push_back(n);
            break;
          }
        }
      }
      for (int k = 0; k < 2; ++k) {
        const auto& list = lists[k];
        for (std::size_t i = 0; i < list.size(); ++i) {
          for (std::size_t j = i + 1; j < list.size(); ++j) {
            const auto key = std::make_tuple(k, g.id, list[i], list[j]);
            doubles.insert(key);
            if (!mutuallyAlive(list[i], list[j])) {
              inherited_.try_emplace(key, std::nullopt);  // a double from a partition
              continue;
            }
            auto it = inherited_.find(key);
            if (it == inherited_.end()) {
              violation(std::string(k == 0 ? "held" : "running") + " " + g.id + " on " + list[i] + " and " + list[j] +
                        ", which consider each other alive");
              continue;
            }
            if (!it->second) it->second = now;  // they meet again
            if (now - *it->second > kResolveWithin) {
              violation(g.id + " still on " + list[i] + " and " + list[j] + " " +
                        std::to_string(kResolveWithin.count()) + " ms after they heard each other again");
            }
          }
        }
      }
    }
    // A double that ended is forgotten: a new one between live nodes is a violation again.
    for (auto it = inherited_.begin(); it != inherited_.end();) {
      it = doubles.count(it->first) != 0 ? std::next(it) : inherited_.erase(it);
    }
  }

 private:
  /** A start only while no peer this node considers alive (and that considers it alive) may run it. */
  void checkStart(const std::string& n, const std::string& rsc) {
    const std::string gid = group_of_[rsc];
    for (auto& [peer, r] : nodes_) {
      if (peer == n || !mutuallyAlive(n, peer)) continue;
      for (const auto& other : agents.active(peer)) {
        if (group_of_[other] == gid) violation("start of " + rsc + " on " + n + " while " + other + " runs on " + peer);
      }
    }
  }
  void violation(const std::string& what) {
    if (fail_on_violation && violations.size() < 5) {
      ADD_FAILURE() << "SAFETY at +" << std::chrono::duration_cast<Millis>(sched.now() - t0_).count() << " ms: " << what;
    }
    violations.push_back(what);
  }

  std::vector<std::string> names_;
  cib::Cib cib_;
  std::string root_;
  resources::AgentPaths paths_;
  std::map<std::string, std::string> group_of_;
  std::map<std::string, std::unique_ptr<Running>> nodes_;
  std::map<std::string, std::map<std::string, std::string>> cache_;  // node -> group -> local state
  MonoTime cache_time_{};
  std::uint64_t epoch_ = 0, cache_epoch_ = 0;
  /** Doubles that began while the pair was not mutually alive -> when the pair met again. */
  std::map<std::tuple<int, std::string, std::string, std::string>, std::optional<MonoTime>> inherited_;
  std::uint64_t generation_ = 1000;
  MonoTime t0_ = sched.now();
};

}  // namespace hb::node::test
