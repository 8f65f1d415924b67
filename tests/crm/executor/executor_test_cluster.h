// SPDX-License-Identifier: GPL-2.0-or-later
// TestCluster: N ResourceManagers (one per node) over scripted agents and a lossy in-test wire,
// all on one FakeScheduler, with a safety checker run after every step.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/executor/executor.h"
#include "resources/agents/agents.h"
#include "tests/fakes/fake_scheduler.h"
#include "tests/fakes/memory_log_sink.h"

namespace hb::executor::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

/** How one agent action behaves (per node, resource, action). */
struct Behaviour {
  int rc = 0;
  Millis delay{20};
  bool hang = false;   ///< never exits by itself (the runner times out and TERMs it)
  int times = -1;      ///< how many launches this applies to (-1: always)
};

class TestCluster;

/** Scripted children for one node: exit codes and delays from the cluster's script. */
class ScriptedLauncher final : public resources::ProcessLauncher {
 public:
  struct Child {
    std::string rsc, action;
    resources::ProcessCallbacks cb;
    TimerPtr timer;
    bool exited = false;
    int pid = 0;
    void exit(int code, bool signaled) {
      if (exited) return;
      exited = true;
      if (timer) timer->cancel();
      auto on_exit = std::move(cb.onExit);
      cb = {};
      if (on_exit) on_exit(resources::ExitStatus{signaled, code});
    }
  };
  ScriptedLauncher(TestCluster& c, std::string node) : cluster_(c), node_(std::move(node)) {}
  Result<resources::ProcessPtr> launch(const resources::ProcessSpec& spec,
                                       resources::ProcessCallbacks cb) override;

 private:
  TestCluster& cluster_;
  std::string node_;
  std::vector<std::shared_ptr<Child>> children_;
  int next_pid_ = 100;
};

/** One node: its launcher, runner and resource manager, and its membership view of peers. */
struct TestNode {
  std::string name;
  std::uint64_t generation = 0;
  hb::test::MemoryLogSink log{LogLevel::Info};
  std::unique_ptr<ScriptedLauncher> launcher;
  std::unique_ptr<resources::AgentRunner> runner;
  std::unique_ptr<ResourceManager> rm;
  std::set<std::string> alive;  ///< peers this node's membership considers alive
  bool comms_up = false;
};

/** Knobs of the in-test wire (every node's reports to every other node). */
struct WireKnobs {
  bool drop_all = false;
  int drop_pct = 0;       ///< 0..100, seeded
  int dup_pct = 0;        ///< 0..100: deliver a second copy
  Millis delay{1};        ///< base latency
  Millis jitter{0};       ///< extra random latency 0..jitter (reorders messages)
};

inline cib::Primitive prim(const std::string& id) {
  cib::Primitive p;
  p.id = id;
  p.cls = "ocf";
  p.provider = "test";
  p.type = "Thing";
  p.source = id;
  return p;
}

inline cib::Group group(const std::string& id, const std::string& preferred,
                        const std::vector<std::string>& rscs) {
  cib::Group g;
  g.id = id;
  g.preferred_node = preferred;
  for (const auto& r : rscs) g.primitives.push_back(prim(r));
  return g;
}

/** The default model: group "web" (ip, fs, www) preferred on alpha. */
inline cib::Cib makeCib(std::vector<std::string> nodes, std::vector<cib::Group> groups,
                        cib::AutoFailback af) {
  cib::Cib c;
  c.nodes = std::move(nodes);
  c.groups = std::move(groups);
  cib::setAutoFailback(c, af);
  return c;
}

class TestCluster {
 public:
  hb::test::FakeScheduler sched;  // first: destroyed last

  explicit TestCluster(cib::Cib cib, std::uint32_t seed = 1) : cib_(std::move(cib)), rng_(seed) {
    std::string tmpl = "/tmp/hb_exec_test.XXXXXX";
    char* d = ::mkdtemp(tmpl.data());
    root_ = d != nullptr ? d : "/tmp/hb_exec_test.failed";
    std::filesystem::create_directories(root_ + "/ocf/resource.d/test");
    std::filesystem::create_directories(root_ + "/ocf/resource.d/hbd");
    std::filesystem::create_directories(root_ + "/init.d");
    std::filesystem::create_directories(root_ + "/ha.d/resource.d");
    for (const char* type : {"Thing", "IPaddr"}) {  // IPaddr: the executor re-announces its address
      const std::string agent = root_ + "/ocf/resource.d/test/" + type;
      { std::ofstream(agent) << "#!/bin/sh\nexit 1\n"; }  // never run: the launcher is scripted
      ::chmod(agent.c_str(), 0755);
    }
    paths_.ocfRoot = root_ + "/ocf";
    paths_.hbdAgentDir = root_ + "/ocf/resource.d/hbd";
    paths_.initDir = root_ + "/init.d";
    paths_.configDir = root_ + "/ha.d";
    for (const auto& g : cib_.groups) {
      for (const auto& p : g.primitives) group_of_[p.id] = g.id;
    }
  }
  ~TestCluster() {
    for (auto& [n, node] : nodes_) destroy(*node);
    nodes_.clear();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // --- nodes and membership -------------------------------------------------------------------

  /** Starts hbd on `name` (a fresh ResourceManager, a new generation) and its probes. */
  TestNode& boot(const std::string& name) {
    auto node = std::make_unique<TestNode>();
    node->name = name;
    node->generation = ++generation_counter_;
    node->launcher = std::make_unique<ScriptedLauncher>(*this, name);
    resources::AgentRunnerOptions ro;
    ro.paths = paths_;
    ro.nodeName = name;
    ro.defaultTimeout = agent_timeout;
    ro.killGrace = 1s;
    node->runner = std::make_unique<resources::AgentRunner>(sched, io_, node->log, ro, node->launcher.get());
    for (const char* type : {"Thing", "IPaddr"}) {
      node->runner->cacheMetadata(resources::AgentSpec{resources::AgentClass::Ocf, "test", type},
                                  resources::AgentMetadata{});
    }
    Options o;
    o.self = name;
    o.cib = cib_of.count(name) != 0 ? cib_of[name] : cib_;
    o.paths = paths_;
    o.report_interval = report_interval;
    o.stop_retries = 2;
    o.stop_retry_delay = 100ms;
    o.max_report_bytes = report_budget;
    // The node's state dir survives its hbd (and machine) restarts.
    o.blocked = state_dir[name];
    o.save_blocked = [this, name](const std::vector<Blocked>& b) { state_dir[name] = b; };
    node->rm = std::make_unique<ResourceManager>(o, sched, node->log, *node->runner);
    const std::uint64_t gen = node->generation;
    node->rm->setSender([this, name, gen](const Fields& f) { send(name, gen, f); });
    TestNode& ref = *node;
    nodes_[name] = std::move(node);
    ref.rm->start();
    check();
    return ref;
  }

  /**
   * hbd on `name` reloads `next` (ResourceManager::reconfigure); a later restart there boots with
   * it. Resources new to the test are added to the checker's resource -> group map.
   */
  Result<std::string> reload(const std::string& name, const cib::Cib& next) {
    auto r = node(name).rm->reconfigure(next);
    if (r) {
      cib_of[name] = next;
      for (const auto& g : next.groups) {
        for (const auto& p : g.primitives) group_of_.emplace(p.id, g.id);
      }
    }
    check();
    return r;
  }
  /** The CIB each node boots with when it differs from the cluster's (set by reload()). */
  std::map<std::string, cib::Cib> cib_of;

  /** The machine dies: no stop runs, its resources are gone (power off); peers notice nothing yet. */
  void crash(const std::string& name) {
    auto it = nodes_.find(name);
    ASSERT_NE(it, nodes_.end());
    destroy(*it->second);
    nodes_.erase(it);
    active_[name].clear();
  }
  /** hbd alone dies on `name` (kill -9): the machine and its resources keep running. */
  void killDaemon(const std::string& name) {
    auto it = nodes_.find(name);
    ASSERT_NE(it, nodes_.end());
    destroy(*it->second);
    nodes_.erase(it);
  }
  /** hbd is restarted on `name` while the machine keeps running (resources stay as they are). */
  TestNode& restartDaemon(const std::string& name) {
    auto it = nodes_.find(name);
    if (it != nodes_.end()) {
      destroy(*it->second);
      nodes_.erase(it);
    }
    return boot(name);
  }

  /** `a` hears `b` (membership: up with b's current generation). */
  void hears(const std::string& a, const std::string& b) {
    auto& na = node(a);
    na.alive.insert(b);
    na.rm->nodeUp(b, node(b).generation);
    check();
  }
  void join(const std::string& a, const std::string& b) {
    hears(a, b);
    hears(b, a);
  }
  /** Every running node hears every other one. */
  void joinAll() {
    for (auto& [a, na] : nodes_) {
      for (auto& [b, nb] : nodes_) {
        if (a != b && na->alive.count(b) == 0) hears(a, b);
      }
    }
  }
  /** `a`'s membership declares `b` dead. */
  void declareDead(const std::string& a, const std::string& b, const std::string& why = "declared dead") {
    auto& na = node(a);
    na.alive.erase(b);
    na.rm->nodeDead(b, why);
    check();
  }
  void commsUp(const std::string& a) {
    node(a).comms_up = true;
    node(a).rm->setCommsUp(true);
    check();
  }
  /** Boots `names` at once, lets every node hear every other one and ends initdead everywhere. */
  void bootTogether(const std::vector<std::string>& names) {
    for (const auto& n : names) boot(n);
    joinAll();
    run(std::chrono::milliseconds(20));
    commsUpAll();
  }
  void commsUpAll() {
    for (auto& [n, node] : nodes_) {
      if (!node->comms_up) commsUp(n);
    }
  }

  TestNode& node(const std::string& name) {
    auto it = nodes_.find(name);
    if (it == nodes_.end()) throw std::runtime_error("no running node " + name);
    return *it->second;
  }
  bool running(const std::string& name) const { return nodes_.count(name) != 0; }
  ResourceManager& rm(const std::string& name) { return *node(name).rm; }

  // --- time -----------------------------------------------------------------------------------

  /** Advances time in 1 ms steps, checking the safety invariant after each. */
  void run(Millis total) {
    for (Millis t{0}; t < total; t += 1ms) {
      sched.advance(1ms);
      check();
    }
  }
  /** Runs until pred() holds (checked every ms) or `limit` passes. @return whether it held. */
  template <class Pred>
  bool runUntil(Pred pred, Millis limit = 60s) {
    for (Millis t{0}; t < limit; t += 1ms) {
      if (pred()) return true;
      sched.advance(1ms);
      check();
    }
    return pred();
  }
  /** Runs until every node has been stable, with no agent running, for 3 report intervals. */
  bool settle(Millis limit = 60s) {
    Millis quiet_for{0};
    for (Millis t{0}; t < limit; t += 1ms) {
      sched.advance(1ms);
      check();
      quiet_for = quiet() ? quiet_for + 1ms : Millis{0};
      if (quiet_for >= 3 * report_interval) return true;
    }
    return false;
  }
  bool quiet() {
    for (auto& [n, node] : nodes_) {
      if (!node->rm->stable() || node->runner->running() != 0) return false;
    }
    return true;
  }

  // --- observation ----------------------------------------------------------------------------

  GroupStatus status(const std::string& n, const std::string& gid) {
    for (auto& g : rm(n).groups()) {
      if (g.id == gid) return g;
    }
    throw std::runtime_error("no group " + gid);
  }
  std::string localState(const std::string& n, const std::string& gid) { return status(n, gid).local_state; }
  /** Nodes whose copy of gid is started (by the resource managers' own view). */
  std::vector<std::string> startedOn(const std::string& gid) {
    std::vector<std::string> out;
    for (auto& [n, node] : nodes_) {
      if (localState(n, gid) == "started") out.push_back(n);
    }
    return out;
  }
  /** startedOn() of every group at once: group -> nodes (one groups() call per node). */
  std::map<std::string, std::vector<std::string>> startedOnAll() {
    std::map<std::string, std::vector<std::string>> out;
    for (auto& [n, node] : nodes_) {
      for (const auto& gs : node->rm->groups()) {
        if (gs.local_state_enum == policy::GroupState::Started) out[gs.id].push_back(n);
      }
    }
    return out;
  }
  /** Resources possibly running on `n` (a start was launched and no stop succeeded since). */
  std::set<std::string> activeOn(const std::string& n) { return active_[n]; }
  /** Whether every resource of gid is active on n and none of gid on any other node. */
  bool heldOnlyBy(const std::string& gid, const std::string& n) {
    for (auto& [other, set] : active_) {
      for (const auto& r : set) {
        if (group_of_[r] == gid && other != n) return false;
      }
    }
    const auto* g = cib_.findGroup(gid);
    for (const auto& p : g->primitives) {
      if (active_[n].count(p.id) == 0) return false;
    }
    return true;
  }
  bool activeNowhere(const std::string& gid) {
    for (auto& [other, set] : active_) {
      for (const auto& r : set) {
        if (group_of_[r] == gid) return false;
      }
    }
    return true;
  }
  /** "node action rsc" of every start/stop launched, in global order (probes left out). */
  std::vector<std::string> journal;
  /** journal entries of one node, without the node name: "start ip". */
  std::vector<std::string> journalOf(const std::string& n) const {
    std::vector<std::string> out;
    for (const auto& j : journal) {
      if (j.rfind(n + " ", 0) == 0) out.push_back(j.substr(n.size() + 1));
    }
    return out;
  }
  std::size_t countJournal(const std::string& entry) const {
    return static_cast<std::size_t>(std::count(journal.begin(), journal.end(), entry));
  }
  std::vector<std::string> violations;
  /** When false, violations are only recorded (for the checker's own test), not test failures. */
  bool fail_on_violation = true;

  // --- script ---------------------------------------------------------------------------------

  /** Script agent `action` of `rsc` on `node` ("*" = every node). */
  void script(const std::string& node_name, const std::string& rsc, const std::string& action, Behaviour b) {
    script_[{node_name, rsc, action}] = b;
  }
  /** A resource already runs on `n` before hbd starts there (the probe finds it). */
  void preActive(const std::string& n, const std::string& rsc) { active_[n].insert(rsc); }

  // --- the wire -------------------------------------------------------------------------------

  WireKnobs wire;
  /** While set, a copy of every message `capture_from` sends is kept (besides normal delivery)... */
  std::string capture_from;
  /** ...and delivered again, very late and out of order, by replayCaptured(). */
  void replayCaptured() {
    auto msgs = std::move(captured_);
    captured_.clear();
    for (const auto& m : msgs) deliver(std::get<0>(m), std::get<1>(m), std::get<2>(m), std::get<3>(m));
  }
  /** Whether deliver() drops messages from senders the receiver does not consider alive. */
  bool membership_filter = true;
  /** Messages delivered / dropped so far (for checking the knobs did something). */
  std::size_t delivered = 0, dropped = 0;

  /** Dumps every node's log (for diagnosing a failure). */
  std::string logs() {
    std::string out;
    for (auto& [n, node] : nodes_) {
      out += "==== " + n + "\n";
      for (const auto& r : node->log.records) out += "  " + formatRecord(r) + "\n";
    }
    out += "==== journal\n";
    for (const auto& j : journal) out += "  " + j + "\n";
    return out;
  }

  Millis report_interval{200};
  /** Options::max_report_bytes of every node; the wire fails the test on any larger message. */
  std::size_t report_budget = kDefaultMaxReportBytes;
  /** The largest message (wireSize) sent so far, and how many were sent. */
  std::size_t largest_message = 0, sent_messages = 0;
  Millis agent_timeout{5000};
  /** What each node's resource manager saved in its state dir (Options::save_blocked). */
  std::map<std::string, std::vector<Blocked>> state_dir;

  /** The group of `rsc` in the definition `n` runs (its reloaded CIB, else the cluster's). */
  std::string groupOf(const std::string& n, const std::string& rsc) {
    if (auto it = cib_of.find(n); it != cib_of.end()) {
      for (const auto& g : it->second.groups) {
        for (const auto& p : g.primitives) {
          if (p.id == rsc) return g.id;
        }
      }
    }
    return group_of_[rsc];
  }

  // Internal (launcher).
  Behaviour behaviourFor(const std::string& n, const std::string& rsc, const std::string& action) {
    for (const auto& key : {std::make_tuple(n, rsc, action), std::make_tuple(std::string("*"), rsc, action)}) {
      auto it = script_.find(key);
      if (it == script_.end()) continue;
      if (it->second.times == 0) continue;
      Behaviour b = it->second;
      if (it->second.times > 0) --it->second.times;
      return b;
    }
    Behaviour b;
    if (action == "monitor") {
      b.rc = active_[n].count(rsc) != 0 ? 0 : 7;
      b.delay = 1ms;
    } else if (action == "stop") {
      b.delay = 10ms;
    }
    return b;
  }
  void onLaunch(const std::string& n, const std::string& rsc, const std::string& action) {
    if (action != "start" && action != "stop") return;
    journal.push_back(n + " " + action + " " + rsc);
    if (action != "start") return;
    // Rule 7: a start only while every peer this node considers alive has its copy stopped.
    const std::string gid = groupOf(n, rsc);
    for (const auto& peer : node(n).alive) {
      for (const auto& r : active_[peer]) {
        if (groupOf(peer, r) == gid) violation("start of " + rsc + " on " + n + " while " + r + " may run on live " + peer);
      }
      if (running(peer)) {
        auto st = localState(peer, gid);
        if (st != "stopped" && st != "failed-start") {
          violation("start of " + rsc + " on " + n + " while live " + peer + " has " + gid + " " + st);
        }
      }
    }
    active_[n].insert(rsc);
  }
  void onExit(const std::string& n, const std::string& rsc, const std::string& action, int code, bool signaled) {
    if (action == "stop" && !signaled && (code == 0 || code == 7)) active_[n].erase(rsc);
  }

  /** The safety invariant, over both the managers' states and the scripted reality. */
  void check() {
    std::map<std::string, std::map<std::string, policy::GroupState>> states;  // node -> group -> state
    for (auto& [n, node] : nodes_) {
      for (const auto& gs : node->rm->groups()) states[n][gs.id] = gs.local_state_enum;
    }
    std::map<std::string, std::set<std::string>> real_of;  // group -> nodes where some of it runs
    for (auto& [n, set] : active_) {
      if (!running(n)) continue;
      for (const auto& r : set) real_of[groupOf(n, r)].insert(n);
    }
    // Whatever the groups: one resource possibly running on two nodes that consider each other
    // alive (a reload can move a resource from one group to another).
    std::map<std::string, std::vector<std::string>> nodes_of;  // resource -> nodes
    for (auto& [n, set] : active_) {
      if (!running(n)) continue;
      for (const auto& r : set) nodes_of[r].push_back(n);
    }
    for (const auto& [r, on] : nodes_of) {
      for (std::size_t i = 0; i < on.size(); ++i) {
        for (std::size_t j = i + 1; j < on.size(); ++j) {
          if (node(on[i]).alive.count(on[j]) != 0 && node(on[j]).alive.count(on[i]) != 0) {
            violation("resource " + r + " runs on " + on[i] + " and " + on[j] + ", which both consider each other alive");
          }
        }
      }
    }
    for (const auto& g : cib_.groups) {
      std::vector<std::string> holding, real;
      for (auto& [n, node] : nodes_) {
        auto st = states[n][g.id];
        if (st == policy::GroupState::Started || st == policy::GroupState::Starting) holding.push_back(n);
      }
      for (const auto& n : real_of[g.id]) real.push_back(n);
      for (const auto* list : {&holding, &real}) {
        for (std::size_t i = 0; i < list->size(); ++i) {
          for (std::size_t j = i + 1; j < list->size(); ++j) {
            const auto& a = (*list)[i];
            const auto& b = (*list)[j];
            if (node(a).alive.count(b) != 0 && node(b).alive.count(a) != 0) {
              violation(std::string(list == &holding ? "started/starting" : "running") + " " + g.id + " on " + a +
                        " and " + b + ", which both consider each other alive");
            }
          }
        }
      }
    }
  }

 private:
  void violation(const std::string& what) {
    if (fail_on_violation && violations.size() < 5) ADD_FAILURE() << "SAFETY at +" << elapsedMs() << " ms: " << what;
    violations.push_back(what);
  }
  std::int64_t elapsedMs() const {
    return std::chrono::duration_cast<Millis>(sched.now() - t0_).count();
  }
  void destroy(TestNode& n) {
    n.rm.reset();
    n.runner.reset();
    n.launcher.reset();
  }

  void send(const std::string& from, std::uint64_t gen, const Fields& f) {
    const std::size_t size = wireSize(f);
    ++sent_messages;
    largest_message = std::max(largest_message, size);
    if (size > report_budget) {
      ADD_FAILURE() << "message of " << size << " bytes from " << from << " exceeds the budget of " << report_budget;
    }
    std::uniform_int_distribution<int> pct(0, 99);
    for (auto& [to, node] : nodes_) {
      if (to == from) continue;
      if (!capture_from.empty() && from == capture_from) captured_.emplace_back(from, gen, to, f);
      const int copies = (wire.dup_pct > 0 && pct(rng_) < wire.dup_pct) ? 2 : 1;
      for (int c = 0; c < copies; ++c) {
        if (wire.drop_all || (wire.drop_pct > 0 && pct(rng_) < wire.drop_pct)) {
          ++dropped;
          continue;
        }
        Millis delay = wire.delay;
        if (wire.jitter.count() > 0) {
          delay += Millis(std::uniform_int_distribution<std::int64_t>(0, wire.jitter.count())(rng_));
        }
        const std::string dest = to;
        sched.schedule(sched.now() + delay, [this, from, gen, dest, f] { deliver(from, gen, dest, f); });
      }
    }
  }
  void deliver(const std::string& from, std::uint64_t gen, const std::string& to, const Fields& f) {
    auto it = nodes_.find(to);
    if (it == nodes_.end()) return;
    // Membership drops what comes from a node it does not consider alive (Membership::handle);
    // a test turns this off to check the resource manager holds the line by itself.
    if (membership_filter && it->second->alive.count(from) == 0) return;
    ++delivered;
    it->second->rm->receive(from, gen, f);
    check();
  }

  cib::Cib cib_;
  std::mt19937 rng_;
  std::string root_;
  resources::AgentPaths paths_;
  boost::asio::io_context io_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
  std::map<std::string, std::set<std::string>> active_;
  std::map<std::string, std::string> group_of_;
  std::map<std::tuple<std::string, std::string, std::string>, Behaviour> script_;
  std::uint64_t generation_counter_ = 1000;
  std::vector<std::tuple<std::string, std::uint64_t, std::string, Fields>> captured_;
  MonoTime t0_ = sched.now();
};

// --- ScriptedLauncher ---------------------------------------------------------------------------

namespace detail {
class ScriptedProcess final : public resources::Process {
 public:
  ScriptedProcess(std::shared_ptr<ScriptedLauncher::Child> c, Scheduler& s) : child_(std::move(c)), sched_(s) {}
  int pid() const override { return child_->pid; }
  void killGroupOnExit() override {}
  void signalGroup(int signo) override {
    if (child_->exited || (signo != SIGTERM && signo != SIGKILL)) return;
    std::weak_ptr<ScriptedLauncher::Child> weak = child_;
    sched_.post([weak, signo] {
      if (auto c = weak.lock()) c->exit(signo, true);
    });
  }

 private:
  std::shared_ptr<ScriptedLauncher::Child> child_;
  Scheduler& sched_;
};
}  // namespace detail

inline Result<resources::ProcessPtr> ScriptedLauncher::launch(const resources::ProcessSpec& spec,
                                                              resources::ProcessCallbacks cb) {
  auto c = std::make_shared<Child>();
  c->action = spec.argv.size() > 1 ? spec.argv[1] : "";
  for (const auto& e : spec.env) {
    if (e.rfind("OCF_RESOURCE_INSTANCE=", 0) == 0) c->rsc = e.substr(22);
  }
  c->cb = std::move(cb);
  c->pid = next_pid_++;
  children_.push_back(c);
  cluster_.onLaunch(node_, c->rsc, c->action);
  Behaviour b = cluster_.behaviourFor(node_, c->rsc, c->action);
  if (!b.hang) {
    c->timer = cluster_.sched.createTimer();
    std::weak_ptr<Child> weak = c;
    TestCluster* cl = &cluster_;
    std::string n = node_;
    c->timer->arm(b.delay, [weak, cl, n, rc = b.rc] {
      auto self = weak.lock();
      if (!self || self->exited) return;
      cl->onExit(n, self->rsc, self->action, rc, false);
      self->exit(rc, false);
    });
  }  // else hung: it ends only when the runner signals it (a signaled exit)
  return resources::ProcessPtr(std::make_unique<detail::ScriptedProcess>(c, cluster_.sched));
}

/** bootTogether(names), then waits for quiet (fails the test if it never comes). */
inline void coldStart(TestCluster& c, const std::vector<std::string>& names) {
  c.bootTogether(names);
  ASSERT_TRUE(c.settle()) << c.logs();
}

}  // namespace hb::executor::test
